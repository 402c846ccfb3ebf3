"""Result cache of the embedded search backend (pure Python).

Solr answers a repeated query from its ``queryResultCache`` and faceting
from cached document sets; the embedded backend keeps, per process, the
result of each recent query (hits, page ids, facet counts: not the
documents, which are read fresh by id).

An entry is only served while the index is exactly as it was when the
entry was computed. PostgreSQL keeps an index *generation* (migration
0005): every transaction that changes the index adds one to it at commit,
in commit order, so two statements that read the same generation see the
same committed index. The caller reads the generation with the query
(same statement, same snapshot) when it stores an entry, and on its own
before looking one up. A transaction that has itself written to the index
(not yet committed, so the generation does not show it) bypasses the cache.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

GENERATION_SQL = "SELECT generation FROM spmd_search_generation WHERE singleton"


def cache_key(sql: str, values: dict[str, Any]) -> str:
    """The statement and its parameters (permission labels included, so
    that users who may see different datasets never share an entry)."""
    return sql + "\x00" + json.dumps(values, sort_keys=True, default=str)


class ResultCache:
    """A thread-safe LRU of query results, each tagged with the index
    generation it was computed at."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, generation: int) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != generation:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, generation: int, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = (generation, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def resize(self, size: int) -> None:
        with self._lock:
            self.size = size
            while len(self._entries) > max(size, 0):
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


_RESULTS = ResultCache(0)


def results(size: int) -> ResultCache | None:
    """This process's cache at the configured size; None when disabled."""
    if size != _RESULTS.size:
        _RESULTS.resize(size)
    return _RESULTS if size > 0 else None
