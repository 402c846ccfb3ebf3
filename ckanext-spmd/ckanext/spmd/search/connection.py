"""A pysolr.Solr look-alike that stores and queries CKAN's index in PostgreSQL.

CKAN keeps building the documents and the queries (``ckan.lib.search``);
this connection receives exactly what Solr would receive and answers like
Solr, so ``package_search`` semantics stay CKAN's. Writes go through CKAN's
own SQLAlchemy session: the index row is written in the same transaction as
the dataset, and rolled back with it.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

import pysolr
import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import cache as result_cache
from . import facet_memory
from .columns import (
    FACET_KEY_SEPARATOR,
    FACETS_COLUMN,
    column_for,
    facet_key_field,
)
from .documents import DocumentError, build_row
from .lucene import Compiler, Params, QuerySyntaxError
from .schema import Schema

log = logging.getLogger(__name__)

CACHE_SIZE_OPTION = "ckanext.spmd.search.cache_size"
FACET_MEMORY_OPTION = "ckanext.spmd.search.facet_memory"
# session.info flag: this transaction wrote index rows (not yet committed,
# so invisible to the generation number): it must not read cached results
_WROTE = "spmd_search_wrote"


@sa.event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost: committed or rolled back
        session.info.pop(_WROTE, None)


def _cache() -> result_cache.ResultCache | None:
    from ckan.plugins import toolkit

    return result_cache.results(int(toolkit.config.get(CACHE_SIZE_OPTION, 0) or 0))


def _facet_memory_enabled() -> bool:
    from ckan.plugins import toolkit

    return toolkit.asbool(toolkit.config.get(FACET_MEMORY_OPTION, True))


_MEMORY = facet_memory.FacetMemoryHolder()


def _memory_holder() -> facet_memory.FacetMemoryHolder:
    return _MEMORY


def _first_positions(facet_fields: list[str]) -> list[str]:
    """A field asked twice is counted once, at its first position ("" holds
    the later places)."""
    return [name if name not in facet_fields[:i] else "" for i, name in enumerate(facet_fields)]


def _execute(session: Session | sa.Connection, sql: str, values: dict[str, Any],
             full_text: bool) -> sa.Row[Any]:
    """Run a search statement (its one row) with this backend's planner
    settings, for this statement only.

    Matching text through the GIN index costs far less than decompressing
    every row's tsvector (stored out of line), which the planner
    underestimates for frequent words: prefer the index. JIT compilation
    (PostgreSQL's default above a cost these statements reach on large
    catalogues) takes seconds and saves milliseconds."""
    previous = session.execute(sa.text(
        "SELECT current_setting('enable_seqscan'), current_setting('jit'), "
        "set_config('enable_seqscan', CASE WHEN :text THEN 'off' "
        "ELSE current_setting('enable_seqscan') END, true), set_config('jit', 'off', true)"),
        {"text": full_text}).one()
    row = session.execute(sa.text(f"{SEARCH_MARK} {sql}"), values).one()
    session.execute(sa.text("SELECT set_config('enable_seqscan', :seqscan, true), "
                            "set_config('jit', :jit, true)"),
                    {"seqscan": previous[0], "jit": previous[1]})
    return row


TABLE = "spmd_search_doc"
# leads every search statement (logs, pg_stat_statements, tests)
SEARCH_MARK = "/* spmd-search */"

# Every row's facet keys, grouped by key, with the ordinals of the rows
# holding each (ordinals always travel as array_send(spmd_search_collect(...)))
_LOAD_POSTINGS_SQL = (
    "SELECT v, array_send(spmd_search_collect(ord)) FROM (SELECT ord, unnest(c_facets) AS v "
    f"FROM {TABLE}) u WHERE v <> '' GROUP BY v"
)
# The tie-breaking orders of CKAN's default sort, as PostgreSQL sorts them
# (the search statements' ORDER BY; the sort indexes of migration 0004)
_LOAD_BY_ID_SQL = f"SELECT ord, index_id FROM {TABLE} ORDER BY index_id"
_LOAD_BY_MODIFIED_SQL = (
    "SELECT array_send(spmd_search_collect(ord ORDER BY c_metadata_modified DESC NULLS LAST, "
    f"index_id)) FROM {TABLE}"
)


def _load_facet_memory(engine: sa.Engine) -> facet_memory.FacetMemory:
    """A copy of the committed index, read in one snapshot on a connection
    of its own (never the request's transaction, which may hold writes the
    generation does not count yet)."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(sa.text("SET LOCAL jit = off"))
            generation = connection.execute(sa.text(result_cache.GENERATION_SQL)).scalar_one()
            postings = connection.execute(sa.text(_LOAD_POSTINGS_SQL)).all()
            by_id = connection.execute(sa.text(_LOAD_BY_ID_SQL)).all()
            by_modified = connection.execute(sa.text(_LOAD_BY_MODIFIED_SQL)).scalar()
    return facet_memory.FacetMemory.from_postings(
        int(generation), ((r[0], r[1]) for r in postings), FACET_KEY_SEPARATOR,
        by_id=((r[0], r[1]) for r in by_id), by_modified=by_modified)


