"""Index maintenance from the command line, on the embedded backend."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("search_backend")


def rows() -> int:
    return model.Session.execute(sa.text("SELECT count(*) FROM spmd_search_doc")).scalar_one()


@pytest.fixture
def three(search_backend):
    if search_backend != "postgres":
        pytest.skip("counts rows of the embedded index table")
    org = factories.Organization()
    return [factories.Dataset(owner_org=org["id"], title=f"Jeu {i}") for i in range(3)]


def test_core_clear_and_rebuild(cli, three):
    assert rows() == 3
    result = cli.invoke(ckan_command, ["search-index", "clear"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert rows() == 0
    assert helpers.call_action("package_search")["count"] == 0
    result = cli.invoke(ckan_command, ["search-index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexing dataset 3/3" in result.output
    model.Session.remove()
    assert rows() == 3
    assert helpers.call_action("package_search")["count"] == 3


def test_core_show(cli, three):
    result = cli.invoke(ckan_command, ["search-index", "show", three[0]["name"]])
    assert result.exit_code == 0, result.output
    assert three[0]["id"] in result.output


def test_batched_rebuild_with_progress(cli, three):
    cli.invoke(ckan_command, ["search-index", "clear"])
    model.Session.execute(sa.text(
        "INSERT INTO spmd_search_doc (index_id, id, site_id, tsv) "
        "VALUES ('orphan', 'no-such-dataset', 'x', ''::tsvector)"))
    model.Session.commit()
    result = cli.invoke(ckan_command, ["spmd-search", "rebuild", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "Indexed 3 datasets" in result.output
    assert "removed 1 orphans" in result.output
    assert "3/3" in result.output  # tqdm progress bar
    model.Session.remove()
    assert rows() == 3


def test_stats(cli, three):
    result = cli.invoke(ckan_command, ["spmd-search", "stats"])
    assert result.exit_code == 0, result.output
    assert "active\t3" in result.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_rebuild_inline_and_in_worker_processes(cli, three, workers):
    cli.invoke(ckan_command, ["search-index", "clear"])
    model.Session.remove()
    assert rows() == 0
    result = cli.invoke(ckan_command, ["spmd-search", "rebuild", "--workers", workers,
                                       "--batch-size", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Indexed 3 datasets" in result.output
    assert f"{workers} workers" in result.output
    model.Session.remove()
    assert rows() == 3
    assert helpers.call_action("package_search", q="jeu")["count"] == 3
