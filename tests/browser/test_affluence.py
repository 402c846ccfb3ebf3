"""The crowding forecast page in headless Chromium: pick a stop, read the
chart and its table, send a traveller's report and see it listed.

The forecast is produced by the job's own code, synchronously
(``jobs.run_now``); the worker path is covered by ckanext-affluence's tests.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.ckan_config(
        "ckan.plugins",
        "spmd_search scheming_datasets scheming_organizations spmd affluence affluence_view"),
    pytest.mark.usefixtures("with_plugins"),
]


@pytest.fixture
def forecast(empty_site: None, with_plugins: None, ckan_config: Any, clean_redis: None,
             monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    from ckan.plugins import toolkit
    from werkzeug.datastructures import FileStorage

    from ckanext.affluence import jobs
    from ckanext.affluence.engine import synthetic

    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path / "storage"))
    monkeypatch.setitem(ckan_config, "ckanext.affluence.horizon_days", 2)
    gtfs = synthetic.write_network_gtfs(tmp_path / "gtfs.zip", lines=1, stops_per_line=4,
                                        first_hour=7, last_hour=10, headway_min=30)
    counts = synthetic.demo_counts(gtfs, tmp_path / "counts.csv", weeks=3, end=date(2025, 3, 30))
    org = factories.Organization()
    site = {"user": toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
            "ignore_auth": True, "affluence_job": True}
    dataset = toolkit.get_action("package_create")(dict(site), {
        "type": "transit-occupancy", "name": "frequentation-bus", "title": "Fréquentation bus",
        "owner_org": org["id"]})
    for path, role in ((gtfs, "timetable"), (counts, "counts")):
        with path.open("rb") as f:
            toolkit.get_action("resource_create")(dict(site), {
                "package_id": dataset["id"], "role": role, "url": path.name,
                "upload": FileStorage(stream=f, filename=path.name)})
    run = jobs.run_now(dataset["id"], "test")
    assert run["state"] == "succeeded", run.get("error")
    from ckan import model

    model.Session.commit()
    return dataset


def test_pick_a_stop_read_the_forecast_and_report(page: Page, forecast: dict[str, Any],
                                                  shot: Any) -> None:
    page.goto("/affluence/frequentation-bus")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prévision d'affluence")
    page.select_option("#affluence-stop", label="L01 arrêt 3")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("#affluence-stop")).to_have_value("L01S03")
    expect(page.locator("svg.affluence-chart")).to_be_visible()
    expect(page.locator("svg.affluence-heatmap")).to_be_visible()
    table = page.locator("table.affluence-table")
    expect(table).to_contain_text("07:00")
    expect(table.locator("tbody tr").first).to_contain_text(
        __import__("re").compile("faible|moyenne|forte"))
    shot("forecast")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    expect(page.locator("#affluence-stop")).to_be_visible()
    shot("phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.select_option("#affluence-report-stop", label="L01 arrêt 3")
    page.get_by_label("forte").check()
    page.get_by_role("button", name="Envoyer mon signalement").click()
    expect(page.get_by_text("Merci : votre signalement")).to_be_visible()
    expect(page.locator(".affluence-recent")).to_contain_text("L01 arrêt 3")
    expect(page.locator(".affluence-recent")).to_contain_text("forte")
    shot("reported")
