"""One definition per record, three views of it: JSON Schema, release features and a check.

The dataclasses of ``builder.records`` are the definitions. From a record type this module
derives its JSON Schema (``schemas/*.json`` are written by ``scripts/write_schemas.py``), the
Hugging Face features of the release columns made from it, and a compiled check that a
record read back from disk (a dict, as ``json.loads`` gives it) has the fields and types its
readers rely on. Constraints beyond types ride on the annotations, ``Annotated[str, Meta(...)]``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

SCHEMA_URL = "https://claimset.dev/schemas/"


@dataclass(frozen=True)
class Meta:
    """JSON Schema constraints and a description for one annotated field."""

    description: str = ""
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    min_items: int | None = None
    unique: bool = False

    def schema(self) -> dict:
        keys = (
            ("description", self.description or None),
            ("pattern", self.pattern),
            ("minimum", self.minimum),
            ("maximum", self.maximum),
            ("minLength", self.min_length),
            ("minItems", self.min_items),
            ("uniqueItems", self.unique or None),
        )
        return {key: value for key, value in keys if value is not None}


Id = Annotated[str, Meta(pattern="^[0-9a-f]{16}$")]
Sha256 = Annotated[str, Meta(pattern="^sha256:[0-9a-f]{64}$")]
Count = Annotated[int, Meta(minimum=0)]
Text = Annotated[str, Meta(min_length=1)]
Ids = Annotated[list[Id], Meta(min_items=1, unique=True)]


def _hints(record: type) -> dict[str, Any]:
    return typing.get_type_hints(record, vars(sys.modules[record.__module__]), include_extras=True)


def _split(tp: Any) -> tuple[Any, list[Meta]]:
    """A type without its ``Annotated`` layers, and their Meta, outermost last."""
    metas: list[Meta] = []
    while typing.get_origin(tp) is Annotated:
        tp, *extras = typing.get_args(tp)
        metas = [m for m in extras if isinstance(m, Meta)] + metas
    return tp, metas


def _optional(tp: Any) -> tuple[Any, bool]:
    """``X | None`` as (X, True); any other type as (itself, False)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) < len(typing.get_args(tp)):
            return (args[0] if len(args) == 1 else typing.Union[tuple(args)]), True  # noqa: UP007
    return tp, False


def required(record: type) -> list[str]:
    """The fields a record on disk must have: those without a default."""
    return [
        f.name
        for f in dataclasses.fields(record)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]


# --- JSON Schema -----------------------------------------------------------------------------


def json_schema(record: type, title: str = "", description: str = "") -> dict:
    """The JSON Schema document of a record type, as written to ``schemas/``."""
    name = file_stem(record)
    body = _object_schema(record)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_URL}{name}.schema.json",
        "title": title or record.__name__,
        "description": description or _doc(record),
        **body,
    }


def _doc(record: type) -> str:
    doc = record.__doc__ or ""
    return "" if doc.startswith(record.__name__ + "(") else " ".join(doc.split())


def _object_schema(record: type) -> dict:
    hints = _hints(record)
    fields = dataclasses.fields(record)
    schema: dict = {"type": "object"}
    if not getattr(record, "open_record", False):
        schema["additionalProperties"] = False
    schema["required"] = required(record)
    schema["properties"] = {f.name: _type_schema(hints[f.name]) for f in fields}
    return schema


def _type_schema(tp: Any) -> dict:
    tp, metas = _split(tp)
    tp, nullable = _optional(tp)
    inner, inner_metas = _split(tp)
    metas = inner_metas + metas
    schema = _bare_schema(inner)
    extra: dict = {}
    for meta in metas:
        extra.update(meta.schema())
    description = extra.pop("description", None)
    if nullable:
        if set(schema) <= {"type"} and isinstance(schema.get("type"), str):
            schema = {"type": [schema["type"], "null"]}
        elif "enum" in schema:
            schema = {"enum": [*schema["enum"], None]}
        else:
            schema = {"anyOf": [{**schema, **extra}, {"type": "null"}]}
            extra = {}
    schema = {**schema, **extra}
    return {"description": description, **schema} if description else schema


def _bare_schema(tp: Any) -> dict:
    origin = typing.get_origin(tp)
    if tp is Any:
        return {}
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if origin is Literal:
        return {"enum": list(typing.get_args(tp))}
    if origin is list:
        (item,) = typing.get_args(tp)
        return {"type": "array", "items": _type_schema(item)}
    if origin is dict:
        _, value = typing.get_args(tp)
        return {"type": "object", "additionalProperties": _type_schema(value)}
    if dataclasses.is_dataclass(tp):
        return _object_schema(tp)
    raise TypeError(f"no JSON Schema for {tp!r}")


# --- the check of a record read back ---------------------------------------------------------


