"""Pydantic's validation errors, retold for an instructor: where, what, and how to fix it.

Every pydantic error becomes a ``Problem`` placed on the offending key (unknown keys), value
(wrong values) or parent mapping (missing keys), with an Italian and an English message that
names the fix: the closest allowed key or value, the expected form, or the quoting to add.
Errors from the branches of a union (``reply: str | list[str]``) are reduced to the branch the
instructor evidently meant, or merged into one "expected a text or a list" message.
"""

from __future__ import annotations

import re
import types
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError
from rapidfuzz import fuzz, process

from simulator.errors import Problem
from simulator.model import RA_IDS
from simulator.yaml_source import Document, Path, describe_en, describe_it, render_path

_MISSING = object()

# The error type of ``bilingual_error``: a model validator's own message, in both languages.
CUSTOM_ERROR = "centralino"


def bilingual_error(it: str, en: str) -> PydanticCustomError:
    """An error a model validator raises so the loader shows ``it``/``en`` as they are."""
    return PydanticCustomError(CUSTOM_ERROR, "{it} / {en}", {"it": it, "en": en})


def suggest(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The closest allowed name to a misspelt one, if any is close enough to be a likely fix."""
    if not choices or not word:
        return None
    found = process.extractOne(
        word, sorted(choices), scorer=fuzz.ratio, processor=str.lower, score_cutoff=70
    )
    return None if found is None else str(found[0])


def did_you_mean(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> tuple[str, str]:
    """': forse 'x'?' / ': did you mean 'x'?', or the list of allowed values when none is close."""
    if not choices:
        return ": nessuno disponibile", ": none available"
    best = suggest(word, choices)
    if best is not None:
        return f": forse '{best}'?", f": did you mean '{best}'?"
    listed = ", ".join(sorted(choices)[:20])
    return f": ammessi {listed}", f": allowed {listed}"


@dataclass
class _Item:
    """One pydantic error, located in the data and in the model's types."""

    error: ErrorDetails
    path: Path
    kind: Any  # the annotation at the error's location (for literal and enum values)
    parent: Any  # the annotation holding the last path element (for unknown keys)
    on_key: bool = False
    branches: list[tuple[Path, str, bool]] = field(default_factory=list)  # (where, tag, at end)


def _unwrap(kind: Any) -> Any:
    while get_origin(kind) is Annotated:
        kind = get_args(kind)[0]
    return kind


def _is_union(kind: Any) -> bool:
    return get_origin(kind) in (Union, types.UnionType)


def _tag_name(kind: Any) -> str:
    kind = _unwrap(kind)
    origin = get_origin(kind)
    if origin is not None and not _is_union(kind):
        inner = ", ".join(_tag_name(arg) for arg in get_args(kind))
        return f"{origin.__name__}[{inner}]"
    return str(getattr(kind, "__name__", kind))


def _union_member(kind: Any, tag: object) -> Any:
    """The member of a union that pydantic names ``tag`` (type name or discriminator value)."""
    if not isinstance(tag, str):
        return _MISSING
    for member in get_args(kind):
        member = _unwrap(member)
        if _tag_name(member) == tag:
            return member
        if isinstance(member, type) and issubclass(member, BaseModel):
            discriminator = member.model_fields.get("kind")
            if discriminator is not None and tag in get_args(discriminator.annotation):
                return member
    return _MISSING


def _descend(kind: Any, element: str | int) -> Any:
    kind = _unwrap(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        found = kind.model_fields.get(str(element))
        return None if found is None else found.annotation
    origin = get_origin(kind)
    if _is_union(kind):
        for member in get_args(kind):
            if member is not type(None):
                result = _descend(member, element)
                if result is not None:
                    return result
        return None
    if origin is list and isinstance(element, int):
        return get_args(kind)[0]
    if origin is dict:
        key_kind, value_kind = get_args(kind)
        return key_kind if element == "[key]" else value_kind
    return None


def _child(data: Any, element: str | int) -> Any:
    if isinstance(data, dict):
        return data.get(element, _MISSING)
    if isinstance(data, list) and isinstance(element, int) and 0 <= element < len(data):
        return data[element]
    return _MISSING


def _locate(error: ErrorDetails, data: Any, model: type[BaseModel]) -> _Item:
    """Walk the error's location through the data and the model's types at the same time."""
    path: list[str | int] = []
    kind: Any = model
    parent: Any = None
    item = _Item(error, (), None, None)
    loc = error["loc"]
    for index, element in enumerate(loc):
        if _is_union(_unwrap(kind)):
            member = _union_member(_unwrap(kind), element)
            if member is not _MISSING:
                item.branches.append((tuple(path), str(element), index == len(loc) - 1))
                kind = member
                continue
        if element == "[key]":
            item.on_key = True
            kind = _descend(kind, element)
            continue
        parent = kind
        kind = _descend(kind, element)
        path.append(element)
        data = _child(data, element)
    item.path, item.kind, item.parent = tuple(path), _unwrap(kind), _unwrap(parent)
    return item


def locate_path(error: ErrorDetails, data: Any, model: type[BaseModel]) -> Path:
    """Where in the data (keys and indices, no union tags) a pydantic error lies."""
    return _locate(error, data, model).path


def _resolve(items: list[_Item], depth: int = 0) -> list[_Item | list[_Item]]:
    """Keep the union branch the instructor meant; merge branches that all reject the shape."""
    result: list[_Item | list[_Item]] = [i for i in items if len(i.branches) <= depth]
    points: dict[Path, dict[str, list[_Item]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        if len(item.branches) > depth:
            where, tag, _ = item.branches[depth]
            points[where][tag].append(item)
    for by_tag in points.values():
        deep = {
            tag: group
            for tag, group in by_tag.items()
            if not all(item.branches[depth][2] for item in group)
        }
        if not deep:
            result.append([group[0] for group in by_tag.values()])
            continue
        best = min(deep.values(), key=len)
        result.extend(_resolve(best, depth + 1))
    return result


def validation_problems(
    error: ValidationError, doc: Document, model: type[BaseModel], file: str
) -> list[Problem]:
    """Translate every error of a failed ``model.model_validate(doc.data)`` into a Problem."""
    items = [_locate(detail, doc.data, model) for detail in error.errors()]
    problems = []
    for resolved in _resolve(items):
        if isinstance(resolved, list):
            problems.append(_merged(resolved, doc, file))
        else:
            problems.append(_problem(resolved, doc, file))
    return problems


# --------------------------------------------------------------------------- messages

_SHAPES = {
    "string_type": ("un testo", "a text"),
    "list_type": ("un elenco", "a list"),
    "dict_type": ("una mappa 'chiave: valore'", "a 'key: value' mapping"),
    "model_type": ("una mappa 'chiave: valore'", "a 'key: value' mapping"),
    "model_attributes_type": ("una mappa 'chiave: valore'", "a 'key: value' mapping"),
    "int_type": ("un numero intero", "a whole number"),
    "int_parsing": ("un numero intero", "a whole number"),
    "int_from_float": ("un numero intero", "a whole number"),
    "float_type": ("un numero", "a number"),
    "float_parsing": ("un numero", "a number"),
    "bool_type": ("true o false", "true or false"),
    "bool_parsing": ("true o false", "true or false"),
}

_PATTERNS = {
    r"^[a-z0-9][a-z0-9_.-]*$": (
        "un identificatore: minuscole, cifre, '-', '_' o '.', es. 'rossi-anna'",
        "an identifier: lower case, digits, '-', '_' or '.', e.g. 'rossi-anna'",
    ),
    r"^\d{2,5}$": ("un interno di 2-5 cifre, es. '214'", "an extension of 2-5 digits, e.g. '214'"),
    r"^\d{3,8}$": ("un codice di 3-8 cifre, es. '4821'", "a code of 3-8 digits, e.g. '4821'"),
}

_BOUNDS = {
    "greater_than": ("maggiore di", "greater than", "gt"),
    "greater_than_equal": ("almeno", "at least", "ge"),
    "less_than": ("minore di", "less than", "lt"),
    "less_than_equal": ("al massimo", "at most", "le"),
}


def _merged(branches: list[_Item], doc: Document, file: str) -> Problem:
    first = branches[0]
    shapes = [_SHAPES.get(item.error["type"], ("un valore", "a value")) for item in branches]
    it = " o ".join(dict.fromkeys(shape[0] for shape in shapes))
    en = " or ".join(dict.fromkeys(shape[1] for shape in shapes))
    found = first.error["input"]
    line, column = doc.position(first.path)
    return Problem(
        file,
        line,
        column,
        render_path(first.path),
        f"atteso {it}, trovato {describe_it(found)}",
        f"expected {en}, found {describe_en(found)}",
    )


def _allowed(kind: Any) -> list[str]:
    if get_origin(kind) is Literal:
        return [str(value) for value in get_args(kind)]
    if isinstance(kind, type) and issubclass(kind, Enum):
        return [str(member.value) for member in kind]
    return []


def _problem(item: _Item, doc: Document, file: str) -> Problem:
    error, path = item.error, item.path
    name = str(next((part for part in reversed(path) if isinstance(part, str)), ""))
    found = error["input"]
    kind = error["type"]
    position = doc.position(path, of_key=item.on_key)
    it, en = _messages(item, kind, name, found, doc)
    if kind == "missing":
        position = doc.position(path[:-1])
    elif kind == "extra_forbidden":
        position = doc.position(path, of_key=True)
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        path = (*path, "kind")
        position = doc.position(path)
    return Problem(file, position[0], position[1], render_path(path), it, en)


def _messages(item: _Item, kind: str, name: str, found: Any, doc: Document) -> tuple[str, str]:
    ctx = item.error.get("ctx", {})
    if kind == CUSTOM_ERROR:  # a model's own check, already worded in both languages
        return str(ctx.get("it", "")), str(ctx.get("en", ""))
    if kind == "missing":
        return (
            f"manca il campo obbligatorio '{name}': aggiungi '{name}: ...'",
            f"missing required field '{name}': add '{name}: ...'",
        )
    if kind == "extra_forbidden":
        fields = list(item.parent.model_fields) if _is_model(item.parent) else []
        fix_it, fix_en = did_you_mean(name, fields)
        return f"chiave sconosciuta '{name}'{fix_it}", f"unknown key '{name}'{fix_en}"
    if kind in ("literal_error", "enum"):
        allowed = _allowed(item.kind) or re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        fix_it, fix_en = did_you_mean(str(found), allowed)
        if item.on_key:
            return f"chiave sconosciuta '{found}'{fix_it}", f"unknown key '{found}'{fix_en}"
        if suggest(str(found), allowed) is not None:  # else the fix already lists them all
            fix_it += f" (ammessi: {', '.join(allowed)})"
            fix_en += f" (allowed: {', '.join(allowed)})"
        return (
            f"valore '{found}' non ammesso per '{name}'{fix_it}",
            f"value '{found}' not allowed for '{name}'{fix_en}",
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        listed = ", ".join(allowed)
        if kind == "union_tag_not_found":
            return (
                f"manca il campo obbligatorio 'kind': uno di {listed}",
                f"missing required field 'kind': one of {listed}",
            )
        tag = str(ctx.get("tag", ""))
        fix_it, fix_en = did_you_mean(tag, allowed)
        return (
            f"tipo '{tag}' sconosciuto{fix_it} (ammessi: {listed})",
            f"unknown kind '{tag}'{fix_en} (allowed: {listed})",
        )
    if kind in _SHAPES:
        return _shape_messages(item, kind, found, doc)
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        form_it, form_en = _PATTERNS.get(pattern, (f"la forma {pattern}", f"the form {pattern}"))
        hint = _slug(str(found)) if pattern.startswith("^[a-z0-9]") else None
        fix_it, fix_en = (f": forse '{hint}'?", f": did you mean '{hint}'?") if hint else ("", "")
        return (
            f"'{found}' non va bene per '{name}', serve {form_it}{fix_it}",
            f"'{found}' does not fit '{name}', expected {form_en}{fix_en}",
        )
    if kind in _BOUNDS:
        word_it, word_en, key = _BOUNDS[kind]
        limit = ctx.get(key)
        return (
            f"'{name}' deve essere {word_it} {limit}, trovato {describe_it(found)}",
            f"'{name}' must be {word_en} {limit}, found {describe_en(found)}",
        )
    if kind in ("too_short", "string_too_short"):
        least = ctx.get("min_length", 1)
        return (
            f"'{name}' non può essere vuoto: servono almeno {least} elementi",
            f"'{name}' cannot be empty: at least {least} items needed",
        )
    if kind in ("too_long", "string_too_long"):
        most = ctx.get("max_length")
        return (
            f"'{name}' è troppo lungo: al massimo {most}",
            f"'{name}' is too long: at most {most}",
        )
    if kind == "finite_number":
        return "serve un numero finito", "a finite number is needed"
    if kind == "value_error" and name == "ra":
        fix_it, fix_en = did_you_mean(str(found), RA_IDS)
        listed = ", ".join(RA_IDS)
        return (
            f"RA sconosciuto '{found}'{fix_it} (ammessi: {listed})",
            f"unknown RA '{found}'{fix_en} (allowed: {listed})",
        )
    message = str(item.error["msg"])
    return f"valore non valido per '{name}': {message}", f"invalid value for '{name}': {message}"


def _shape_messages(item: _Item, kind: str, found: Any, doc: Document) -> tuple[str, str]:
    want_it, want_en = _SHAPES[kind]
    where = doc.marks.get(item.path)
    written = where.text if where is not None else None
    found_it, found_en = describe_it(found), describe_en(found)
    if written is not None and isinstance(found, (int, float)) and not isinstance(found, bool):
        found_it, found_en = f"il numero {written}", f"the number {written}"  # 0971..., not 971...
    it = f"atteso {want_it}, trovato {found_it}"
    en = f"expected {want_en}, found {found_en}"
    if kind == "string_type" and written is not None and not isinstance(found, str):
        it += f': scrivilo tra virgolette, "{written}"'
        en += f': put it in quotes, "{written}"'
    elif kind == "list_type" and isinstance(found, (str, int, float)):
        it += f": scrivi [{found}] o una riga '- {found}'"
        en += f": write [{found}] or a line '- {found}'"
    return it, en


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _slug(text: str) -> str | None:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", text.strip().lower()).strip("-_.")
    return slug or None
