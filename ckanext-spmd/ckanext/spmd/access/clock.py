"""The access module's clock: one function, so that tests can freeze it
(``monkeypatch.setattr(clock, "now", ...)``). Naive UTC, like CKAN's model."""
from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
