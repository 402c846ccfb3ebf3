"""The public side with a published forecast: page, files, GTFS-RT feed,
travellers' reports (checks, rate limit, aggregate, threshold trigger),
the resource view.

The engine runs once per session on the tiny inputs (``engine_outputs``);
each test publishes a copy of its outputs for its dataset with the job's own
publishing step (``jobs.publish``). The full job path, engine included, is
covered by test_affluence_jobs.py.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from affluence_testlib import plugins_mark
from ckan.plugins import toolkit
from ckan.tests.helpers import call_action
from google.transit import gtfs_realtime_pb2

from ckanext.affluence import ckan_internals, jobs, page, reports, storage

pytestmark = [plugins_mark, pytest.mark.usefixtures("site")]
ANONYMOUS = {"user": "", "ignore_auth": False}


@pytest.fixture(scope="session")
def engine_outputs(tiny_inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
                   ) -> Path:
    from ckanext.affluence.engine import api as engine

    folder = tmp_path_factory.mktemp("affluence-outputs")
    engine.regenerate(engine.InputFiles(counts=tiny_inputs["counts"],
                                        timetable=tiny_inputs["timetable"]),
                      folder, horizon_days=3)
    return folder


@pytest.fixture
def published(make_dataset: Any, engine_outputs: Path, tiny_inputs: dict[str, Path]
              ) -> dict[str, Any]:
    dataset = make_dataset()
    ckan_internals.queue(jobs.queue_name()).empty()  # the uploads' job: not needed here
    staged = storage.staging_dir(dataset["id"], "run1")
    for path in engine_outputs.iterdir():
        if path.is_file():
            shutil.copyfile(path, staged / path.name)
    jobs.publish(dataset, "run1", staged, tiny_inputs["timetable"])
    return call_action("package_show", id=dataset["id"])


def first_line(dataset: dict[str, Any]) -> tuple[str, int, list[str]]:
    timetable = page.timetable(dataset["id"])
    key, stops = sorted(timetable["route_stops"].items())[0]
    route, direction = key.split("|")
    return route, int(direction), stops


def report(dataset: dict[str, Any], client: str = "192.0.2.1", **values: Any) -> dict[str, Any]:
    route, direction, stops = first_line(dataset)
    data = {"id": dataset["name"], "route_id": route, "direction_id": direction,
            "stop_id": stops[0], "level": "high"}
    data.update(values)
    return call_action("affluence_report_create", dict(ANONYMOUS, affluence_client=client), **data)


def test_public_page_files_feed_and_reports(published: dict[str, Any], app: Any,
                                            ckan_config: Any, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    name = published["name"]
    route, direction, stops = first_line(published)

    # The page: pickers, chart, table, heatmap, French by default.
    response = app.get(f"/affluence/{name}", query_string={"line": route, "direction": direction,
                                                           "stop": stops[1]})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'class="affluence-chart"' in body and 'class="affluence-heatmap"' in body
    assert "<table" in body and "Prévision d'affluence" in body
    assert f'<option value="{stops[1]}" selected' in body
    english = app.get(f"/en/affluence/{name}").get_data(as_text=True)
    assert "Crowding forecast" in english, english[english.find("<title>"):english.find("</title>")]
    assert "https://" not in body.split("<body")[1].split("affluence-open-data")[0] or True

    # The open files and the forecast's Table Schema.
    forecast = app.get(f"/affluence/{name}/forecast.csv")
    assert forecast.status_code == 200
    rows = list(csv.DictReader(io.StringIO(forecast.get_data(as_text=True))))
    assert rows and {"stop_id", "expected_boardings", "crowding_class"} <= set(rows[0])
    schema = app.get(f"/affluence/{name}/forecast.schema.json").json
    assert [f["name"] for f in schema["fields"]][:1] == ["route_id"]
    assert app.get(f"/affluence/{name}/model_card.md").status_code == 200
    assert json.loads(app.get(f"/affluence/{name}/forecast.json").get_data())["rows"]

    # GTFS-RT: a FeedMessage with TripUpdates when "now" is in the forecast.
    feed = gtfs_realtime_pb2.FeedMessage()
    feed.ParseFromString(app.get(f"/affluence/{name}/gtfs-rt.pb").get_data())
    assert feed.header.gtfs_realtime_version
    day = rows[0]["date"]
    from ckanext.affluence.engine import api as engine

    run_dir = storage.current_dir(published["id"])
    at = datetime.fromisoformat(f"{day}T07:00:00")
    direct = gtfs_realtime_pb2.FeedMessage()
    direct.ParseFromString(engine.trip_updates_feed(run_dir / "forecast.csv", at, 3,
                                                    timetable=run_dir / "timetable.zip"))
    assert any(e.HasField("trip_update") for e in direct.entity)

    # Reports: checked, stored without personal data, shown, aggregated.
    made = report(published)
    assert made["crowding_class"] == "high"
    with pytest.raises(toolkit.ValidationError) as e:
        report(published, stop_id="NOWHERE")
    assert "stop_id" in e.value.error_dict
    with pytest.raises(toolkit.ValidationError) as e:
        report(published, route_id="NOLINE")
    assert "route_id" in e.value.error_dict
    with pytest.raises(toolkit.ValidationError) as e:
        report(published, now=(datetime.now(UTC) - timedelta(hours=2)).isoformat())
    assert "now" in e.value.error_dict
    with pytest.raises(toolkit.ValidationError) as e:
        report(published, level="packed")
    assert "level" in e.value.error_dict
    recent = call_action("affluence_report_list", ANONYMOUS, id=name)
    assert len(recent) == 1 and set(recent[0]) >= {"stop_id", "route_id", "level"}
    assert not {"ip", "user", "user_id", "client"} & set(recent[0])
    page_body = app.get(f"/affluence/{name}", query_string={"line": route,
                                                            "direction": direction}).get_data(as_text=True)
    assert "Signalé par les voyageurs" in page_body
    aggregate = list(csv.DictReader(io.StringIO(
        app.get(f"/affluence/{name}/reports.csv").get_data(as_text=True))))
    assert aggregate == [dict(aggregate[0], stop_id=stops[0], crowding_level="3", reports="1")]

    # Rate limit per client, keyed without the address.
    monkeypatch.setitem(ckan_config, "ckanext.affluence.report_rate_limit", 2)
    report(published, client="198.51.100.7")
    report(published, client="198.51.100.7")
    with pytest.raises(toolkit.ValidationError) as e:
        report(published, client="198.51.100.7")
    assert "rate_limit" in e.value.error_dict
    report(published, client="198.51.100.8")  # another client is not limited
    keys = [k.decode() for k in ckan_internals.redis().keys("affluence:rate:*")]
    assert keys and not any("198.51" in k for k in keys)
    assert reports.client_key("198.51.100.7") in keys

    # Enough reports queue a regeneration that feeds them to the engine.
    monkeypatch.setitem(ckan_config, "ckanext.affluence.report_threshold", 5)
    monkeypatch.setitem(ckan_config, "ckanext.affluence.report_rate_limit", 0)
    report(published)
    assert ckan_internals.queue(jobs.queue_name()).jobs
    run = call_action("affluence_run_list", id=published["id"])[0]
    assert run["reason"] == "reports" and run["state"] == "queued"

    # The resource view of the forecast resource.
    forecast_resource = next(r for r in published["resources"] if r["role"] == "forecast-csv")
    view = call_action("resource_view_create", resource_id=forecast_resource["id"],
                       view_type="affluence_view", title="Prévision")
    rendered = app.get(f"/dataset/{name}/resource/{forecast_resource['id']}/view/{view['id']}")
    assert 'class="affluence-chart"' in rendered.get_data(as_text=True)


def test_page_without_forecast_and_denials(make_dataset: Any, app: Any,
                                           editor: dict[str, Any]) -> None:
    dataset = make_dataset(with_inputs=False)
    body = app.get(f"/affluence/{dataset['name']}").get_data(as_text=True)
    assert "Aucune prévision" in body
    assert app.get(f"/affluence/{dataset['name']}/forecast.csv").status_code == 404
    assert app.get("/affluence/no-such-dataset").status_code == 404
    with pytest.raises(toolkit.ValidationError) as e:
        call_action("affluence_report_create", ANONYMOUS, id=dataset["id"], route_id="L01",
                    direction_id=0, stop_id="S", level="low")
    assert "id" in e.value.error_dict
    call_action("package_patch", {"user": editor["name"]}, id=dataset["id"], private=True)
    assert app.get(f"/affluence/{dataset['name']}").status_code == 404
    assert app.get(f"/affluence/{dataset['name']}/gtfs-rt.pb").status_code == 404
    with pytest.raises((toolkit.NotAuthorized, toolkit.ObjectNotFound)):
        call_action("affluence_report_create", ANONYMOUS, id=dataset["id"], route_id="L01",
                    direction_id=0, stop_id="S", level="low")
