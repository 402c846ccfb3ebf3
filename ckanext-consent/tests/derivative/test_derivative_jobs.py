"""The regeneration job through CKAN's jobs API and a real rq worker.

Real PostgreSQL, Redis, consent registry and uploads; the worker runs in
burst mode in-process (CKAN's ``with_test_worker``: rq's SimpleWorker, no
fork), as CKAN's own job tests do.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from ckan.lib import jobs as ckan_jobs
from ckan.plugins import toolkit
from ckan.tests import factories
from consent_testing import PLUGINS, World, upload

from ckanext.consent import storage
from ckanext.consent.derivative import jobs, publish

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckanext.consent.derivative.debounce_seconds", "0.2"),
    pytest.mark.ckan_config("ckanext.consent.derivative.max_wait_seconds", "2"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "with_test_worker"),
]

# Eight persons, threshold 3: "1 rue A" is published on its own (K1-K3);
# "2 rue A" and "3 rue A" (K4-K6) make the street remainder of rue A; the two
# persons of rue B (I2) are withheld.
ROWS = [
    ("K1", "1 rue A", "rue A", "I1", "100"), ("K1", "1 rue A", "rue A", "I1", "50"),
    ("K2", "1 rue A", "rue A", "I1", "200"), ("K3", "1 rue A", "rue A", "I1", "300"),
    ("K4", "2 rue A", "rue A", "I1", "10"), ("K5", "3 rue A", "rue A", "I1", "20"),
    ("K6", "3 rue A", "rue A", "I1", "30"), ("K7", "1 rue B", "rue B", "I2", "7"),
    ("K8", "1 rue B", "rue B", "I2", "8"),
]
KEYS = sorted({r[0] for r in ROWS})


def csv_text(rows: list[tuple[str, ...]]) -> str:
    return "person_key,address,street,iris,kwh\n" + "".join(",".join(r) + "\n" for r in rows)


def run_worker() -> None:
    ckan_jobs.Worker(["default"]).work(burst=True)


def queued() -> int:
    return len(toolkit.get_job_queue().get_job_ids())


class Setup:
    def __init__(self, world: World) -> None:
        self.world = world
        self.persons: dict[str, dict[str, Any]] = {}
        self.consents: dict[str, str] = {}

    @property
    def dataset_id(self) -> str:
        return self.world.dataset["id"]

    def upload(self, text: str) -> None:
        self.world.call("resource_patch", self.world.producer, id=self.world.resource["id"],
                        upload=upload(text), url="data.csv")

    def consent(self, keys: list[str]) -> None:
        codes = self.world.call("consent_codes_issue", self.world.producer,
                                id=self.dataset_id, keys=keys)["codes"]
        for issued in codes:
            person = factories.User()
            self.persons[issued["person_key"]] = person
            self.world.call("consent_code_redeem", person, code=issued["code"])
            given = self.world.call("consent_give", person, id=self.dataset_id,
                                    purposes=["open-statistics"],
                                    recipients=[self.world.recipient_org["id"]])
            self.consents[issued["person_key"]] = given.get("consent_id") or given.get("id")

    def withdraw(self, key: str) -> None:
        self.world.call("consent_withdraw", self.persons[key], id=self.dataset_id,
                        consent_id=self.consents[key])

    def derivative(self) -> dict[str, Any]:
        return self.world.call("package_show", None, id="defi-energie-agrege")

    def published(self) -> pd.DataFrame:
        resource = self.derivative()["resources"][0]
        path = storage.upload_path(resource)
        assert path is not None
        return pd.read_csv(path, dtype={"iris_code": str})

    def status(self) -> dict[str, Any]:
        return self.world.call("consent_derivative_status", self.world.producer,
                               id=self.dataset_id)


@pytest.fixture
def setup(clean_redis: None, world: World) -> Setup:
    world.call("package_patch", world.producer, id=world.dataset["id"],
               address_column="address", street_column="street", iris_column="iris",
               measure_columns=["kwh"], derivative_threshold=3)
    s = Setup(world)
    s.upload(csv_text(ROWS))
    s.consent(KEYS)
    return s


def cells(table: pd.DataFrame) -> dict[tuple[str, str], int]:
    return {(r.level, r.zone_label): r.persons for r in table.itertuples()}


def test_a_burst_of_events_gives_one_run_and_an_open_public_aggregate(setup: Setup,
                                                                     app: Any) -> None:
    # The upload and the eight consents above already asked for a run.
    for _ in range(5):
        jobs.request_regeneration(setup.dataset_id)
    assert queued() == 1
    run_worker()
    status = setup.status()
    assert status["runs"] == 1 and status["state"] == "ok" and not status["pending"]
    assert status["derivative"] == "defi-energie-agrege"
    assert not any(key in repr(status) for key in KEYS)   # the status names no person
    # Expiry is no event: a request is planned for the first counted expiry.
    scheduled = toolkit.get_job_queue().scheduled_job_registry
    assert status["next_expiry"] and len(scheduled.get_job_ids()) == 1
    planned = toolkit.job_from_id(scheduled.get_job_ids()[0])
    assert planned.func_name.endswith("jobs.request_regeneration")
    assert planned.args == (setup.dataset_id,)
    jobs.run_once(setup.dataset_id)                          # same expiry: not planned twice
    assert len(scheduled.get_job_ids()) == 1

    table = setup.published()
    assert cells(table) == {("address", "1 rue A"): 3, ("street", "rue A"): 3}
    assert table.loc[table["level"] == "address", "kwh_sum"].item() == 650.0

    derivative = setup.derivative()          # anonymous package_show
    assert derivative["access_class"] == "open" and derivative["private"] is False
    assert derivative["territorial_typology"] == "territory"
    assert derivative["title"] == "Défi énergie (agrégat anonymisé)"
    assert derivative["owner_org"] == setup.world.producer_org["id"]
    resource = derivative["resources"][0]
    assert resource["url"] and not resource.get("spmd_masked")
    assert "2 persons withheld" in resource["description"]

    # Anyone downloads it, and it holds no key column and no key.
    response = app.get(resource["url"])
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.splitlines()[0] == ("level,zone_code,zone_label,iris_code,iris_label,street,"
                                    "persons,kwh_sum")
    assert "person_key" not in body and not any(key in body for key in KEYS)


def test_a_withdrawal_shows_in_the_next_run(setup: Setup) -> None:
    run_worker()
    setup.withdraw("K1")
    assert queued() == 1
    run_worker()
    # "1 rue A" falls to 2 persons: its rows join the street remainder.
    assert cells(setup.published()) == {("street", "rue A"): 5}
    assert setup.status()["runs"] == 2


def test_a_failed_run_keeps_the_previous_aggregate(setup: Setup) -> None:
    run_worker()
    before = setup.published()
    broken = [*ROWS[:-1], ("K8", "1 rue B", "rue B", "I2", "beaucoup")]
    setup.upload(csv_text(broken))           # valid CSV, but not a number
    run_worker()
    status = setup.status()
    assert status["state"] == "error"
    assert status["last_error"] == ("file 'consommations', row 10, column 'kwh': "
                                    "measure is not a number")
    pd.testing.assert_frame_equal(setup.published(), before)
    # Fixing the file publishes again.
    setup.upload(csv_text(ROWS))
    run_worker()
    assert setup.status()["state"] == "ok"


def test_a_storage_failure_is_retried_and_keeps_the_file(setup: Setup,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    run_worker()
    resource = setup.derivative()["resources"][0]
    path = storage.upload_path(resource)
    assert path is not None
    with open(path, "rb") as stream:
        before = stream.read()

    def full_disk(target: str, content: bytes) -> None:  # the disk is the border
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "_replace_file", full_disk)
    setup.withdraw("K1")
    run_worker()
    status = setup.status()
    assert status["state"] == "retrying" and "No space left" in status["last_error"]
    assert status["pending"]                 # the lease waits for rq's retry
    with open(path, "rb") as stream:
        assert stream.read() == before
    job = toolkit.job_from_id(status["job_id"])
    assert job.get_status() == "scheduled" and job.retries_left == len(jobs.RETRY_INTERVALS) - 1


def test_requests_during_a_run_give_a_second_round(setup: Setup,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    original = publish.regenerate_now
    calls: list[str] = []

    def regenerate_with_an_event(dataset_id: str) -> dict[str, Any]:
        calls.append(dataset_id)
        if len(calls) == 1:
            jobs.request_regeneration(dataset_id)   # a consent arrives mid-run
        return original(dataset_id)

    monkeypatch.setattr(publish, "regenerate_now", regenerate_with_an_event)
    run_worker()
    assert len(calls) == 2 and queued() == 0
    status = setup.status()
    assert status["runs"] == 2 and not status["pending"] and status["pending_requests"] == 0
    # The second round found the same figures: the resource was left alone.
    assert status["changed"] == "False"


def test_the_actions_are_for_the_producer(setup: Setup) -> None:
    world = setup.world
    for user in (None, world.alice, world.recipient, world.other_org_member):
        for action in ("consent_derivative_regenerate", "consent_derivative_status"):
            with pytest.raises(toolkit.NotAuthorized):
                world.call(action, user, id=setup.dataset_id)
    run_worker()
    result = world.call("consent_derivative_regenerate", world.producer, id=setup.dataset_id)
    assert result["pending"] and queued() == 1
    assert world.call("consent_derivative_status", world.sysadmin,
                      id=setup.dataset_id)["derivative"] == "defi-energie-agrege"
    # Deleting the open dataset stops the publication: the job does not revive it.
    world.call("package_delete", world.producer, id="defi-energie-agrege")
    run_worker()
    status = setup.status()
    assert status["state"] == "error" and "was deleted" in status["last_error"]
    assert status["derivative"] is None
    assert world.call("package_show", world.sysadmin, id="defi-energie-agrege")["state"] == "deleted"


def test_zones_place_rows_by_coordinates(setup: Setup) -> None:
    world = setup.world
    zones = ('{"type": "FeatureCollection", "features": [{"type": "Feature", '
             '"properties": {"code": "Z1", "name": "Quartier Nord"}, "geometry": '
             '{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}')
    world.call("resource_create", world.producer, package_id=setup.dataset_id,
               name="iris", resource_role="zones", format="GeoJSON",
               upload=upload(zones, "iris.geojson"), url="iris.geojson")
    world.call("package_patch", world.producer, id=setup.dataset_id, address_column="",
               street_column="", iris_column="", latitude_column="lat",
               longitude_column="lon")
    rows = "".join(f"K{i},0.5,0.{i},{i}\n" for i in range(1, 9))
    setup.upload("person_key,lat,lon,kwh\n" + rows)
    run_worker()
    assert setup.status()["state"] == "ok"
    table = setup.published()
    assert table[["zone_code", "zone_label", "persons", "kwh_sum"]].values.tolist() == [
        ["iris:Z1", "Quartier Nord", 8, 36.0]]


def test_demo_load_adds_zones_and_runs_the_first_derivative(setup: Setup) -> None:
    from ckanext.consent.derivative import demo

    setup.world.call("package_patch", setup.world.producer, id=setup.dataset_id,
                     address_column="", street_column="", iris_column="")
    rows = demo.residents(60)
    text = "person_key,address,street,latitude,longitude,kwh\n" + "".join(
        "{person_key},{address},{street},{latitude},{longitude},{kwh}\n".format(
            **{k: str(v).replace(",", " ") for k, v in r.items()}) for r in rows)
    setup.upload(text)
    messages: list[str] = []
    summary = demo.load(setup.dataset_id, echo=messages.append)
    assert summary["published_cells"] >= 0 and "zones file added" in messages[0]
    assert setup.status()["state"] == "ok"
    again = demo.load(setup.dataset_id, echo=messages.append)   # idempotent
    assert again["changed"] is False and len(messages) == 3