STORED_TABLE = "spmd_search_stored"

# Relative weights of setweight classes {D, C, B, A}: text 1, tags/groups 2,
# name/title 4, as in CKAN's default qf.
RANK_WEIGHTS = "'{0.25, 0.25, 0.5, 1.0}'"

_HEAD = (
    "setweight(to_tsvector('spmd_fr', :ta), 'A') || setweight(to_tsvector('spmd_en', :ta), 'A')"
    " || setweight(to_tsvector('spmd_fr', :tb), 'B') || setweight(to_tsvector('spmd_en', :tb), 'B')"
)
_UPSERT = sa.text(
    f"""
    INSERT INTO {TABLE} (index_id, id, site_id, fields, texts, tsv_head, tsv)
    SELECT :index_id, :id, :site_id, CAST(:fields AS jsonb), CAST(:texts AS jsonb), head,
           head || setweight(to_tsvector('spmd_fr', :td), 'D')
                || setweight(to_tsvector('spmd_en', :td), 'D')
    FROM (SELECT {_HEAD} AS head) h
    ON CONFLICT (index_id) DO UPDATE SET
        id = EXCLUDED.id, site_id = EXCLUDED.site_id, fields = EXCLUDED.fields,
        texts = EXCLUDED.texts, tsv_head = EXCLUDED.tsv_head, tsv = EXCLUDED.tsv,
        indexed_at = now()
    """
)
_UPSERT_STORED = sa.text(
    f"""
    INSERT INTO {STORED_TABLE} (index_id, stored) VALUES (:index_id, CAST(:stored AS jsonb))
    ON CONFLICT (index_id) DO UPDATE SET stored = EXCLUDED.stored
    """
)

_SORT_RE = re.compile(r"^\s*([\w.\-]+)\s+(asc|desc)\s*$", re.IGNORECASE)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)] if str(value).strip() else []


def _int(kwargs: dict[str, Any], key: str, default: int) -> int:
    value = kwargs.get(key, default)
    try:
        return int(value)
    except (TypeError, ValueError) as e:
        raise pysolr.SolrError(f"Invalid integer for {key}: {value!r}") from e


def _ranked(counts: str, mincount: int, limit: int, params: Params) -> str:
    """Facet counts (rows k, v, c) -> json [[k, v, c]...]: ``facet.mincount``,
    then the ``facet.limit`` largest per field, ties by value."""
    return (
        '(SELECT coalesce(json_agg(json_build_array(k, v, c) ORDER BY k, c DESC, v COLLATE "C"), '
        "'[]'::json) FROM (SELECT k, v, c, row_number() OVER "
        f'(PARTITION BY k ORDER BY c DESC, v COLLATE "C") AS r FROM ({counts}) counted '
        f"WHERE c >= {params.add(mincount)}) ranked WHERE r <= {params.add(limit)})"
    )


