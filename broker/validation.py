"""Pydantic's validation errors in the service's words: where (a field path) and what to fix.

Models declare the shape of input (the match request, interchange records); their validators
raise the few error kinds below, and each feature words every error for its own readers from
`problems()`. Nothing here knows Flask or the database.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from broker.taxonomy import Term, Vocabulary

#: Error kinds the validators raise (pydantic's own kinds, e.g. "missing", pass through as they are).
NOT_TEXT = "not_text"
UNKNOWN_TERM = "unknown_term"
#: An error found by a whole-object check about one of its fields: ctx["at"] is the field's path
#: below the object, ctx["message"] the message.
PROBLEM_AT = "problem_at"

Loc = tuple[int | str, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with some input: where (a field path, "" for the whole) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def path_of(loc: Iterable[int | str]) -> str:
    """Return a location as users write it: needs[1].category."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def describe(value: Any) -> str:
    """Say what kind of JSON value `value` is, for "expected ..., got ..." messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def problem_at(at: str, message: str) -> PydanticCustomError:
    """Return the error a whole-object check raises about its field `at` (e.g. "listings[1].title")."""
    return PydanticCustomError(PROBLEM_AT, "{at}: {message}", {"at": at, "message": message})


def lookup(vocabulary: Vocabulary, value: Any) -> Term:
    """Return the term `value` names (slug or label, any case); raise a pydantic error if none."""
    if not isinstance(value, str):
        raise PydanticCustomError(
            NOT_TEXT, "expected text", {"kind": describe(value), "vocabulary": vocabulary.name}
        )
    term = vocabulary.get(value)
    if term is None:
        raise PydanticCustomError(
            UNKNOWN_TERM,
            "{value} is not a known {vocabulary}",
            {"value": value, "vocabulary": vocabulary.name},
        )
    return term


def where(error: ErrorDetails) -> Loc:
    """Return an error's location, with a whole-object check's field path appended."""
    loc = tuple(error["loc"])
    if error["type"] == PROBLEM_AT:
        return loc + _parse_path(str(error.get("ctx", {}).get("at", "")))
    return loc


def _parse_path(path: str) -> Loc:
    out: list[int | str] = []
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            out.append(int(part.strip("[]")))
        elif part:
            out.append(part)
    return tuple(out)


def problems(exc: ValidationError, word: Callable[[ErrorDetails, Loc], Problem]) -> list[Problem]:
    """Return every error of `exc`, worded by `word(error, location)`."""
    return [word(error, where(error)) for error in exc.errors(include_url=False)]


def keys_at(model: type[BaseModel], loc: Sequence[int | str]) -> tuple[str, ...]:
    """Return the keys the object at `loc` below `model` takes (for "allowed: ..." messages)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or name: f for name, f in current.model_fields.items()}
            field = fields.get(part)
            current = field.annotation if field else None
        else:
            return ()
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return tuple(f.alias or name for name, f in current.model_fields.items())
    return ()


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional from a type annotation."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation
