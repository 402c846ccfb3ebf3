"""Facet counting from an in-process copy of the facet values (pure Python).

Counting facets in SQL unnests and hashes every value of every matched row:
on a query matching most of a 100,000-dataset catalogue that is nearly a
million strings per search. Solr counts from per-field structures it keeps
in memory (docValues, the field cache); this module does the same: each
process keeps, for one index generation, the facet values of every row as
two integer arrays (row ordinal, value code), and the search statement
only returns the ordinals of the matched rows. Counting is then a mask and
a ``bincount`` over those arrays, in milliseconds.

The copy is exact or unused: it belongs to one index generation
(``cache.GENERATION_SQL``) and serves a query only when the query's own
statement read that same generation. PostgreSQL stays the source of truth;
the SQL counting path remains the fallback.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

def _binary_array(packed: bytes | memoryview | None, element: str) -> np.ndarray:
    """A one-dimensional array without NULLs in PostgreSQL's binary format
    (``array_send``): a 12-byte header, (length, lower bound) per dimension,
    then each element as a 4-byte length and its big-endian value."""
    if not packed:
        return np.zeros(0, dtype=element)
    data = memoryview(packed)
    ndim = int(np.frombuffer(data[:4], dtype=">i4")[0])
    if ndim == 0:
        return np.zeros(0, dtype=element)
    if ndim != 1:
        raise ValueError(f"expected a one-dimensional array, got {ndim} dimensions")
    values = np.frombuffer(data[20:], dtype=np.dtype([("length", ">i4"), ("value", element)]))
    return values["value"]


def ordinals(packed: bytes | memoryview | None) -> np.ndarray:
    """``array_send`` of row ordinals (bigint[]) -> an int64 array."""
    return _binary_array(packed, ">i8").astype(np.int64)


def ranked(ords: bytes | memoryview | None,
           scores: bytes | memoryview | None) -> tuple[np.ndarray, np.ndarray]:
    """``array_send`` of the ordinals (bigint[]) and of the scores (real[])."""
    return ordinals(ords), _binary_array(scores, ">f4").astype(np.float32)


def _rank_of(order: np.ndarray, size: int) -> np.ndarray:
    """Ordinals listed in some order -> each ordinal's position in it."""
    rank = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank


