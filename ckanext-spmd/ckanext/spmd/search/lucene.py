"""Compile Solr/Lucene query syntax into PostgreSQL conditions (pure Python).

Queries are parsed by luqum, a real Lucene grammar, then compiled against
the Solr schema: a ``string`` field matches whole values, a ``text`` field
matches stemmed, accent-folded words, dates and numbers compare by value.
The SQL refers to one table row aliased ``d`` with the columns
``fields`` (jsonb, exact kinds), ``texts`` (jsonb, text kinds), ``tsv``
(the weighted catch-all ``text`` field) and the plain copies of hot fields
(``columns.py``), used whenever they hold the field.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import re
import threading
from collections.abc import Callable
from typing import Any

from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser as _luqum_parser

from . import text as textmod
from .columns import column_for, text_column_for
from .documents import DocumentError, normalise_date
from .schema import Field, Schema

# ply parsers keep state while parsing: one parse at a time per process.
_PARSE_LOCK = threading.Lock()

TEXT_CONFIGS = ("spmd_fr", "spmd_en")


class QuerySyntaxError(ValueError):
    """The query cannot be parsed or uses syntax we do not support."""


@dataclasses.dataclass
class Params:
    values: dict[str, Any] = dataclasses.field(default_factory=dict)

    def add(self, value: Any) -> str:
        key = f"p{len(self.values)}"
        self.values[key] = value
        return f":{key}"


def parse(q: str) -> tree.Item:
    try:
        with _PARSE_LOCK:
            return _luqum_parser.parse(q)
    except ParseError as e:
        raise QuerySyntaxError(f"Search Query is invalid: {e} in {q!r}") from e


_MUST, _SHOULD, _MUST_NOT = "must", "should", "must_not"

_DATE_MATH_RE = re.compile(
    r"^NOW(?P<ops>(?:[+-]\d+(?:YEARS?|MONTHS?|DAYS?|HOURS?|MINUTES?|SECONDS?))*)"
    r"(?:/(?P<round>YEAR|MONTH|DAY|HOUR|MINUTE))?$"
)
_DATE_OP_RE = re.compile(r"([+-])(\d+)([A-Z]+?)S?(?=[+-]|$)")


def solr_date(value: str, now: dt.datetime) -> str:
    """Solr date or date-math (``NOW-7DAYS``, ``NOW/DAY``) -> normalised."""
    m = _DATE_MATH_RE.match(value)
    if not m:
        try:
            return normalise_date(value)
        except DocumentError as e:
            raise QuerySyntaxError(f"Invalid date in query: {value!r}") from e
    d = now
    for sign, amount, unit in _DATE_OP_RE.findall(m.group("ops") or ""):
        n = int(amount) * (1 if sign == "+" else -1)
        if unit == "YEAR":
            d = d.replace(year=d.year + n)
        elif unit == "MONTH":
            months = d.month - 1 + n
            d = d.replace(year=d.year + months // 12, month=months % 12 + 1)
        else:
            seconds = {"DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}[unit]
            d = d + dt.timedelta(seconds=n * seconds)
    rounding = m.group("round")
    if rounding:
        keep = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE"].index(rounding)
        parts = dict(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        for unit in ["MONTH", "DAY", "HOUR", "MINUTE"][:keep]:
            parts.pop(unit.lower())
        d = d.replace(**parts)
    return normalise_date(d)


class Compiler:
    """Compile parsed queries to SQL boolean expressions with bind params."""

    def __init__(self, schema: Schema, params: Params, now: dt.datetime | None = None):
        self.schema = schema
        self.params = params
        self.now = now or dt.datetime.utcnow()
        # tsquery expressions of positive text clauses, for ranking
        self.rank_queries: list[str] = []
        self.uses_full_text = False

    # -- entry points -----------------------------------------------------

    def lucene(self, q: str, default_field: str = "text", default_op: str = "AND") -> str:
        return self._node(parse(q), default_field, default_op, negated=False)

    def dismax(self, q: str, mm: str | None = None) -> str:
        """CKAN's default free-text query: every term against ``text``
        (which gathers name, title, tags, groups, notes, resources...),
        with Solr's minimum-should-match rule."""
        node = parse(q)
        items = (
            list(node.children)
            if isinstance(node, (tree.UnknownOperation, tree.AndOperation, tree.OrOperation))
            else [node]
        )
        must, must_not, should = [], [], []
        for item in items:
            occur = _SHOULD
            if isinstance(item, tree.Plus):
                occur, item = _MUST, item.a
            elif isinstance(item, (tree.Prohibit, tree.Not)):
                occur, item = _MUST_NOT, item.a
            sql = self._node(item, "text", "AND", negated=occur == _MUST_NOT)
            if sql == "FALSE" and occur == _SHOULD:
                continue  # a term without any word (like "-") is dropped
            {_MUST: must, _MUST_NOT: must_not, _SHOULD: should}[occur].append(sql)
        # An explicit "a OR b" asks for any of the terms (as edismax does).
        required = 1 if isinstance(node, tree.OrOperation) else min_should_match(len(should), mm)
        clauses = list(must)
        if should:
            if required >= len(should):
                clauses.extend(should)
            elif required <= 1:
                clauses.append("(" + " OR ".join(should) + ")")
            else:
                count = " + ".join(f"({s})::int" for s in should)
                clauses.append(f"({count}) >= {required}")
        clauses.extend(f"NOT ({s})" for s in must_not)
        return " AND ".join(clauses) if clauses else "TRUE"

    # -- tree walking -------------------------------------------------------

    def _node(self, node: tree.Item, field: str, op: str, negated: bool) -> str:
        if isinstance(node, tree.SearchField):
            return self._node(node.expr, node.name, op, negated)
        if isinstance(node, (tree.Group, tree.FieldGroup)):
            return self._node(node.expr, field, op, negated)
        if isinstance(node, tree.Boost):
            return self._node(node.expr, field, op, negated)
        if isinstance(node, (tree.AndOperation, tree.OrOperation, tree.UnknownOperation)):
            return self._boolean(node, field, op, negated)
        if isinstance(node, tree.Plus):
            return self._node(node.a, field, op, negated)
        if isinstance(node, (tree.Not, tree.Prohibit)):
            return f"NOT ({self._node(node.a, field, op, not negated)})"
        if isinstance(node, tree.Range):
            return self._range(field, node)
        if isinstance(node, tree.Phrase):
            return self._term(field, node.value[1:-1], phrase=True, negated=negated)
        if isinstance(node, tree.Proximity):
            return self._node(node.term, field, op, negated)
        if isinstance(node, tree.Fuzzy):
            return self._node(node.term, field, op, negated)
        if isinstance(node, tree.Word):
            return self._word(field, node.value, negated)
        if isinstance(node, tree.Regex):
            raise QuerySyntaxError(
                f"Search Query is invalid: regular expressions are not supported ({node})"
            )
        raise QuerySyntaxError(f"Search Query is invalid: unsupported syntax {node!s}")

    def _boolean(self, node: tree.Item, field: str, op: str, negated: bool) -> str:
        if isinstance(node, tree.AndOperation):
            default = _MUST
        elif isinstance(node, tree.OrOperation):
            default = _SHOULD
        else:
            default = _MUST if op == "AND" else _SHOULD
        must, should, must_not = [], [], []
        for child in node.children:
            occur = default
            if isinstance(child, tree.Plus):
                occur, child = _MUST, child.a
            elif isinstance(child, (tree.Prohibit, tree.Not)):
                occur, child = _MUST_NOT, child.a
            sql = self._node(child, field, op, negated ^ (occur == _MUST_NOT))
            {_MUST: must, _SHOULD: should, _MUST_NOT: must_not}[occur].append(sql)
        clauses = list(must)
        if should and not must:
            clauses.append("(" + " OR ".join(should) + ")")
        # Solr adds *:* to purely negative queries
        clauses.extend(f"NOT ({s})" for s in must_not)
        return "(" + " AND ".join(clauses) + ")" if clauses else "TRUE"

    # -- leaves ------------------------------------------------------------

    def _field(self, name: str) -> Field:
        return self.schema.field(name)

    def _col(self, f: Field) -> str:
        return "d.texts" if f.kind == "text" else "d.fields"

    def _word(self, field: str, raw: str, negated: bool) -> str:
        if field == "*":
            if raw == "*":
                return "TRUE"
            raise QuerySyntaxError(
                f"Search Query is invalid: '*:{raw}' (only *:* is allowed)"
            )
        if raw == "*":
            return self._exists(field)
        if textmod.has_wildcard(raw):
            return self._wildcard(field, raw, negated)
        return self._term(field, textmod.unescape(raw), phrase=False, negated=negated)

    def _exists(self, field: str) -> str:
        if field == "text":
            return "TRUE"
        f = self._field(field)
        col = column_for(f)
        if col is not None:
            return f"(d.{col.sql} IS NOT NULL)"
        return f"({self._col(f)} ? {self.params.add(field)})"

    def _compare(self, f: Field, condition: Callable[[str], str]) -> str:
        """``condition(value_sql)``, true when any value of the field meets it."""
        col = column_for(f)
        if col is not None and col.multi:
            return f"EXISTS (SELECT 1 FROM unnest(d.{col.sql}) v WHERE {condition('v')})"
        if col is not None:
            return f"({condition(f'd.{col.sql}')})"
        if f.multi or f.kind == "text":
            return (
                f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce("
                f"{self._col(f)}->{self.params.add(f.name)}, '[]'::jsonb)) v "
                f"WHERE {condition('v')})"
            )
        return f"({condition(f'({self._col(f)}->>{self.params.add(f.name)})')})"

    def _tsqueries(self, source: str) -> tuple[str, str]:
        """(match, rank) tsquery expressions for ``source``, in every
        language: the same rows, but matching merges the languages' operands
        where one covers the other (migration 0007: one index scan instead
        of two), while ranking keeps them all, as Solr's scores would."""
        p = self.params.add(source)
        per_config = [f"to_tsquery('{c}', {p})" for c in TEXT_CONFIGS]
        match = functools.reduce(lambda a, b: f"spmd_search_match({a}, {b})", per_config)
        return match, f"({' || '.join(per_config)})"

    def _text_match(self, field: str, source: str, negated: bool) -> str:
        tsq, rank = self._tsqueries(source)
        if not negated:
            self.rank_queries.append(rank)
        if field == "text":
            self.uses_full_text = True
            return f"(d.tsv @@ {tsq})"
        f = self._field(field)
        column = text_column_for(f)
        if column is not None:
            return f"(d.{column} @@ {tsq})"
        doc = f"spmd_search_join({self._col(f)}->{self.params.add(field)})"
        vec = " || ".join(f"to_tsvector('{c}', {doc})" for c in TEXT_CONFIGS)
        return f"(({vec}) @@ {tsq})"

    def _term(self, field: str, value: str, phrase: bool, negated: bool) -> str:
        f = self._field(field) if field != "text" else Field("text", "text")
        if f.kind == "text":
            source = textmod.tsquery_source(value, phrase=phrase)
            if not source:
                return "FALSE"
            return self._text_match(field, source, negated)
        if f.kind == "ngram":
            # Solr n-grams match substrings; a trigram index serves LIKE here.
            like = "%" + textmod.like_literal(textmod.fold(value)) + "%"
            col = column_for(f)
            if col is not None:
                return f"(d.{col.sql} LIKE {self.params.add(like)})"
            return (
                f"(spmd_search_join(d.fields->{self.params.add(field)}) "
                f"LIKE {self.params.add(like)})"
            )
        typed = self._typed(f, value)
        col = column_for(f)
        if col is not None and col.multi:
            return f"(d.{col.sql} @> ARRAY[CAST({self.params.add(typed)} AS text)])"
        if col is not None:
            return f"(d.{col.sql} = {self.params.add(typed)})"
        if field == "site_id" and f.kind == "string" and not f.multi and typed:
            # the row's site_id column holds the document's site_id
            return f"(d.site_id = {self.params.add(typed)})"
        shape = {field: [typed]} if f.multi else {field: typed}
        return f"({self._col(f)} @> CAST({self.params.add(json.dumps(shape))} AS jsonb))"

    def _typed(self, f: Field, value: str) -> str:
        try:
            if f.kind == "date":
                return solr_date(value, self.now)
            if f.kind in ("int", "float"):
                num = float(value)
                return str(int(num)) if f.kind == "int" and num.is_integer() else repr(num)
            if f.kind == "bool":
                return "true" if value.lower() == "true" else "false"
        except ValueError as e:
            raise QuerySyntaxError(
                f"Search Query is invalid: {value!r} is not a valid value for "
                f"field {f.name!r} ({f.kind})"
            ) from e
        return value

    def _wildcard(self, field: str, raw: str, negated: bool) -> str:
        f = self._field(field) if field != "text" else Field("text", "text")
        if f.kind == "text":
            # prefix queries on analysed text: "ener*"
            stem = textmod.unescape(raw.rstrip("*?"))
            source = textmod.tsquery_source(stem)
            if not source:
                return "TRUE"
            if not source.endswith(":*"):
                source += ":*"
            return self._text_match(field, source, negated)
        like = textmod.wildcard_to_like(raw, fold_case=f.kind == "ngram")
        param = self.params.add(like)
        return self._compare(f, lambda v: f"{v} LIKE {param}")

    def _range(self, field: str, node: tree.Range) -> str:
        f = self._field(field)
        low, high = str(node.low), str(node.high)
        if low == "*" and high == "*":
            return self._exists(field)
        numeric = f.kind in ("int", "float")
        bounds = []
        for bound, inclusive, op_incl, op_excl in (
            (low, node.include_low, ">=", ">"),
            (high, node.include_high, "<=", "<"),
        ):
            if bound == "*":
                continue
            typed = self._typed(f, textmod.unescape(bound.strip('"')))
            param = self.params.add(typed)
            bounds.append((op_incl if inclusive else op_excl,
                           f"CAST({param} AS numeric)" if numeric else param))

        def condition(v: str) -> str:
            value = f"({v})::numeric" if numeric else v
            return " AND ".join(f"{value} {op} {bound}" for op, bound in bounds)

        return self._compare(f, condition)


def min_should_match(n: int, mm: str | None) -> int:
    """Solr's ``mm`` for n optional clauses; CKAN's default is
    ``2<-1 5<80%``: all of 1-2 terms, all but one of 3-5, 80% above."""
    spec = (mm or "2<-1 5<80%").strip()
    if not n:
        return 0
    rules: list[tuple[int, str]] = []
    plain: str | None = None
    for part in spec.split():
        if "<" in part:
            threshold, value = part.split("<", 1)
            rules.append((int(threshold), value))
        else:
            plain = part
    value = plain if plain is not None else str(n)
    for threshold, rule_value in sorted(rules):
        if n > threshold:
            value = rule_value
    return max(0, min(n, _mm_value(n, value)))


def _mm_value(n: int, value: str) -> int:
    if value.endswith("%"):
        pct = int(value[:-1])
        k = int(n * abs(pct) / 100)
        return k if pct >= 0 else n - k
    k = int(value)
    return k if k >= 0 else n + k
