"""Safe YAML reading that remembers where every key and value was written.

Instructors' files are composed into YAML nodes (never constructed with arbitrary tags), then
turned into plain dicts, lists and scalars while recording, for each field path, the line and
column of its key and of its value, so that every later problem can point at the exact spot.

Scalars follow the YAML 1.2 core schema rather than PyYAML's YAML 1.1 one: ``on``, ``no`` and
``yes`` stay text (``on:`` is a step field and ``reply: no`` is something a caller says), dates
stay text, and only ``true``/``false`` are booleans (pydantic still accepts ``yes`` for a bool).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from simulator.errors import Problem, ScenarioError

Path = tuple[str | int, ...]
Pos = tuple[int, int]

# Standard tags we construct ourselves; anything else (python/object, !custom, binary, set) is
# refused, so a file can never make the loader build an object or run code.
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SCALAR_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL})
_KNOWN_TAGS = _SCALAR_TAGS | {_SEQ, _MAP}

# Billion-laughs guard: aliases can make a tiny file expand to millions of values.
MAX_VALUES = 50_000
MAX_DEPTH = 64

_INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_RE = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class _CoreResolver(yaml.resolver.Resolver):
    """The YAML 1.2 core schema: null, true/false, ints, floats; everything else is text."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}  # noqa: RUF012 - PyYAML reads it per class


_CoreResolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreResolver.add_implicit_resolver(_INT, _INT_RE, list("-+0123456789"))
_CoreResolver.add_implicit_resolver(_FLOAT, _FLOAT_RE, list("-+0123456789."))
_CoreResolver.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _PyComposer(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _CoreResolver,
):
    """Pure-Python composer: slower, but its error messages say the most."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _CoreResolver.__init__(self)


_FAST: Any = None
if yaml.__with_libyaml__:  # libyaml is optional: PyYAML falls back to pure Python without it

    class _CComposer(yaml.cyaml.CParser, _CoreResolver):  # type: ignore[name-defined, misc]
        """libyaml's parser with our resolver: about ten times faster on valid files."""

        def __init__(self, text: str) -> None:
            yaml.cyaml.CParser.__init__(self, text)  # type: ignore[attr-defined]
            _CoreResolver.__init__(self)

    _FAST = _CComposer


def _compose(text: str) -> yaml.Node | None:
    """Compose with libyaml when present (fast); re-read in Python to explain an error."""
    if _FAST is not None:
        try:
            node: yaml.Node | None = _FAST(text).get_single_node()
            return node
        except yaml.MarkedYAMLError as error:
            if "nesting depth" in str(error.problem):  # Python would only recurse to a crash
                raise
        except yaml.YAMLError:
            pass
    return _PyComposer(text).get_single_node()


@dataclass(frozen=True, slots=True)
class Where:
    """Where a field was written: its key (None for list items and the root) and its value."""

    key: Pos | None
    value: Pos
    text: str | None = None  # the scalar as written, e.g. '0123' for a value read as 123


@dataclass(frozen=True, slots=True)
class Document:
    """A YAML file read into plain values, with the position of every field path."""

    data: Any
    marks: dict[Path, Where]

    def position(self, path: Path, *, of_key: bool = False) -> Pos:
        """Position of a path, or of its nearest written ancestor (e.g. for a missing field)."""
        while path not in self.marks and path:
            path = path[:-1]
        where = self.marks.get(path)
        if where is None:
            return (1, 1)
        if of_key and where.key is not None:
            return where.key
        return where.value


