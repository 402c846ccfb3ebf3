"""The CKAN and ckanext-scheming internals the plugin relies on, and its
migration: these fail if CKAN or scheming change under them."""
from __future__ import annotations

from typing import Any

import pytest
import rq
import sqlalchemy as sa
from affluence_testlib import plugins_mark
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.affluence import ckan_internals, jobs, scheming_registry

pytestmark = [plugins_mark]


@pytest.mark.usefixtures("site")
def test_redis_queue_and_job_lookup() -> None:
    redis = ckan_internals.redis()
    assert redis.ping()
    queue = ckan_internals.queue(jobs.queue_name())
    assert isinstance(queue, rq.Queue)
    assert ckan_internals.fetch_job("no-such-job") is None
    job = queue.enqueue_call(func=print, args=("x",), job_id="affluence-internals-test")
    assert ckan_internals.fetch_job("affluence-internals-test").id == job.id
    assert ckan_internals.worker([jobs.queue_name()]).work(burst=True)


@pytest.mark.usefixtures("site")
def test_upload_path_of_an_uploaded_resource(make_dataset: Any) -> None:
    dataset = make_dataset()
    for resource in dataset["resources"]:
        path = ckan_internals.upload_path(resource)
        assert path and open(path, "rb").read(2)
    assert ckan_internals.upload_path({"url_type": "", "id": "x"}) is None


@pytest.mark.usefixtures("site")
def test_schema_is_registered_in_scheming_whatever_the_plugin_order() -> None:
    from ckan.plugins import toolkit

    assert scheming_registry.SCHEMA in toolkit.config[scheming_registry.OPTION].split()
    schema = call_action("scheming_dataset_schema_show", type="transit-occupancy")
    assert any(f["field_name"] == "role" for f in schema["resource_fields"])


def test_migration_creates_and_drops_the_tables(clean_db: None, with_plugins: None,
                                                migrate_db_for: Any) -> None:
    inspector = sa.inspect(model.meta.engine)
    assert {"affluence_run", "affluence_validation", "affluence_report"} <= set(
        inspector.get_table_names())
    migrate_db_for("affluence", "base", forward=False)
    inspector = sa.inspect(model.meta.engine)
    assert "affluence_run" not in inspector.get_table_names()
    migrate_db_for("affluence")
    assert "affluence_report" in sa.inspect(model.meta.engine).get_table_names()
