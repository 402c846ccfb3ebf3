"""Fixtures of the engine tests: pure Python, small data, no CKAN."""
from __future__ import annotations

from pathlib import Path

import pytest
from enginelib import END, START

from ckanext.affluence.data import gtfs_path
from ckanext.affluence.engine import gtfs, model, synthetic

__all__ = ["END", "START"]


@pytest.fixture(autouse=True)
def _few_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    # a handful of boosting rounds keeps each run to seconds on tiny data
    monkeypatch.setattr(model, "ROUNDS", 8)


@pytest.fixture(scope="session")
def sample_gtfs() -> Path:
    return gtfs_path("sample_gtfs.zip")


@pytest.fixture(scope="session")
def stop_slot_csv(tmp_path_factory, sample_gtfs) -> Path:
    feed = gtfs.get_feed(sample_gtfs)
    df = synthetic.stop_slot_counts(feed, START, END, seed=3)
    path = tmp_path_factory.mktemp("counts") / "stop_slot.csv"
    df.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def board_alight_csv(tmp_path_factory, sample_gtfs) -> Path:
    feed = gtfs.get_feed(sample_gtfs)
    df = synthetic.board_alight_counts(feed, START, END, routes=["AB", "BFC"], seed=4)
    path = tmp_path_factory.mktemp("counts") / "board_alight.txt.csv"
    df.to_csv(path, index=False)
    return path