class Invalid(Exception):
    """A record that does not fit its type: ``where`` is the field's path, ``what`` the problem."""

    def __init__(self, what: str, where: tuple[str | int, ...] = ()) -> None:
        super().__init__(what)
        self.what, self.where = what, where

    def inside(self, key: str | int) -> Invalid:
        return Invalid(self.what, (key, *self.where))

    def message(self) -> str:
        path = ""
        for key in self.where:
            path += f"[{key}]" if isinstance(key, int) else (f".{key}" if path else key)
        return f"{path} {self.what}" if path else self.what.removeprefix("is ")


Check = Callable[[Any], None]


def check(record: type, value: object) -> None:
    """Raise ``Invalid`` unless ``value`` (a parsed JSON value) fits ``record``."""
    checker(record)(value)


@cache
def checker(record: type) -> Check:
    """The compiled check of a record type (built once per type)."""
    return _check_for(record)


_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _scalar(kind: type) -> Check:
    expected = (int, float) if kind is float else (kind,)
    name = _NAMES[kind]

    def check_scalar(value: object) -> None:
        if type(value) not in expected:
            raise Invalid(f"is not {name}")

    return check_scalar


def _check_for(tp: Any) -> Check:
    tp, _ = _split(tp)
    tp, nullable = _optional(tp)
    tp, _ = _split(tp)
    inner = _check_bare(tp)
    if not nullable:
        return inner

    def check_nullable(value: object) -> None:
        if value is not None:
            try:
                inner(value)
            except Invalid as error:
                raise Invalid(error.what + " or null", error.where) from None

    return check_nullable


def _check_bare(tp: Any) -> Check:
    origin = typing.get_origin(tp)
    if tp is Any:
        return lambda value: None
    if tp in _NAMES:
        return _scalar(tp)
    if origin is Literal:
        allowed = frozenset(typing.get_args(tp))
        shown = ", ".join(json.dumps(a) for a in typing.get_args(tp))

        def check_choice(value: object) -> None:
            if not isinstance(value, str | int | None) or value not in allowed:
                raise Invalid(f"is not one of {shown}")

        return check_choice
    if origin is list:
        item = _check_for(typing.get_args(tp)[0])

        def check_list(value: object) -> None:
            if type(value) is not list:
                raise Invalid("is not a list")
            for index, element in enumerate(value):
                try:
                    item(element)
                except Invalid as error:
                    raise error.inside(index) from None

        return check_list
    if origin is dict:
        entry = _check_for(typing.get_args(tp)[1])

        def check_mapping(value: object) -> None:
            if type(value) is not dict:
                raise Invalid("is not an object")
            for key, element in value.items():
                try:
                    entry(element)
                except Invalid as error:
                    raise error.inside(key) from None

        return check_mapping
    if dataclasses.is_dataclass(tp):
        return _check_record(tp)
    raise TypeError(f"no check for {tp!r}")


def _check_record(record: type) -> Check:
    hints = _hints(record)
    needed = set(required(record))
    fields = [(f.name, f.name in needed, _check_for(hints[f.name])) for f in dataclasses.fields(record)]

    def check_record(value: object) -> None:
        if type(value) is not dict:
            raise Invalid("is not a JSON object")
        for name, must, check_field in fields:
            if name in value:
                try:
                    check_field(value[name])
                except Invalid as error:
                    raise error.inside(name) from None
            elif must:
                raise Invalid("is missing", (name,))

    return check_record


# --- release features ------------------------------------------------------------------------


def features(tp: Any) -> Any:
    """The Hugging Face feature of a type: a record is a dict of its fields' features; integers
    are int32 and numbers float64 in releases."""
    from datasets import List, Value

    tp, _ = _split(tp)
    tp, _ = _optional(tp)
    tp, _ = _split(tp)
    origin = typing.get_origin(tp)
    simple = {str: "string", bool: "bool", int: "int32", float: "float64"}
    if tp in simple:
        return Value(simple[tp])
    if origin is Literal:
        return Value("string")
    if origin is list:
        return List(features(typing.get_args(tp)[0]))
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        return {f.name: features(hints[f.name]) for f in dataclasses.fields(tp)}
    raise TypeError(f"no release feature for {tp!r}")


def field_names(record: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(record))


# --- the schemas/ folder ---------------------------------------------------------------------


def file_stem(record: type) -> str:
    return getattr(record, "schema_name", record.__name__.lower())


def schema_documents(records: Iterable[tuple[type, str]]) -> dict[str, str]:
    """File name -> text of the schema of each (record type, title), as ``schemas/`` holds them."""
    documents = {}
    for record, title in records:
        document = json_schema(record, title=title)
        documents[f"{file_stem(record)}.schema.json"] = (
            json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        )
    return documents


def write_schemas(folder: Path, records: Iterable[tuple[type, str]]) -> list[str]:
    """Write the generated schemas into ``folder``; the names of those that changed."""
    changed = []
    for name, text in schema_documents(records).items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    return changed
