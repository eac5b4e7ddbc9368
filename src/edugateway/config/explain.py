"""Configuration problems in plain words.

pydantic reports where in the merged input a value failed and why, in its own terms (and with links to its
site). `explain` turns each of its errors into one line a person can act on: where the value was written
(gateway.toml:LINE, or the EDUGATEWAY_* variable that gave it), the dotted key, what is wrong and what to write:

    gateway.toml:37: platforms.dnevnik.kind: expected one of dnevnik, ecp, esia; write e.g. kind = "dnevnik"

Keys are named as in the file; an element of an array of tables is named by its `name` (jobs) or `code`
(schools), else by its position (jobs#2 is the second [[jobs]] block). What was written under a key that may hold a
secret (a SecretRef or SecretStr, or a field marked with SECRET, like a database URL with its password) is never
repeated: the line says what is expected there, not what was found.
"""

from __future__ import annotations

import difflib
import enum
import json
import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic import ValidationError as PydanticValidationError
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticUndefined

from edugateway.config.toml_lines import KeyPath, key_lines, line_of

# json_schema_extra of a field whose value may carry a secret though its type is a plain str (a database URL).
SECRET: JsonDict = {"secret": True}
_NOT_SHOWN = "(what was written is not shown: it may be a secret)"

# The error types that mean "a value of the wrong type": answered with the type expected and an example.
_WRONG_TYPE = frozenset(
    {"int_from_float", "literal_error", "enum", "model_type", "model_attributes_type", "is_instance_of"}
)
_WRONG_TYPE_SUFFIXES = ("_type", "_parsing")

