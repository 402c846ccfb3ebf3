"""``ckan affluence demo load``: real GTFS feed, generated counts, a forecast
already published, idempotent. (The slowest test: one engine run on the
demo network.)"""
from __future__ import annotations

import csv
from datetime import date
from typing import Any

import pytest
from affluence_testlib import plugins_mark
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.affluence import demo, storage

pytestmark = [plugins_mark, pytest.mark.usefixtures("site", "with_extended_cli")]


def test_demo_load_publishes_a_forecast_once(cli: Any) -> None:
    from ckan.cli.cli import ckan as ckan_command

    result = cli.invoke(ckan_command, ["affluence", "demo", "load"])
    assert result.exit_code != 0 and "ckan spmd demo load" in result.output

    factories.Organization(name=demo.ORGANIZATION, title="Belle Mobilités")
    # The command's path with a smaller network (one line, three weeks): the
    # engine's time on the full demo is not this test's concern.
    lines: list[str] = []
    demo.load(lines.append, weeks=3, routes=1)
    assert any("Forecast published" in line for line in lines), lines
    dataset = call_action("package_show", id=demo.NAME)
    assert dataset["organization"]["name"] == demo.ORGANIZATION
    assert dataset["type"] == "transit-occupancy"
    roles = sorted(r["role"] for r in dataset["resources"])
    assert roles == sorted(["timetable", "counts", "forecast-csv", "forecast-json",
                            "model-card", "reports", "gtfs-rt"])
    run = storage.current_run_id(dataset["id"])
    assert run is not None
    # The old feed was moved to the present: the forecast covers the coming
    # days (from today, or the next day the line runs).
    with (storage.current_dir(dataset["id"]) / "forecast.csv").open() as f:
        first = date.fromisoformat(min(row["date"] for row in csv.DictReader(f)))
    assert 0 <= (first - date.today()).days <= 2, first

    again = cli.invoke(ckan_command, ["affluence", "demo", "load"])
    assert again.exit_code == 0, again.output
    assert "already exists" in again.output and "already published" in again.output
    assert len(call_action("package_show", id=demo.NAME)["resources"]) == len(roles)
    assert storage.current_run_id(dataset["id"]) == run
