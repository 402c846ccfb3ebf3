"""Regeneration jobs with a real rq worker (CKAN's jobs API and worker class)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from affluence_testlib import plugins_mark, upload, work
from ckan.plugins import toolkit
from ckan.tests.helpers import call_action

from ckanext.affluence import ckan_internals, jobs, storage

pytestmark = [plugins_mark, pytest.mark.usefixtures("site")]

BROKEN_COUNTS = b"stop_id,slot_start,boardings\nNOWHERE,2025-13-45T08:00,many\n"


def queued_jobs() -> list[Any]:
    return ckan_internals.queue(jobs.queue_name()).jobs


def runs(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    return call_action("affluence_run_list", id=dataset["id"])


def roles(dataset_id: str) -> dict[str, dict[str, Any]]:
    shown = call_action("package_show", id=dataset_id)
    return {r["role"]: r for r in shown["resources"]}


def test_publish_then_bad_upload_then_failures_keep_the_last_forecast(
        make_dataset: Any, editor: dict[str, Any], create_with_upload: Any) -> None:
    """One engine run (the slow part), then failures that must not touch it."""
    dataset = make_dataset()  # timetable + counts: two triggers
    assert len(queued_jobs()) == 1
    [run] = runs(dataset)
    assert run["state"] == "queued"
    job = queued_jobs()[0]
    assert job.id == jobs.job_ids(dataset["id"])[0]
    assert job.timeout == toolkit.config["ckanext.affluence.job_timeout"]
    assert job.retries_left == 2

    work()

    run = call_action("affluence_run_show", id=run["id"])
    assert run["state"] == "succeeded", (run["error"], run["errors"])
    assert run["duration"] > 0 and run["metrics"]["used"] in ("model", "baseline")
    assert run["metrics"]["model"]["wape"] is not None
    outputs = roles(dataset["id"])
    assert {"forecast-csv", "forecast-json", "model-card", "reports", "gtfs-rt"} <= set(outputs)
    assert outputs["forecast-csv"]["url"].endswith(f"/affluence/{dataset['name']}/forecast.csv")
    assert outputs["forecast-csv"]["schema"].endswith("/forecast.schema.json")
    assert outputs["counts"]["affluence_validation"]["status"] == "valid"
    assert not queued_jobs()  # publishing the outputs triggered nothing
    good_run = storage.current_run_id(dataset["id"])
    assert good_run == run["id"]
    good = storage.output_file(dataset["id"], "forecast.csv").read_bytes()

    # A broken upload: errors per file, row, column; the forecast stays.
    counts = outputs["counts"]
    create_with_upload(BROKEN_COUNTS, "counts.csv", context={"user": editor["name"]},
                       action="resource_update", id=counts["id"], role="counts", url="counts.csv")
    assert call_action("affluence_validation_show", resource_id=counts["id"])["status"] == "pending"
    work()
    run = runs(dataset)[0]
    assert run["state"] == "failed"
    assert run["error"].startswith("Invalid inputs")
    assert run["attempts"] == 1  # bad inputs are not retried
    check = call_action("affluence_validation_show", {"user": "", "ignore_auth": False},
                        resource_id=counts["id"])
    assert check["status"] == "invalid"
    assert set(check["errors"][0]) == {"file", "row", "column", "reason"}
    assert all(e["file"].startswith("counts") for e in check["errors"])
    assert any(e["row"] == 1 for e in check["errors"])
    assert roles(dataset["id"])["counts"]["affluence_validation"]["status"] == "invalid"
    assert storage.current_run_id(dataset["id"]) == good_run
    assert storage.output_file(dataset["id"], "forecast.csv").read_bytes() == good

    # A job that fails on every attempt (a file where it stages its outputs,
    # which stops even root): retried twice, then failed; the forecast stays.
    staging = storage.dataset_dir(dataset["id"]) / "staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.write_text("not a folder")
    run = call_action("affluence_regenerate", id=dataset["id"])
    work()
    run = call_action("affluence_run_show", id=run["id"])
    assert run["state"] == "failed"
    assert run["attempts"] == 3  # the first try and two retries
    assert "FileExistsError" in run["error"] or "NotADirectoryError" in run["error"], run["error"]
    assert storage.current_run_id(dataset["id"]) == good_run
    assert storage.output_file(dataset["id"], "forecast.csv").read_bytes() == good


def test_triggers_while_waiting_are_deduplicated(make_dataset: Any) -> None:
    dataset = make_dataset(with_inputs=False)
    first = call_action("affluence_regenerate", id=dataset["id"])
    again = call_action("affluence_regenerate", id=dataset["id"])
    assert again["id"] == first["id"]
    assert len(queued_jobs()) == 1
    assert len(runs(dataset)) == 1


def test_a_run_waits_for_the_running_one(make_dataset: Any, ckan_config: Any,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Never two runs of a dataset at once: the lock of a run in progress
    (here held by hand) makes the next one wait, and give up at its timeout."""
    monkeypatch.setitem(ckan_config, "ckanext.affluence.job_timeout", 2)
    monkeypatch.setitem(ckan_config, "ckanext.affluence.job_retries", 0)
    published = make_dataset(with_inputs=False)
    redis = ckan_internals.redis()
    redis.set(jobs.LOCK_KEY.format(published["id"]), "someone-else", ex=30)
    run = call_action("affluence_regenerate", id=published["id"])
    work()
    run = call_action("affluence_run_show", id=run["id"])
    assert run["state"] == "failed"
    assert "did not end in time" in run["error"]
    assert storage.current_dir(published["id"]) is None


