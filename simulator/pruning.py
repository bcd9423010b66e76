"""Set aside the parts of a file that fail their model, so the rest can still be cross-checked.

A file with a wrong criterion or a misspelt key fails pydantic, and without this the references
of everything else (steps, lines, staff ids) would only be checked once that is fixed: the
instructor would meet the mistakes in stages. Here the failing items are removed from a copy of
the data (only items nothing else refers to: a criterion, a rule, a voice-mail, a turn, an
unknown key), the model is validated again, and the positions of what remains are kept, so the
cross-checks place their problems in the original file.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from simulator.errors import Problem
from simulator.validation import locate_path
from simulator.yaml_source import Document, Path, Where, render_path

# Items that can be set aside: a pattern of path elements, int or str meaning "any index/key".
_PRUNABLE: tuple[tuple[str | type, ...], ...] = (
    ("criteria", int),
    ("voicemail", int),
    ("calls", int, "steps", str, "on", str, int),
    ("calls", int, "steps", str, "on", str),
    ("calls", int, "on", str, int),
    ("calls", int, "on", str),
    ("turns", int),
    ("expect", "failing", int),
    ("expect", "fails", int),
    ("expect", "passes", int),
)
_MAX_ROUNDS = 8


@dataclass(frozen=True, slots=True)
class Pruned:
    """The model built from what validated, its positions, and what was set aside."""

    instance: BaseModel
    doc: Document
    original: dict[str, str]  # rendered path now -> rendered path in the file
    rules_removed: bool

    def restore(self, problem: Problem) -> Problem:
        """The problem with its field path as written in the original file."""
        path = problem.path
        for now in sorted(self.original, key=len, reverse=True):
            if path == now or path.startswith((now + ".", now + "[")):
                path = self.original[now] + path[len(now) :]
                break
        return Problem(problem.file, problem.line, problem.column, path, problem.it, problem.en)


def _matches(pattern: tuple[str | type, ...], path: Path) -> bool:
    if len(path) < len(pattern):
        return False
    for want, part in zip(pattern, path, strict=False):
        if isinstance(want, type):
            if not isinstance(part, want) or isinstance(part, bool):
                return False
        elif want != part:
            return False
    return True


def _target(path: Path, kind: str, data: Any) -> Path | None:
    """The deepest prunable item holding the error, or the unknown key itself."""
    if kind == "extra_forbidden" and path and isinstance(path[-1], str):
        return path
    best: Path | None = None
    for pattern in _PRUNABLE:
        if _matches(pattern, path) and (best is None or len(pattern) > len(best)):
            candidate = path[: len(pattern)]
            if isinstance(candidate[-1], str) and isinstance(_get(data, candidate), list):
                continue  # a list of rules: set aside the one item, not the trigger
            best = candidate
    return best


def _get(data: Any, path: Path) -> Any:
    for part in path:
        in_map = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not (in_map or in_list):
            return None
        data = data[part]
    return data


def _remove(data: Any, marks: dict[Path, Any], origin: dict[Path, Path], path: Path) -> bool:
    parent = _get(data, path[:-1])
    last = path[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
        for table in (marks, origin):
            for key in [k for k in table if k[: len(path)] == path]:
                del table[key]
        return True
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        del parent[last]
        depth = len(path) - 1
        for table in (marks, origin):
            shifted: dict[Path, Any] = {}
            for key, value in table.items():
                if key[:depth] == path[:-1] and len(key) > depth:
                    index = key[depth]
                    if index == last:
                        continue
                    if isinstance(index, int) and index > last:
                        key = (*key[:depth], index - 1, *key[depth + 1 :])
                shifted[key] = value
            table.clear()
            table.update(shifted)
        return True
    return False


def prune(model: type[BaseModel], doc: Document) -> Pruned | None:
    """Validate what remains once the failing items are set aside; None if that is not enough.

    Never raises: a file this cannot handle just keeps its model problems.
    """
    try:
        return _prune(model, doc)
    except Exception:  # a best effort beside the real problems, never instead of them
        return None


def _prune(model: type[BaseModel], doc: Document) -> Pruned | None:
    data = copy.deepcopy(doc.data)
    marks: dict[Path, Where] = dict(doc.marks)
    origin: dict[Path, Path] = {path: path for path in doc.marks}
    rules_removed = False
    for _ in range(_MAX_ROUNDS):
        try:
            instance = model.model_validate(data)
        except ValidationError as error:
            targets = set()
            for detail in error.errors():
                target = _target(locate_path(detail, data, model), detail["type"], data)
                if target is None:
                    return None
                targets.add(target)
            # Deepest and last first, so earlier removals do not shift later ones.
            order = sorted(
                targets,
                key=lambda p: (len(p), [x if isinstance(x, int) else -1 for x in p]),
                reverse=True,
            )
            for target in order:
                if not _remove(data, marks, origin, target):
                    return None
                rules_removed |= target[0] == "calls" and "on" in target
            continue
        original = {
            render_path(now): render_path(then) for now, then in origin.items() if now != then
        }
        return Pruned(instance, Document(data, marks), original, rules_removed)
    return None