def _pos(mark: yaml.Mark) -> Pos:
    return (mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a node graph into plain values, collecting problems instead of stopping."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.marks: dict[Path, Where] = {}
        self.problems: list[Problem] = []
        self.count = 0

    def problem(self, pos: Pos, path: Path, it: str, en: str) -> None:
        self.problems.append(Problem(self.file, pos[0], pos[1], render_path(path), it, en))

    def build(self, node: yaml.Node, path: Path, key: Pos | None, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES or depth > MAX_DEPTH:
            raise _TooBig
        pos = _pos(node.start_mark)
        text = node.value if isinstance(node, yaml.ScalarNode) else None
        self.marks[path] = Where(key, pos, text)
        if node.tag not in _KNOWN_TAGS:
            self.problem(
                pos,
                path,
                f"tag YAML non ammesso '{_short_tag(node.tag)}': togli il tag e scrivi il valore",
                f"YAML tag not allowed '{_short_tag(node.tag)}': remove the tag, write the value",
            )
            return None
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [
                self.build(item, (*path, index), None, depth + 1)
                for index, item in enumerate(node.value)
            ]
        if isinstance(node, yaml.ScalarNode) and node.tag in _SCALAR_TAGS:
            return self._scalar(node, path, pos)
        self.problem(
            pos,
            path,
            f"il tag '{_short_tag(node.tag)}' non si applica a questo valore",
            f"tag '{_short_tag(node.tag)}' does not fit this value",
        )
        return None

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_pos = _pos(key_node.start_mark)
            if key_node.tag not in _SCALAR_TAGS and isinstance(key_node, yaml.ScalarNode):
                self.build(key_node, path, key_pos, depth + 1)  # reports the refused tag
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(
                    key_pos,
                    path,
                    "una chiave deve essere un semplice testo, non un elenco o una mappa",
                    "a key must be plain text, not a list or a mapping",
                )
                continue
            # Keys are always text as written: 'on:' must not become the boolean True.
            key = str(key_node.value)
            if key == "<<":
                self.problem(
                    key_pos,
                    (*path, key),
                    "le chiavi di unione '<<' non sono supportate: ripeti i campi",
                    "merge keys '<<' are not supported: repeat the fields",
                )
                continue
            if key in result:
                first = self.marks[(*path, key)].key or key_pos
                self.problem(
                    key_pos,
                    (*path, key),
                    f"chiave ripetuta '{key}' (già alla riga {first[0]}): tienine una sola",
                    f"duplicate key '{key}' (already on line {first[0]}): keep only one",
                )
                continue
            result[key] = self.build(value_node, (*path, key), key_pos, depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode, path: Path, pos: Pos) -> Any:
        value = str(node.value)
        try:
            if node.tag == _STR:
                return value
            if node.tag == _NULL:
                return None
            if node.tag == _BOOL:
                if value.lower() not in ("true", "false"):
                    raise ValueError(value)
                return value.lower() == "true"
            if node.tag == _INT:
                return _to_int(value)
            return float(value.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf"))
        except ValueError:
            kind = _short_tag(node.tag)
            self.problem(
                pos,
                path,
                f"'{value[:40]}' non è un valore valido per {kind}",
                f"'{value[:40]}' is not a valid {kind} value",
            )
            return None


class _TooBig(Exception):
    """The document expands beyond what a scenario can need (alias bomb or absurd nesting)."""


def _to_int(text: str) -> int:
    cleaned = text.replace("_", "")
    if cleaned.startswith(("0o", "0x")):
        return int(cleaned[2:], 8 if cleaned[1] == "o" else 16)
    return int(cleaned)  # ValueError beyond Python's 4300-digit limit too


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag


def render_path(path: Path) -> str:
    """Render ('calls', 0, 'steps', 'a') as 'calls[0].steps.a', as instructors read it."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(f".{part}" if parts else part)
    return "".join(parts)


def decode(raw: bytes, file: str) -> str:
    """Decode a file's bytes as UTF-8 (BOM allowed), or say where it stops being text."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise ScenarioError(
            [
                Problem(
                    file,
                    line,
                    column,
                    "",
                    "il file non è testo UTF-8 (forse binario, o salvato in un'altra codifica):"
                    " salvalo come UTF-8",
                    "the file is not UTF-8 text (binary, or saved in another encoding):"
                    " save it as UTF-8",
                )
            ]
        ) from None


def parse(text: str, file: str) -> Document:
    """Read YAML text into a ``Document``; raise ``ScenarioError`` with every problem found."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate, from a badly decoded upload
        line, column = _offset_to_pos(text, error.start)
        raise ScenarioError(
            [Problem(file, line, column, "", "carattere non valido", "invalid character")]
        ) from None
    try:
        node = _compose(text)
    except yaml.reader.ReaderError as error:
        line, column = _offset_to_pos(text, error.position)
        raise ScenarioError(
            [
                Problem(
                    file,
                    line,
                    column,
                    "",
                    f"carattere non ammesso {error.character!r}: il file contiene caratteri di"
                    " controllo o è binario",
                    f"unacceptable character {error.character!r}: control characters or binary",
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as error:
        raise ScenarioError([_syntax_problem(error, text, file)]) from None
    except (yaml.YAMLError, RecursionError):
        raise ScenarioError(
            [Problem(file, 1, 1, "", "YAML non leggibile", "unreadable YAML")]
        ) from None
    if node is None:
        raise ScenarioError(
            [
                Problem(
                    file,
                    1,
                    1,
                    "",
                    "il file è vuoto: serve una mappa 'chiave: valore', es. 'id: ...'",
                    "the file is empty: a 'key: value' mapping is needed, e.g. 'id: ...'",
                )
            ]
        )
    builder = _Builder(file)
    try:
        data = builder.build(node, (), None, 0)
    except (_TooBig, RecursionError):
        raise ScenarioError(
            [
                Problem(
                    file,
                    1,
                    1,
                    "",
                    "documento troppo grande o troppo annidato (alias ripetuti?)",
                    "document too large or too deeply nested (repeated aliases?)",
                )
            ]
        ) from None
    if builder.problems:
        raise ScenarioError(builder.problems)
    if not isinstance(data, dict):
        line, column = _pos(node.start_mark)
        raise ScenarioError(
            [
                Problem(
                    file,
                    line,
                    column,
                    "",
                    "il file deve essere una mappa 'chiave: valore' (es. 'id: ...'),"
                    f" non {describe_it(data)}",
                    f"the file must be a 'key: value' mapping (e.g. 'id: ...'),"
                    f" not {describe_en(data)}",
                )
            ]
        )
    return Document(data, builder.marks)


def _offset_to_pos(text: str, offset: int) -> Pos:
    before = text[:offset]
    return (before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)


# (fragment of PyYAML's English problem, Italian explanation with the usual fix)
_SYNTAX_HINTS: tuple[tuple[str, str], ...] = (
    ("'\\t'", "tabulazione: YAML vuole spazi per rientrare le righe, non tab"),
    ("tab character", "tabulazione: YAML vuole spazi per rientrare le righe, non tab"),
    (
        "mapping values are not allowed",
        "':' inatteso: metti il testo tra virgolette o manda a capo il valore",
    ),
    ("could not find expected ':'", "manca ':' dopo la chiave, o il testo va tra virgolette"),
    ("expected <block end>", "rientro non coerente: allinea la riga con le sue sorelle"),
    ("did not find expected key", "rientro non coerente: allinea la riga con le sue sorelle"),
    ("expected '-' indicator", "rientro non coerente: allinea la voce dell'elenco"),
    ("found unexpected end of stream", "fine del file inattesa: virgolette non chiuse?"),
    ("expected ',' or ']'", "parentesi quadra non chiusa: manca ']' o ','"),
    ("expected ',' or '}'", "parentesi graffa non chiusa: manca '}' o ','"),
    ("undefined alias", "alias '*' senza un'ancora '&' corrispondente"),
    ("another document", "un solo documento per file: togli la riga '---'"),
    (
        "cannot start any token",
        "carattere non ammesso a inizio valore: metti il testo tra virgolette",
    ),
    ("found unknown escape character", "sequenza '\\' non valida tra virgolette doppie"),
    ("unhashable", "chiave non valida"),
    ("nesting depth", "troppi livelli annidati: semplifica la struttura"),
)


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    english = " ".join(part for part in (error.context, error.problem) if part)
    italian = "errore di sintassi YAML"
    for fragment, explanation in _SYNTAX_HINTS:
        if fragment in english:
            italian = explanation
            break
    lines = text.splitlines()
    if italian == "errore di sintassi YAML" and 0 < line <= len(lines) and "\t" in lines[line - 1]:
        italian = _SYNTAX_HINTS[0][1]
    return Problem(file, line, column, "", f"{italian} (YAML: {english})", english)


def describe_it(value: Any) -> str:
    """Name a found value for an Italian message: 'un elenco', "'venti'", 'il numero 3'."""
    if value is None:
        return "un valore vuoto"
    if isinstance(value, bool):
        return "vero" if value else "falso"
    if isinstance(value, (int, float)):
        return f"il numero {_clip(value)}"
    if isinstance(value, str):
        return f"'{_clip(value)}'"
    if isinstance(value, list):
        return "un elenco"
    if isinstance(value, dict):
        return "una mappa 'chiave: valore'"
    return "un valore"


def describe_en(value: Any) -> str:
    """Name a found value for an English message."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {_clip(value)}"
    if isinstance(value, str):
        return f"'{_clip(value)}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a 'key: value' mapping"
    return "a value"


def _clip(value: object) -> str:
    text = repr(value) if isinstance(value, float) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