@dataclass
class FacetMemory:
    """The facet values of every indexed row at one index generation."""

    generation: int
    keys: list[str]  # code -> "field<separator>value"
    entry_ord: np.ndarray  # one entry per (row, value): the row's ordinal
    entry_code: np.ndarray  # ... and the value's code
    separator: str
    by_field: dict[str, tuple[np.ndarray, list[str]]] = field(default_factory=dict)
    max_ord: int = 0
    # paging: each row's index_id, and its rank in the tie-breaking orders
    # of CKAN's default sort (PostgreSQL's own order, collation included)
    index_ids: dict[int, str] = field(default_factory=dict)
    rank_by_id: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    rank_by_modified: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @classmethod
    def from_postings(cls, generation: int, postings: Iterable[tuple[str, Any]],
                      separator: str, by_id: Iterable[tuple[int, str]] = (),
                      by_modified: Any = None) -> FacetMemory:
        """``postings``: (key, ordinals of the rows holding it); ``by_id``:
        (ordinal, index_id) of every row in ``index_id`` order;
        ``by_modified``: ordinals in ``metadata_modified desc nulls last,
        index_id`` order; ordinals as ``array_send`` gives them."""
        keys: list[str] = []
        ords: list[np.ndarray] = []
        for key, packed in postings:
            keys.append(key)
            ords.append(ordinals(packed))
        entry_ord = np.concatenate(ords) if ords else np.zeros(0, dtype=np.int64)
        entry_code = np.repeat(np.arange(len(keys), dtype=np.int32),
                               [len(o) for o in ords]) if ords else np.zeros(0, np.int32)
        ids = dict(by_id)
        id_order = np.fromiter(ids, dtype=np.int64, count=len(ids))
        modified_order = ordinals(by_modified)
        max_ord = max([int(a.max()) for a in (entry_ord, id_order, modified_order) if len(a)],
                      default=0)
        memory = cls(generation, keys, entry_ord, entry_code, separator, max_ord=max_ord,
                     index_ids=ids, rank_by_id=_rank_of(id_order, max_ord + 1),
                     rank_by_modified=_rank_of(modified_order, max_ord + 1))
        grouped: dict[str, tuple[list[int], list[str]]] = {}
        for code, key in enumerate(keys):
            name, _, value = key.partition(separator)
            codes, values = grouped.setdefault(name, ([], []))
            codes.append(code)
            values.append(value)
        memory.by_field = {name: (np.array(codes, dtype=np.int64), values)
                           for name, (codes, values) in grouped.items()}
        return memory

    def count(self, matched: np.ndarray, fields: list[str], mincount: int,
              limit: int) -> list[list[Any]]:
        """Facet counts of the matched rows, shaped like the SQL path's
        result: [[field position, value, count]...], the ``limit`` largest
        counts per field (ties by value, in code point order like Solr),
        counts of at least ``mincount`` and never zero (a value no matched
        row holds is not listed)."""
        if not len(matched) or not len(self.entry_ord):
            return []
        size = max(self.max_ord, int(matched.max())) + 1
        mask = np.zeros(size, dtype=bool)
        mask[matched] = True
        counts = np.bincount(self.entry_code[mask[self.entry_ord]], minlength=len(self.keys))
        floor = max(mincount, 1)
        out: list[list[Any]] = []
        for position, name in enumerate(fields):
            if name not in self.by_field:
                continue
            codes, values = self.by_field[name]
            field_counts = counts[codes]
            kept = np.flatnonzero(field_counts >= floor)
            ranked = sorted((-int(field_counts[i]), values[i]) for i in kept)
            out.extend([position, value, -negative] for negative, value in ranked[:limit])
        return out


    def page(self, matched: np.ndarray, scores: np.ndarray, by_modified: bool, start: int,
             rows: int) -> list[list[Any]] | None:
        """The page of ``score desc[, metadata_modified desc], index_id asc``
        as [[index_id, score]...]; None if a row is unknown to this copy."""
        if not len(matched):
            return []
        if int(matched.max()) > self.max_ord:
            return None
        tie = (self.rank_by_modified if by_modified else self.rank_by_id)[matched]
        if len(tie) and int(tie.max()) == np.iinfo(np.int64).max:
            return None
        start, end = max(start, 0), max(start, 0) + max(rows, 0)
        candidates = np.arange(len(matched))
        if end < len(matched):
            # only rows scoring at least the end-th best can be on the page;
            # among those tied with it, only the best-ranked few
            kth = -np.partition(-scores, end - 1)[end - 1] if end > 0 else np.inf
            above = np.flatnonzero(scores > kth)
            tied = np.flatnonzero(scores == kth)
            need = end - len(above)
            if 0 < need < len(tied):
                tied = tied[np.argpartition(tie[tied], need - 1)[:need]]
            candidates = np.concatenate([above, tied[:max(need, 0)]])
        order = candidates[np.lexsort((tie[candidates], -scores[candidates]))][start:end]
        # float4 as PostgreSQL prints it (shortest exact digits)
        return [[self.index_ids[int(matched[i])], float(str(scores[i]))] for i in order]


Loader = Callable[[], FacetMemory]


class FacetMemoryHolder:
    """This process's facet memory, refreshed when the index moves on.

    A small index is reloaded on the spot by the query that finds the copy
    out of date; a large one (whose last load took longer than
    ``sync_load_ms``) is reloaded by a background thread while queries
    count in SQL, so that a burst of writes never makes searches wait.
    """

    def __init__(self, sync_load_ms: float = 50.0) -> None:
        self.sync_load_ms = sync_load_ms
        self._memory: FacetMemory | None = None
        self._lock = threading.Lock()
        self._loading = False
        self._last_load_ms = 0.0

    def current(self, generation: int) -> FacetMemory | None:
        memory = self._memory
        return memory if memory is not None and memory.generation == generation else None

    def refresh(self, load: Loader) -> FacetMemory | None:
        """Reload now when loading is quick (returns the new copy), else
        start a background load (returns None: count in SQL meanwhile)."""
        with self._lock:
            if self._loading:
                return None
            self._loading = True
        if self._last_load_ms <= self.sync_load_ms:
            return self._load(load)
        threading.Thread(target=self._load, args=(load,), daemon=True,
                         name="spmd-facet-memory").start()
        return None

    def _load(self, load: Loader) -> FacetMemory | None:
        started = time.perf_counter()
        try:
            memory = load()
        except Exception:  # searches go on counting in SQL
            log.exception("Embedded search: could not load the facet copy")
            return None
        finally:
            with self._lock:
                self._loading = False
            self._last_load_ms = (time.perf_counter() - started) * 1000
        current = self._memory
        if current is None or memory.generation >= current.generation:
            self._memory = memory
        return memory

    def clear(self) -> None:
        self._memory = None
        self._last_load_ms = 0.0
