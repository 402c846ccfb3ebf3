"""Turn a CKAN index document (what CKAN sends to Solr) into a stored row.

CKAN builds the document (``before_dataset_index``, permission labels,
``extras_*``, ``res_*``...); here we only apply what Solr's schema would do
with it: type each field, keep stored fields for retrieval, copy fields into
the catch-all ``text`` field, and split text by weight for ranking like
CKAN's default ``qf`` (``name^4 title^4 tags^2 groups^2 text``).
Pure Python: no CKAN import.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from . import text as textmod
from .schema import Field, Schema

# Weight classes of PostgreSQL's setweight(), A being the strongest.
WEIGHT_OF_FIELD = {"name": "A", "title": "A", "tags": "B", "groups": "B"}


class DocumentError(ValueError):
    """A document that Solr would reject (bad date, bad number...)."""


@dataclasses.dataclass
class IndexRow:
    index_id: str
    id: str
    site_id: str
    # exact-match kinds (string, date, numbers): a list for multi-valued
    # fields, a plain value for single-valued ones (cheaper to filter, sort
    # and facet on)
    fields: dict[str, Any]
    texts: dict[str, list[str]]  # analysed kinds: text
    stored: dict[str, Any]
    weighted_text: dict[str, str]  # weight class -> text

    def params(self) -> dict[str, Any]:
        return {
            "index_id": self.index_id,
            "id": self.id,
            "site_id": self.site_id,
            "fields": json.dumps(self.fields, ensure_ascii=False),
            "texts": json.dumps(self.texts, ensure_ascii=False),
            "stored": json.dumps(self.stored, ensure_ascii=False, default=str),
            "ta": self.weighted_text.get("A", ""),  # name, title
            "tb": self.weighted_text.get("B", ""),  # tags, groups
            "td": self.weighted_text.get("D", ""),
        }


def normalise_date(value: Any) -> str:
    """A date as the fixed-width UTC string we compare and sort on."""
    if isinstance(value, dt.datetime):
        d = value
    elif isinstance(value, dt.date):
        d = dt.datetime(value.year, value.month, value.day)
    else:
        s = str(value).strip()
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        try:
            d = dt.datetime.fromisoformat(s)
        except ValueError as e:
            raise DocumentError(f"Invalid Date String: {value!r}") from e
    if d.tzinfo is not None:
        d = d.astimezone(dt.UTC).replace(tzinfo=None)
    return d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _values(value: Any) -> Iterable[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [v for v in value if v is not None]
    return [value]


def typed_value(field: Field, value: Any) -> str:
    if field.kind == "bool":
        if isinstance(value, str):
            return "true" if value.strip().lower() == "true" else "false"
        return "true" if value else "false"
    if field.kind == "date":
        return normalise_date(value)
    if field.kind in ("int", "float"):
        try:
            num = float(value)
        except (TypeError, ValueError) as e:
            raise DocumentError(
                f"ERROR: [doc] Error adding field '{field.name}'='{value}': "
                "not a number"
            ) from e
        if field.kind == "int":
            if not num.is_integer():
                raise DocumentError(
                    f"ERROR: [doc] Error adding field '{field.name}'='{value}': "
                    "not an integer"
                )
            return str(int(num))
        return repr(num)
    as_text = _solr_text(value)
    return textmod.fold(as_text) if field.kind == "ngram" else as_text


def _solr_text(value: Any) -> str:
    """How pysolr serialises a Python value for Solr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date)):
        return normalise_date(value)
    return str(value)


def build_row(doc: dict[str, Any], schema: Schema) -> IndexRow:
    fields: dict[str, list[str]] = {}
    texts: dict[str, list[str]] = {}
    stored: dict[str, Any] = {}
    weighted: dict[str, list[str]] = {"A": [], "B": [], "D": []}

    def add(name: str, values: list[str]) -> None:
        if not values:
            return
        field = schema.field(name)
        if field.kind == "text" or field.multi:
            target = texts if field.kind == "text" else fields
            target.setdefault(name, []).extend(values)
        elif name in fields or len(values) > 1:
            raise DocumentError(
                f"ERROR: [doc={doc.get('id')}] multiple values encountered for non "
                f"multiValued field {name}: {values}"
            )
        else:
            fields[name] = values[0]

    for name, raw in doc.items():
        field = schema.field(name)
        values = list(_values(raw))
        if field.stored and raw is not None:
            stored[name] = raw
        if field.indexed:
            add(name, [typed_value(field, v) for v in values])
        # copyField is not transitive in Solr: only source fields are copied
        for dest in schema.copy_targets(name):
            if dest == "text":
                weight = WEIGHT_OF_FIELD.get(name, "D")
                weighted[weight].extend(str(v) for v in values)
            else:
                dest_field = schema.field(dest)
                add(dest, [typed_value(dest_field, v) for v in values])

    if "index_id" not in doc or "id" not in doc:
        raise DocumentError("Document is missing required field index_id/id")
    return IndexRow(
        index_id=str(doc["index_id"]),
        id=str(doc["id"]),
        site_id=str(doc.get("site_id", "")),
        fields=fields,
        texts=texts,
        stored=stored,
        weighted_text={k: "\n".join(v) for k, v in weighted.items() if v},
    )
