"""CKAN's Solr schema, read as the source of truth for field semantics.

The embedded backend does not keep its own list of fields: it reads the
``schema.xml`` that ships with CKAN (or any schema file given in config), so
that a field is a string, a text, a date or a number here exactly when it is
one in Solr, and ``copyField`` rules decide what the catch-all ``text`` field
gathers. Pure Python: no CKAN import, testable on its own.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import functools
import importlib.resources
import xml.etree.ElementTree as ET
from typing import Literal

Kind = Literal["string", "text", "ngram", "date", "int", "float", "bool"]

_SOLR_CLASS_KIND: dict[str, Kind] = {
    "solr.StrField": "string",
    "solr.BoolField": "bool",
    "solr.IntPointField": "int",
    "solr.LongPointField": "int",
    "solr.FloatPointField": "float",
    "solr.DoublePointField": "float",
    "solr.DatePointField": "date",
    "solr.TrieIntField": "int",
    "solr.TrieLongField": "int",
    "solr.TrieFloatField": "float",
    "solr.TrieDoubleField": "float",
    "solr.TrieDateField": "date",
}


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    indexed: bool = True
    stored: bool = True
    multi: bool = False


@dataclasses.dataclass
class Schema:
    fields: dict[str, Field]
    dynamic: list[tuple[str, Field]]  # (glob pattern, prototype), in order
    copy_fields: list[tuple[str, str]]  # (source glob, dest)

    def __post_init__(self) -> None:
        # every document repeats the same field names: resolve each once
        self.field = functools.lru_cache(maxsize=4096)(self._field)  # type: ignore[method-assign]
        self.copy_targets = functools.lru_cache(maxsize=4096)(  # type: ignore[method-assign]
            self._copy_targets
        )

    def _field(self, name: str) -> Field:
        """The field definition for ``name``, resolving dynamic fields the way
        Solr does: explicit fields first, then the longest matching pattern."""
        if name in self.fields:
            return self.fields[name]
        best: tuple[str, Field] | None = None
        for pattern, proto in self.dynamic:
            if fnmatch.fnmatchcase(name, pattern) and (
                best is None or len(pattern) > len(best[0])
            ):
                best = (pattern, proto)
        if best is None:
            return Field(name, "string", indexed=False, stored=False)
        return dataclasses.replace(best[1], name=name)

    def _copy_targets(self, name: str) -> tuple[str, ...]:
        return tuple(
            dest
            for source, dest in self.copy_fields
            if fnmatch.fnmatchcase(name, source)
        )


def _kind_of(field_type: ET.Element) -> Kind:
    cls = field_type.get("class", "")
    if cls in _SOLR_CLASS_KIND:
        return _SOLR_CLASS_KIND[cls]
    if cls == "solr.TextField":
        tokenizers = [
            t.get("class", "") for t in field_type.iter("tokenizer")
        ]
        if any("NGram" in t for t in tokenizers):
            return "ngram"
        return "text"
    return "string"


def _flag(elem: ET.Element, name: str, default: bool) -> bool:
    value = elem.get(name)
    return default if value is None else value.lower() == "true"


def parse_schema(xml_text: str | bytes) -> Schema:
    root = ET.fromstring(xml_text)
    types: dict[str, tuple[Kind, bool]] = {}
    for ft in root.iter("fieldType"):
        types[ft.get("name", "")] = (
            _kind_of(ft), _flag(ft, "multiValued", False)
        )

    def make(elem: ET.Element) -> Field:
        kind, multi = types.get(elem.get("type", ""), ("string", False))
        return Field(
            name=elem.get("name", ""),
            kind=kind,
            indexed=_flag(elem, "indexed", True),
            stored=_flag(elem, "stored", True),
            multi=_flag(elem, "multiValued", multi),
        )

    fields = {f.get("name", ""): make(f) for f in root.iter("field")}
    dynamic = [(f.get("name", ""), make(f)) for f in root.iter("dynamicField")]
    copies = [
        (c.get("source", ""), c.get("dest", "")) for c in root.iter("copyField")
    ]
    return Schema(fields=fields, dynamic=dynamic, copy_fields=copies)


@functools.lru_cache(maxsize=4)
def load_schema(path: str | None = None) -> Schema:
    """Load a schema file, by default the one shipped in the CKAN package."""
    if path:
        with open(path, "rb") as f:
            return parse_schema(f.read())
    ref = importlib.resources.files("ckan") / "config" / "solr" / "schema.xml"
    return parse_schema(ref.read_bytes())
