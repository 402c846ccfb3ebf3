"""Atomic replacement of the outputs on disk (no CKAN needed beyond config)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ckanext.affluence import storage


@pytest.fixture
def root(ckan_config: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setitem(ckan_config, "ckanext.affluence.storage_path", str(tmp_path))
    return tmp_path


def stage(run_id: str, text: str) -> Path:
    staged = storage.staging_dir("pkg", run_id)
    (staged / "forecast.csv").write_text(text)
    return staged


def test_publish_swaps_the_current_link_in_one_step(root: Path) -> None:
    assert storage.output_file("pkg", "forecast.csv") is None
    storage.publish("pkg", "run1", stage("run1", "first"))
    assert storage.output_file("pkg", "forecast.csv").read_text() == "first"
    staged = stage("run2", "second")
    # Until the swap, readers still see the first run.
    assert storage.output_file("pkg", "forecast.csv").read_text() == "first"
    storage.publish("pkg", "run2", staged)
    assert storage.current_run_id("pkg") == "run2"
    assert storage.output_file("pkg", "forecast.csv").read_text() == "second"
    assert (root / "pkg" / "current").is_symlink()
    assert not staged.exists()
    assert not list((root / "pkg").glob(".current-*"))


def test_a_discarded_run_leaves_the_current_one(root: Path) -> None:
    storage.publish("pkg", "run1", stage("run1", "first"))
    storage.discard(stage("run2", "half-writ"))
    assert storage.output_file("pkg", "forecast.csv").read_text() == "first"
    assert not (root / "pkg" / "staging" / "run2").exists()


def test_prune_keeps_the_current_run(root: Path) -> None:
    for n in range(1, 5):
        storage.publish("pkg", f"run{n}", stage(f"run{n}", str(n)))
    storage.prune("pkg", keep=2)
    kept = sorted(p.name for p in (root / "pkg" / "runs").iterdir())
    assert kept == ["run3", "run4"]
    assert storage.output_file("pkg", "forecast.csv").read_text() == "4"