# Examples to write where neither a default nor the type suggests a good one.
_EXAMPLES: dict[str, str] = {
    "name": '"nightly-sync"',
    "cron": '"30 1 * * *"',
    "code": '"sch125"',
    "schools": '["*"]',
    "entities": '["persons", "classes"]',
    "timezone": '"Asia/Yekaterinburg"',
    "database_url": '"sqlite:///var/edugateway.sqlite3"',
    "sender_mnemonic": '"EDUGW01"',
    "login": '"school125-integration"',
    "client_id": '"00000000000000000000000000000000"',
    "esia_platform": '"esia"',
}
_BASE_URLS = {
    "dnevnik": "https://api.dnevnik.ru/v2/",
    "ecp": "https://dnevnik.egov66.ru/api",
    "esia": "http://smev-adapter.local:7575/ws",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong, at a key path as the file writes it (keys, and indexes into arrays of tables)."""

    path: KeyPath
    message: str  # what is wrong (and what to do, when `example` is None)
    example: str | None = None  # a value to write there, as TOML writes it (see `_fix`)


@dataclass(frozen=True)
class Sources:
    """Where the values came from, to say where each problem is written."""

    file: Path | None = None
    text: str | None = None  # the file's text
    environ: Mapping[str, str] = field(default_factory=dict)
    env_prefix: str = "EDUGATEWAY_"
    env_delimiter: str = "__"
    overrides: frozenset[str] = frozenset()  # top-level keys given as arguments (command-line options)


def explain(error: PydanticValidationError, model: type[BaseModel], sources: Sources) -> list[str]:
    """One line per problem of `error` (raised validating `model`), each naming where, the key and the fix."""
    document = _parse(sources.text)
    problems: list[Problem] = []
    seen: set[KeyPath] = set()
    for details in error.errors(include_url=False):
        for problem in _problems(details, model, document):
            if problem.path in seen and _is_type_error(details):
                continue  # a union reports one error per member; the first says what to write
            seen.add(problem.path)
            problems.append(problem)
    positions = key_lines(sources.text) if sources.text is not None else {}
    located = [(_where(p.path, positions, sources), p) for p in problems]
    located.sort(key=lambda pair: pair[0].line or 0)  # in the order of the file's lines; the environment's first
    return [f"{where.prefix}{_dotted(p.path, document)}: {p.message}{_fix(p, where.variable)}" for where, p in located]


def toml_syntax_problem(exc: ValueError, sources: Sources) -> str:
    """A TOML syntax error as `file:LINE: …`; tomllib puts the position at the end of its message."""
    text = str(exc)
    line = ""
    head, marker, tail = text.rpartition(" (at line ")
    if marker:
        text, line = head, tail.split(",", 1)[0].rstrip(")")
    where = f"{sources.file}:{line}: " if line.isdigit() else f"{sources.file}: "
    return (
        f"{where}not valid TOML: {text[:1].lower()}{text[1:]}; check the quotes, brackets and `key = value` form "
        "of that line (strings in double quotes, tables as [name])"
    )


# --- from pydantic's error to problems --------------------------------------------------------------------------


@dataclass
class _Place:
    """Where an error's location ends in the models: the key path as written, and what is expected there."""

    path: KeyPath
    owner: type[BaseModel] | None = None  # the model whose key ends the path
    field: FieldInfo | None = None
    expected: Any = None  # the type expected at the end of the location (None: unknown)
    variants: tuple[type[BaseModel], ...] = ()  # members of the last tagged union walked through
    variant: type[BaseModel] | None = None  # the member its `kind` chose
    in_table: bool = False  # the path ends at a key of a table (a dict) under `field`, not at `field` itself
    key_type: Any = None  # set when the error is about that key's name (pydantic's `[key]` location)


def _problems(details: ErrorDetails, model: type[BaseModel], document: Mapping[str, Any]) -> list[Problem]:
    kind = details["type"]
    ctx: Mapping[str, Any] = details.get("ctx") or {}
    if kind == "config_reference":  # Settings' own check of names that refer to other entries
        return [p for p in ctx.get("problems", ()) if isinstance(p, Problem)]
    place = _walk(model, details["loc"])
    if place.key_type is not None:  # a table's key that is not one of the names it takes
        name = place.path[-1] if place.path else "?"
        return [Problem(place.path, f"{name!r} is not a name this table takes; use {_describe(place.key_type)}")]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return [_kind_problem(place, ctx, details.get("input"))]
    if kind == "missing":
        return [Problem(place.path, f"required{_for_variant(place)} and not set", _example(place, document))]
    if kind == "extra_forbidden":
        return [Problem(place.path, _extra_message(place))]
    secret = _is_secret(place)
    got = f" {_NOT_SHOWN}" if secret else f", got {_render_input(details.get('input'))}"
    if _is_type_error(details):
        if secret and isinstance(details.get("input"), str) and _is_secret_ref(place.expected):
            message = (
                f"a secret itself is never written in the configuration {_NOT_SHOWN}; put it in an environment "
                "variable or a file and name that here"
            )
            return [Problem(place.path, message, _example(place, document))]
        expected = _describe(place.expected)
        return [Problem(place.path, f"expected {expected}{got}", _example(place, document))]
    message = details["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("value_error", "assertion_error"):
        return [Problem(place.path, message)]
    for subject in ("Input ", "String ", "List ", "Dictionary ", "Value "):
        if message.startswith(subject + "should"):
            message = message.removeprefix(subject)
            break
    return [Problem(place.path, f"{message[:1].lower()}{message[1:]}{got}", _example(place, document))]


def _is_secret(place: _Place) -> bool:
    """Whether the value at `place` may be a secret: its field is marked SECRET, or its type admits one."""
    info = place.field
    if info is None:
        return False
    extra = info.json_schema_extra
    return (isinstance(extra, dict) and extra.get("secret") is True) or _admits_secret(info.annotation)


def _admits_secret(annotation: Any) -> bool:
    if annotation is SecretStr or _is_secret_ref(annotation):
        return True
    return any(_admits_secret(a) for a in get_args(annotation))


def _is_secret_ref(annotation: Any) -> bool:
    """A SecretRef (config/settings.py), known by its fields: this module must not import the settings."""
    return (
        isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
        and set(annotation.model_fields)
        == {
            "env",
            "file",
        }
    )


def _is_type_error(details: ErrorDetails) -> bool:
    return details["type"] in _WRONG_TYPE or details["type"].endswith(_WRONG_TYPE_SUFFIXES)


def _walk(model: type[BaseModel], loc: Sequence[str | int]) -> _Place:
    """Follows `loc` through the models' types; drops the tags pydantic inserts for unions."""
    place = _Place(path=())
    current: Any = model
    key_type: Any = None
    for element in loc:
        if element == "[key]":  # pydantic's mark of an error in the key just walked, not in its value
            place.key_type = key_type
            continue
        current = _without_none(current)
        members = _tagged_members(current)
        if members:
            place.variants = members
            place.variant = next((m for m in members if _kind_of(m) == str(element)), None)
            current = place.variant
            continue
        member = _union_member_named(current, element)
        if member is not None:
            current = member
            continue
        place.path = (*place.path, element)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(element, str):
            place.owner, place.field = current, current.model_fields.get(element)
            place.in_table = False
            current = place.field.annotation if place.field else None
            if place.field is not None and place.field.discriminator:
                current = Annotated[current, place.field]
        elif get_origin(current) is dict:
            key_type, current = get_args(current)
            place.in_table = True
        elif get_origin(current) in (list, tuple, set, frozenset):
            current = get_args(current)[0] if get_args(current) else None
        else:
            current = None
    place.expected = _without_none(current)
    if _tagged_members(place.expected):  # the location ends at a tagged union: its tag was wrong or missing
        place.variants = _tagged_members(place.expected)
    return place


def _without_none(annotation: Any) -> Any:
    """`X | None` -> X; unions of several types stay unions."""
    if _is_union(annotation):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _tagged_members(annotation: Any) -> tuple[type[BaseModel], ...]:
    """The models of a discriminated union (`Annotated[A | B, Field(discriminator="kind")]`), else ()."""
    if get_origin(annotation) is not Annotated:
        return ()
    inner, *metadata = get_args(annotation)
    if not any(getattr(m, "discriminator", None) for m in metadata):
        return ()
    return tuple(m for m in get_args(inner) if isinstance(m, type) and issubclass(m, BaseModel))


def _union_member_named(annotation: Any, element: str | int) -> Any:
    """The member of a plain union that pydantic named `element` in an error's location (e.g. 'str', 'SecretRef')."""
    if not _is_union(annotation) or not isinstance(element, str):
        return None
    for member in get_args(annotation):
        if element in (getattr(member, "__name__", None), str(member)):
            return member
    for member in get_args(annotation):  # a member that validates through a function is named inside brackets
        name = getattr(member, "__name__", None)
        if name and re.search(rf"\b{re.escape(name)}\b", element):
            return member
    return None


def _kind_of(model: type[BaseModel]) -> str:
    kind = model.model_fields["kind"].default if "kind" in model.model_fields else None
    return str(kind.value if isinstance(kind, enum.Enum) else kind)


def _noun(model: type[BaseModel]) -> str:
    return "job" if model.__name__.endswith("Job") else "platform"


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _for_variant(place: _Place) -> str:
    return f" for {_a(_kind_of(place.variant))} {_noun(place.variant)}" if place.variant is not None else ""


def _kind_problem(place: _Place, ctx: Mapping[str, Any], given: object) -> Problem:
    kinds = [_kind_of(m) for m in place.variants] or [str(ctx.get("expected_tags", ""))]
    noun = _noun(place.variants[0]) if place.variants else "entry"
    if "tag" in ctx:
        tag = str(ctx["tag"])
        suggestion = (difflib.get_close_matches(tag, kinds, n=1) or kinds)[0]
        message = f"expected one of {', '.join(kinds)}, got {json.dumps(tag, ensure_ascii=False)}"
        return Problem((*place.path, "kind"), message, f'"{suggestion}"')
    if isinstance(given, Mapping):
        message = f"not set; every {noun} says which kind it is"
    else:
        message = f"expected a table of {noun} settings with its kind, got {_render_input(given)}"
    named = str(place.path[-1]) if place.path else ""  # [platforms.esia] is most likely of kind esia
    suggestion = named if named in kinds else kinds[0]
    return Problem((*place.path, "kind"), message, f'"{suggestion}" (one of {", ".join(kinds)})')


def _extra_message(place: _Place) -> str:
    key = str(place.path[-1])
    if place.variant is not None:
        others = [_kind_of(m) for m in place.variants if m is not place.variant and key in m.model_fields]
        noun = _noun(place.variant)
        this = f"{_a(_kind_of(place.variant))} {noun}"
        note = getattr(place.variant, "scope_note", "")
        if others:
            belongs = f"it is a setting of {' and '.join(others)} {noun}s"
            return f"not a setting of {this} ({belongs}{'; ' + note if note else ''}); remove it, or change `kind`"
        known = [name for name in place.variant.model_fields if name != "kind"]
        return _unknown_key(key, known, f"{this} takes")
    known = list(place.owner.model_fields) if place.owner is not None else []
    return _unknown_key(key, known, "this table takes")


def _unknown_key(key: str, known: list[str], takes: str) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"unknown key; did you mean `{close[0]}`? (otherwise remove it)"
    return f"unknown key; remove it ({takes} {', '.join(known)})"


# --- what to write ----------------------------------------------------------------------------------------------


def _fix(problem: Problem, variable: str | None) -> str:
    """What to write: `key = example` in the file, `VARIABLE=example` in the environment."""
    if problem.example is None:
        return ""
    if variable is not None:
        value, _, note = problem.example.partition(" (")
        value = value[1:-1] if value.startswith('"') and value.endswith('"') else value
        return f"; set e.g. {variable}={value}" + (f" ({note}" if note else "")
    key = next((str(k) for k in reversed(problem.path) if isinstance(k, str)), "value")
    return f"; write e.g. {key} = {problem.example}"


def _example(place: _Place, document: Mapping[str, Any]) -> str:
    key = next((str(k) for k in reversed(place.path) if isinstance(k, str)), "value")
    if key == "base_url":
        return json.dumps(_BASE_URLS.get(_kind_of(place.variant) if place.variant else "", "https://…"))
    if key == "platform":
        names = sorted(document.get("platforms") or {}) if isinstance(document.get("platforms"), Mapping) else []
        return json.dumps(names[0] if names else "dnevnik", ensure_ascii=False) + " (a name from [platforms])"
    if key in _EXAMPLES:
        return _EXAMPLES[key]
    info = place.field
    if info is not None and not place.in_table:
        default = info.get_default(call_default_factory=True)
        plain = default is not None and default is not PydanticUndefined and not isinstance(default, BaseModel)
        if plain and default not in ({}, []):
            return _render(default)
        return _example_of_type(info.annotation)
    return _example_of_type(place.expected)


def _example_of_type(annotation: Any) -> str:
    annotation = _without_none(annotation)
    if _is_union(annotation):
        return _example_of_type(get_args(annotation)[-1])
    origin = get_origin(annotation)
    if origin is Literal:
        return _render(get_args(annotation)[0])
    if origin in (list, tuple, set, frozenset):
        return f"[{_example_of_type(get_args(annotation)[0])}]"
    if origin is dict:
        return '{ name = "…" }'
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return "true"
        if issubclass(annotation, enum.Enum):
            return _render(next(iter(annotation)))
        if issubclass(annotation, int):
            return "1"
        if issubclass(annotation, float):
            return "1.0"
        if issubclass(annotation, Path):
            return '"/path/to/file"'
        if issubclass(annotation, BaseModel):
            if set(annotation.model_fields) == {"env", "file"}:  # a SecretRef
                return '{ env = "VARIABLE" } or { file = "/run/secrets/name" }'
            return "{ … } (a table)"
    return '"…"'


def _describe(annotation: Any) -> str:
    """The expected type in words."""
    annotation = _without_none(annotation)
    if _is_union(annotation):
        return " or ".join(_describe(a) for a in get_args(annotation) if a is not type(None))
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(str(_plain(v)) for v in get_args(annotation))
    if origin in (list, tuple, set, frozenset):
        return f"a list of {_describe(get_args(annotation)[0]).removeprefix('a ').removeprefix('an ')}s"
    if origin is dict:
        return "a table"
    if annotation is SecretStr:
        return "a text in quotes"
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return "true or false"
        if issubclass(annotation, enum.Enum):
            return "one of " + ", ".join(str(m.value) for m in annotation)
        if issubclass(annotation, int):
            return "a whole number"
        if issubclass(annotation, float):
            return "a number"
        if issubclass(annotation, Path):
            return "a file path in quotes"
        if issubclass(annotation, str):
            return "a text in quotes"
        if issubclass(annotation, BaseModel):
            if set(annotation.model_fields) == {"env", "file"}:
                return 'a table naming where the secret is, { env = "VARIABLE" } or { file = "/path" }'
            return "a table"
    return "another value"


def _plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def _render(value: object) -> str:
    """A value as TOML writes it."""
    value = _plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_render(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _render_input(value: object) -> str:
    if isinstance(value, Mapping):
        return "a table"
    text = _render(value)
    return text if len(text) <= 60 else text[:57] + "…"


# --- where ------------------------------------------------------------------------------------------------------


def _parse(text: str | None) -> Mapping[str, Any]:
    import tomllib

    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _dotted(path: KeyPath, document: Mapping[str, Any]) -> str:
    """The key as a person reads it: platforms.dnevnik.kind, jobs.nightly-sync.platform, jobs#2.cron."""
    parts: list[str] = []
    node: Any = document
    for element in path:
        if isinstance(element, int):
            item = node[element] if isinstance(node, list) and element < len(node) else None
            label = item.get("name") or item.get("code") if isinstance(item, Mapping) else None
            if isinstance(label, str) and label:
                parts.append(label)
            elif parts:
                parts[-1] = f"{parts[-1]}#{element + 1}"
            node = item
        else:
            parts.append(element)
            node = node.get(element) if isinstance(node, Mapping) else None
    return ".".join(parts) if parts else "(the configuration)"


@dataclass(frozen=True)
class _Where:
    prefix: str  # `file:LINE: `, `VARIABLE: `, `file: ` or ``
    line: int | None = None
    variable: str | None = None


def _where(path: KeyPath, positions: Mapping[KeyPath, int], sources: Sources) -> _Where:
    """The file and line, or the variable when the environment gave the value, or the file alone."""
    if path and path[0] in sources.overrides:
        return _Where("command line: ")
    in_file = line_of(dict(positions), path)
    file_depth = in_file[1] if in_file else 0
    variable = _variable(path, sources, file_depth)
    if variable is not None:
        exact = variable.upper() == _variable_name(path, sources)
        return _Where(f"{variable}: ", variable=variable if exact else None)
    if in_file is not None:
        return _Where(f"{sources.file}:{in_file[0]}: ", line=in_file[0])
    return _Where(f"{sources.file}: " if sources.file is not None else "")


def _variable_name(path: KeyPath, sources: Sources) -> str:
    return (sources.env_prefix + sources.env_delimiter.join(str(p) for p in path)).upper()


def _variable(path: KeyPath, sources: Sources, file_depth: int) -> str | None:
    """The EDUGATEWAY_* variable that gave the value at `path` (or the deepest part of it the file lacks)."""
    names = {name.upper(): name for name in sources.environ if name.upper().startswith(sources.env_prefix.upper())}
    for end in range(len(path), 0, -1):
        prefix = path[:end]
        if not all(isinstance(p, str) for p in prefix):
            continue
        name = _variable_name(prefix, sources)
        if name in names and end >= file_depth:  # the environment overrides the file
            return names[name]
        nested = sorted(n for n in names if n.startswith(name + sources.env_delimiter.upper()))
        if nested and end > file_depth:  # a table the file does not have, given by variables
            return names[nested[0]]
    return None
