"""Fixtures of the CKAN-side tests of ckanext-affluence (tests/engine/ has its own).

Real components: PostgreSQL, Redis (the db of CKAN_REDIS_URL), rq through
CKAN's jobs API and CKAN's own worker class, run in burst mode in this
process (``with_test_worker``: no fork). Inputs are tiny: one synthetic line
of four stops, three weeks of counts.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from affluence_testlib import COUNTS_END, upload
from ckan.tests import factories


@pytest.fixture(scope="session")
def tiny_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from ckanext.affluence.engine import synthetic

    folder = tmp_path_factory.mktemp("affluence-inputs")
    gtfs = synthetic.write_network_gtfs(folder / "gtfs.zip", lines=1, stops_per_line=4,
                                        first_hour=7, last_hour=10, headway_min=30)
    counts = synthetic.demo_counts(gtfs, folder / "counts.csv", weeks=3, end=COUNTS_END)
    return {"timetable": gtfs, "counts": counts}


@pytest.fixture
def affluence_config(ckan_config: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Storage in a temporary folder; retries without waiting; no auto trigger."""
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path / "storage"))
    monkeypatch.setitem(ckan_config, "ckanext.affluence.job_retries", 2)
    monkeypatch.setitem(ckan_config, "ckanext.affluence.job_retry_intervals", "0")
    monkeypatch.setitem(ckan_config, "ckanext.affluence.report_threshold", 0)
    monkeypatch.setitem(ckan_config, "ckanext.affluence.horizon_days", 3)
    return tmp_path / "storage"


@pytest.fixture
def site(clean_db: None, clean_index: None, clean_redis: None, clean_queues: None,
         with_plugins: None, affluence_config: Path, with_test_worker: None,
         app: Any) -> Path:
    # ``app``: CKAN's app with the dataset type's blueprints (resource URLs);
    # no request context is kept open, so every test request gets its own
    # (and its own language).
    return affluence_config


@pytest.fixture
def editor() -> dict[str, Any]:
    return factories.User()


@pytest.fixture
def organization(editor: dict[str, Any]) -> dict[str, Any]:
    return factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])


@pytest.fixture
def make_dataset(site: Path, organization: dict[str, Any], editor: dict[str, Any],
                 create_with_upload: Callable[..., Any], tiny_inputs: dict[str, Path]
                 ) -> Callable[..., dict[str, Any]]:
    """A transit-occupancy dataset with its timetable and counts uploaded."""
    def make(name: str = "frequentation-test", with_inputs: bool = True) -> dict[str, Any]:
        from ckan.tests.helpers import call_action

        dataset = call_action("package_create", {"user": editor["name"]},
                              type="transit-occupancy", name=name, title="Fréquentation test",
                              owner_org=organization["id"])
        if with_inputs:
            upload(create_with_upload, dataset, tiny_inputs["timetable"], "timetable", editor)
            upload(create_with_upload, dataset, tiny_inputs["counts"], "counts", editor)
        return call_action("package_show", id=dataset["id"])
    return make