def test_only_editors_regenerate_and_the_history_is_public(make_dataset: Any) -> None:
    published = make_dataset(with_inputs=False)
    call_action("affluence_regenerate", id=published["id"])
    with pytest.raises(toolkit.NotAuthorized):
        call_action("affluence_regenerate", {"user": "", "ignore_auth": False},
                    id=published["id"])
    history = call_action("affluence_run_list", {"user": "", "ignore_auth": False},
                          id=published["id"])
    assert history[0]["state"] == "queued"
    latest = call_action("affluence_run_show", id="latest", package_id=published["name"])
    assert latest["id"] == history[0]["id"]


def test_private_dataset_runs_are_not_shown_to_strangers(make_dataset: Any,
                                                         editor: dict[str, Any]) -> None:
    dataset = make_dataset(with_inputs=False)
    call_action("package_patch", {"user": editor["name"]}, id=dataset["id"], private=True)
    call_action("affluence_regenerate", {"user": editor["name"]}, id=dataset["id"])
    with pytest.raises((toolkit.NotAuthorized, toolkit.ObjectNotFound)):
        call_action("affluence_run_list", {"user": "", "ignore_auth": False}, id=dataset["id"])


def test_missing_counts_fail_with_a_clear_error(make_dataset: Any, editor: dict[str, Any],
                                                create_with_upload: Any,
                                                tiny_inputs: dict[str, Path]) -> None:
    dataset = make_dataset(with_inputs=False)
    upload(create_with_upload, dataset, tiny_inputs["timetable"], "timetable", editor)
    work()
    run = runs(dataset)[0]
    assert run["state"] == "failed"
    assert "no passenger counts" in run["error"]
    assert storage.current_dir(dataset["id"]) is None


def test_nightly_command_queues_every_dataset(make_dataset: Any, cli: Any) -> None:
    from ckan.cli.cli import ckan as ckan_command

    first = make_dataset("reseau-a", with_inputs=False)
    second = make_dataset("reseau-b", with_inputs=False)
    result = cli.invoke(ckan_command, ["affluence", "regenerate", "--all"])
    assert result.exit_code == 0, result.output
    assert "reseau-a" in result.output and "reseau-b" in result.output
    assert {job.args[0] for job in queued_jobs()} == {first["id"], second["id"]}
    assert runs(first)[0]["reason"] == "nightly"


def test_dataset_page_shows_runs_and_the_button_to_editors(
        make_dataset: Any, editor: dict[str, Any], app: Any) -> None:
    dataset = make_dataset(with_inputs=False)
    call_action("affluence_regenerate", id=dataset["id"])
    from ckan.tests import factories

    token = factories.APIToken(user=editor["name"])["token"]
    as_editor = app.get(f"/dataset/{dataset['name']}",
                        headers={"Authorization": token}).get_data(as_text=True)
    assert "affluence-status" in as_editor
    assert "Régénérer la prévision" in as_editor
    assert "en attente" in as_editor  # the queued run, in the history table
    anonymous = app.get(f"/dataset/{dataset['name']}").get_data(as_text=True)
    assert "affluence-status" in anonymous and "Régénérer la prévision" not in anonymous
    response = app.post(f"/affluence/{dataset['name']}/regenerate")
    assert response.status_code in (403, 302)
    assert len(runs(dataset)) == 1