class PostgresSearchConnection:
    """The subset of ``pysolr.Solr`` that CKAN uses, backed by PostgreSQL."""

    url = "postgresql:embedded-search"

    def __init__(self, session_factory: Callable[[], Session], schema: Schema):
        self._session = session_factory
        self.schema = schema

    # -- writing -----------------------------------------------------------

    def add(self, docs: Iterable[dict[str, Any]], commit: Any = None, **_: Any) -> str:
        try:
            rows = [build_row(doc, self.schema).params() for doc in docs]
        except DocumentError as e:
            raise pysolr.SolrError(str(e)) from e
        if rows:
            session = self._session()
            session.info[_WROTE] = True
            with session.begin_nested():
                session.execute(_UPSERT, rows)
                session.execute(_UPSERT_STORED, rows)
        return ""

    def delete(self, id: Any = None, q: str | None = None, commit: Any = None, **_: Any) -> str:
        session = self._session()
        session.info[_WROTE] = True
        if id is not None:
            ids = id if isinstance(id, (list, tuple)) else [id]
            session.execute(
                sa.text(f"DELETE FROM {TABLE} WHERE index_id = ANY(:ids)"),
                {"ids": [str(i) for i in ids]},
            )
            return ""
        if q is None:
            raise ValueError("You must specify 'id' or 'q'.")
        params = Params()
        where = self._compile(Compiler(self.schema, params), q)
        try:
            with session.begin_nested():
                session.execute(sa.text(f"DELETE FROM {TABLE} d WHERE {where}"), params.values)
        except sa.exc.ProgrammingError as e:
            # `ckan db clean` drops every table, then clears the index
            if getattr(e.orig, "pgcode", None) != "42P01":  # undefined_table
                raise
            log.warning("Search index table is missing: nothing to delete")
        return ""

    def commit(self, **_: Any) -> str:
        """CKAN asks for an explicit commit only on maintenance paths
        (``search-index clear``, the end of a rebuild); actions commit their
        own transaction, index rows included, so ``add(commit=True)`` does
        not commit on its own."""
        self._session().commit()
        return ""

    def optimize(self, **_: Any) -> str:
        return ""

    # -- reading -----------------------------------------------------------

    def _compile(self, compiler: Compiler, q: str) -> str:
        q = q.strip()
        if q in ("", "*:*", "*"):
            return "TRUE"
        try:
            return compiler.lucene(q)
        except QuerySyntaxError as e:
            raise pysolr.SolrError(str(e)) from e

    def search(self, q: str | None = None, search_handler: str | None = None, **kwargs: Any) -> pysolr.Results:
        params = Params()
        compiler = Compiler(self.schema, params)
        q = (q if q is not None else kwargs.get("q", "*:*")) or "*:*"
        where: list[str] = []
        try:
            if q.strip() in ("*:*", ""):
                pass
            elif kwargs.get("defType") == "dismax":
                where.append(compiler.dismax(q, kwargs.get("mm")))
            else:
                where.append(
                    compiler.lucene(q, kwargs.get("df", "text"), str(kwargs.get("q.op", "AND")).upper())
                )
            rank_queries = list(compiler.rank_queries)
            for fq in _as_list(kwargs.get("fq")):
                where.append(compiler.lucene(fq, "text", "AND"))
        except QuerySyntaxError as e:
            raise pysolr.SolrError(str(e)) from e

        score = (
            f"ts_rank({RANK_WEIGHTS}, d.tsv_head, ({' || '.join(rank_queries)}))"
            if rank_queries
            else "1.0::real"
        )
        order_sql, sort_cols = self._sort(kwargs.get("sort"), params)
        rows = _int(kwargs, "rows", 10)
        start = _int(kwargs, "start", 0)

        facet_fields = (
            _as_list(kwargs.get("facet.field"))
            if str(kwargs.get("facet", "false")).lower() == "true"
            else []
        )
        facet_limit = _int(kwargs, "facet.limit", 100)
        facet_mincount = _int(kwargs, "facet.mincount", 0)

        where_sql = " AND ".join(where) or "TRUE"
        limit = facet_limit if facet_limit >= 0 else 2**31 - 1
        keyed = all(facet_key_field(self.schema.field(name)) for name in facet_fields)
        if keyed:
            sql = self._keyed_sql(where_sql, score, order_sql, sort_cols, rows, start,
                                  facet_fields, facet_mincount, limit, params)
        else:
            sql = self._generic_sql(where_sql, score, order_sql, sort_cols, rows, start,
                                    facet_fields, facet_mincount, limit, params)
        session = self._session()
        # a transaction that wrote index rows sees them before they count in
        # the generation: neither cached results nor the facet copy apply
        fresh = not session.info.get(_WROTE)
        cache = _cache() if fresh else None
        key = result_cache.cache_key(sql, params.values) if cache is not None else ""
        memory_sql = None
        paged = self._default_sort(kwargs.get("sort"))
        # Without facets, the copy still pays off when every match must be
        # ranked (free text, package_autocomplete): one parallel pass gives
        # the hits and the page, where SQL would count, then rank, in two.
        # A listing's constant score is paged by a sort index instead.
        ranked = paged is not None and bool(rank_queries)
        if fresh and keyed and (facet_fields or ranked) and _facet_memory_enabled():
            memory_sql = self._ordinals_sql(where_sql, score, order_sql, sort_cols, rows, start,
                                            params, paged is not None)
        try:
            with session.begin_nested():
                result = None
                generation = None
                if cache is not None or memory_sql is not None:
                    generation = session.execute(
                        sa.text(result_cache.GENERATION_SQL)).scalar_one()
                if cache is not None:
                    result = cache.get(key, generation)
                if result is None and memory_sql is not None:
                    result = self._counted_in_memory(
                        memory_sql, params, compiler.uses_full_text, session, generation,
                        facet_fields, facet_mincount, limit,
                        None if paged is None else (paged, start, rows))
                    if result is not None and cache is not None:
                        cache.put(key, result["generation"], result)
                if result is None:
                    generation, result = _execute(
                        session, f"SELECT ({result_cache.GENERATION_SQL}), ({sql})",
                        params.values, compiler.uses_full_text)
                    if cache is not None:
                        cache.put(key, generation, result)
                page = result["page"]
                stored = self._stored([p[0] for p in page], session)
        except sa.exc.DBAPIError as e:
            log.exception("Embedded search query failed: %s", sql)
            raise pysolr.SolrError(f"Search query failed: {e.orig}") from e

        fl = self._fl(kwargs.get("fl"))
        docs = []
        for index_id, doc_score in page:
            doc = stored.get(index_id, {})
            if "*" in fl:
                out = dict(doc)
            else:
                out = {k: doc[k] for k in fl if k in doc}
            if "score" in fl:
                out["score"] = doc_score
            docs.append(out)
        facets: dict[str, list[Any]] = {name: [] for name in facet_fields}
        for k, value, count in result.get("facets") or []:
            facets[facet_fields[k]].extend((value, count))
        return pysolr.Results(
            {
                "response": {"numFound": result["hits"], "docs": docs},
                "facet_counts": {"facet_fields": facets} if facet_fields else {},
            }
        )

    def _counted_in_memory(self, sql: str, params: Params, full_text: bool, session: Session,
                           generation: int, facet_fields: list[str], mincount: int,
                           limit: int, paged: tuple[bool, int, int] | None,
                           ) -> dict[str, Any] | None:
        """Facets (and, for CKAN's default sort, the page) from this
        process's facet copy, when it holds the generation the statement
        reads; None otherwise (the caller counts in SQL)."""
        holder = _memory_holder()
        memory = holder.current(generation)
        if memory is None:
            engine = session.get_bind()
            memory = holder.refresh(lambda: _load_facet_memory(engine))
        if memory is None:
            return None
        seen, page, *packed = _execute(session, sql, params.values, full_text)
        if seen != memory.generation:  # the index moved on in between
            return None
        if paged is None:
            matched = facet_memory.ordinals(packed[0])
        else:
            matched, scores = facet_memory.ranked(*packed)
            page = memory.page(matched, scores, *paged)
            if page is None:
                return None
        return {"generation": seen, "hits": len(matched), "page": page,
                "facets": memory.count(matched, _first_positions(facet_fields),
                                       mincount, limit)}

    def _ordinals_sql(self, where_sql: str, score: str, order_sql: str, sort_cols: list[str],
                      rows: int, start: int, params: Params, paged: bool) -> str:
        """The generation, and the matched rows' ordinals as a binary array
        (``facet_memory.ordinals``), with the page; or, when the facet copy
        pages too, every match's ordinal and score in one pass, as two
        aligned binary arrays (``facet_memory.ranked``)."""
        if paged:
            # ranking every match is the costly part: spmd_search_collect
            # (migration 0006) lets parallel workers share it
            return (
                f"SELECT ({result_cache.GENERATION_SQL}), NULL, ordinals, scores FROM (SELECT "
                "array_send(spmd_search_collect(d.ord)) AS ordinals, "
                f"array_send(spmd_search_collect(({score})::real)) AS scores "
                f"FROM {TABLE} d WHERE {where_sql}) matched"
            )
        page = self._page_sql(where_sql, score, order_sql, sort_cols, rows, start, params)
        return (
            f"SELECT ({result_cache.GENERATION_SQL}), {page}, (SELECT "
            f"array_send(spmd_search_collect(d.ord)) FROM {TABLE} d WHERE {where_sql})"
        )

    def _generic_sql(self, where_sql: str, score: str, order_sql: str, sort_cols: list[str],
                     rows: int, start: int, facet_fields: list[str], mincount: int,
                     limit: int, params: Params) -> str:
        """Any facet fields: the matched rows are materialised once, then
        counted, paged and faceted."""
        m_cols = ["d.index_id", f"{score} AS score"] + sort_cols
        facet_cols = []
        # per facet: "array" (text[] column), "jsonb" (jsonb array) or "value"
        facet_shapes = []
        for i, name in enumerate(facet_fields):
            field = self.schema.field(name)
            column = column_for(field)
            if column is not None:
                facet_cols.append(f"d.{column.sql} AS f{i}")
                facet_shapes.append("array" if column.multi else "value")
                continue
            col = "d.texts" if field.kind == "text" else "d.fields"
            op = "->" if field.multi or field.kind == "text" else "->>"
            facet_cols.append(f"{col}{op}{params.add(name)} AS f{i}")
            facet_shapes.append("jsonb" if field.multi or field.kind == "text" else "value")
        order_cols = ", ".join(["score", "index_id"] + [c.rsplit(" AS ", 1)[1] for c in sort_cols])
        select = {
            "hits": "(SELECT count(*) FROM m)",
            # the page is sorted once with LIMIT (a top-N heap sort), then
            # kept in that order by json_agg
            "page": (
                "(SELECT coalesce(json_agg(json_build_array(x.index_id, x.score) "
                f"ORDER BY {order_sql}), '[]'::json) FROM (SELECT {order_cols} FROM m "
                f"ORDER BY {order_sql} LIMIT {params.add(max(rows, 0))} "
                f"OFFSET {params.add(max(start, 0))}) x)"
            ),
        }
        if facet_fields:
            counts = []
            for i, shape in enumerate(facet_shapes):
                if shape == "array":
                    # unnest in the select list (one ProjectSet node) costs
                    # far less than a lateral function scan per row
                    counts.append(
                        f"SELECT {i} AS k, v, count(*) AS c FROM "
                        f"(SELECT unnest(m.f{i}) AS v FROM m) u GROUP BY v"
                    )
                elif shape == "jsonb":
                    counts.append(
                        f"SELECT {i} AS k, v, count(*) AS c FROM m, "
                        f"jsonb_array_elements_text(coalesce(m.f{i}, '[]'::jsonb)) v GROUP BY v"
                    )
                else:  # a plain value: no set-returning function per row
                    counts.append(
                        f"SELECT {i} AS k, m.f{i} AS v, count(*) AS c FROM m "
                        f"WHERE m.f{i} IS NOT NULL GROUP BY m.f{i}"
                    )
            select["facets"] = _ranked(" UNION ALL ".join(counts), mincount, limit, params)
        built = ", ".join(f"'{k}', {v}" for k, v in select.items())
        return (
            f"WITH m AS MATERIALIZED (SELECT {', '.join(m_cols + facet_cols)} "
            f"FROM {TABLE} d WHERE {where_sql}) SELECT json_build_object({built})"
        )

    @staticmethod
    def _page_sql(where_sql: str, score: str, order_sql: str, sort_cols: list[str],
                  rows: int, start: int, params: Params) -> str:
        """The page: a top-N sort of the ranked matches, as json [[id, score]...]."""
        page_cols = ", ".join(["d.index_id", f"{score} AS score"] + sort_cols)
        return (
            "(SELECT coalesce(json_agg(json_build_array(x.index_id, x.score) "
            f"ORDER BY {order_sql}), '[]'::json) FROM (SELECT {page_cols} FROM {TABLE} d "
            f"WHERE {where_sql} ORDER BY {order_sql} LIMIT {params.add(max(rows, 0))} "
            f"OFFSET {params.add(max(start, 0))}) x)"
        )

    def _keyed_sql(self, where_sql: str, score: str, order_sql: str, sort_cols: list[str],
                   rows: int, start: int, facet_fields: list[str], mincount: int,
                   limit: int, params: Params) -> str:
        """Facets all held by ``c_facets`` (the usual case): two index scans
        in one statement (one snapshot) and nothing materialised: the page
        is a top-N sort of the ranked matches, and one unnest of
        ``c_facets`` counts every facet and the hits at once."""
        page = self._page_sql(where_sql, score, order_sql, sort_cols, rows, start, params)
        if not facet_fields:
            return (
                f"SELECT json_build_object('hits', (SELECT count(*) FROM {TABLE} d "
                f"WHERE {where_sql}), 'page', {page})"
            )
        sep = params.add(FACET_KEY_SEPARATOR)
        field_index = " ".join(
            f"WHEN {params.add(name)} THEN {i}"
            for i, name in reversed(list(enumerate(facet_fields)))
        )
        counts = (
            f"SELECT k, substr(v, strpos(v, {sep}) + 1) AS v, c FROM (SELECT CASE "
            f"split_part(v, {sep}, 1) {field_index} END AS k, v, c FROM fc "
            "WHERE v <> '') t WHERE k IS NOT NULL"
        )
        return (
            f"WITH fc AS MATERIALIZED (SELECT v, count(*) AS c FROM (SELECT "
            f"unnest(d.{FACETS_COLUMN}) AS v FROM {TABLE} d WHERE {where_sql}) u GROUP BY v) "
            "SELECT json_build_object('hits', coalesce((SELECT c FROM fc WHERE v = ''), 0), "
            f"'page', {page}, 'facets', {_ranked(counts, mincount, limit, params)})"
        )

    def _default_sort(self, sort: Any) -> bool | None:
        """For ``score desc`` and CKAN's default ``score desc,
        metadata_modified desc`` (the facet copy can page them): whether
        ``metadata_modified`` breaks ties; None for any other sort."""
        clauses = [c.split() for c in str(sort or "score desc").lower().split(",") if c.strip()]
        if clauses == [["score", "desc"]]:
            return False
        modified = column_for(self.schema.field("metadata_modified"))
        if clauses == [["score", "desc"], ["metadata_modified", "desc"]] and modified is not None:
            return True
        return None

    def _stored(self, index_ids: list[str], session: Session) -> dict[str, dict[str, Any]]:
        if not index_ids:
            return {}
        rows = session.execute(
            sa.text(f"SELECT index_id, stored FROM {STORED_TABLE} WHERE index_id = ANY(:ids)"),
            {"ids": index_ids},
        )
        return {r[0]: r[1] for r in rows}

    @staticmethod
    def _fl(fl: Any) -> list[str]:
        if not fl:
            return ["*", "score"]
        names = re.split(r"[\s,]+", " ".join(_as_list(fl)))
        return [n for n in names if n]

    def _sort(self, sort: Any, params: Params) -> tuple[str, list[str]]:
        """``score desc, metadata_modified desc`` -> ORDER BY over columns
        of the matched set. Unknown syntax is refused like Solr does."""
        clauses = [c for c in str(sort or "score desc").split(",") if c.strip()]
        order, cols = [], []
        for i, clause in enumerate(clauses):
            m = _SORT_RE.match(clause)
            if not m:
                raise pysolr.SolrError(f"Can't determine a Sort Order (asc or desc) in sort spec {clause!r}")
            name, direction = m.group(1), m.group(2).upper()
            if name == "score":
                order.append(f"score {direction}")
                continue
            field = self.schema.field(name)
            col = "d.texts" if field.kind == "text" else "d.fields"
            column = column_for(field)
            if column is not None and column.multi:
                value = f"(d.{column.sql})[1]"
            elif column is not None:
                value = f"d.{column.sql}"
            elif field.multi or field.kind == "text":
                value = f"({col}->{params.add(name)}->>0)"
            else:
                value = f"({col}->>{params.add(name)})"
            if field.kind in ("int", "float"):
                expr = f"{value}::numeric"
            elif field.kind in ("string", "text", "ngram"):
                # Solr sorts strings by code point ("É" after "z"); a French
                # catalogue sorts them as a reader expects.
                expr = f'{value} COLLATE "und-x-icu"'
            else:
                expr = value
            cols.append(f"{expr} AS s{i}")
            order.append(f"s{i} {direction} NULLS LAST")
        order.append("index_id ASC")  # stable paging
        return ", ".join(order), cols
