"""The index row is written in the dataset's own transaction."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model
from ckan import plugins as p
from ckan.lib.search.common import SearchIndexError
from ckan.tests import factories, helpers


class BreaksIndexing(p.SingletonPlugin):
    """Sends Solr a value its schema refuses, for titles saying so."""

    p.implements(p.IPackageController, inherit=True)

    def before_dataset_index(self, pkg_dict):
        if "BROKEN" in (pkg_dict.get("title") or ""):
            pkg_dict["views_total"] = "not a number"
        return pkg_dict


def index_rows(name: str) -> int:
    return model.Session.execute(
        sa.text("SELECT count(*) FROM spmd_search_doc WHERE fields->'name' ? :n"), {"n": name}
    ).scalar_one()


@pytest.mark.provide_plugin("breaks_indexing", BreaksIndexing)
@pytest.mark.ckan_config("ckan.plugins", "spmd_search breaks_indexing")
@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestAtomicity:
    def test_failed_index_write_leaves_no_dataset(self):
        org = factories.Organization()
        with pytest.raises(SearchIndexError, match="views_total"):
            helpers.call_action("package_create", name="broken", title="BROKEN data",
                                owner_org=org["id"])
        model.Session.rollback()
        assert model.Package.get("broken") is None
        assert index_rows("broken") == 0

    def test_failed_update_keeps_previous_dataset_and_index(self):
        org = factories.Organization()
        factories.Dataset(name="fine", title="Fine data", owner_org=org["id"])
        with pytest.raises(SearchIndexError):
            helpers.call_action("package_patch", id="fine", title="BROKEN now")
        model.Session.rollback()
        assert model.Package.get("fine").title == "Fine data"
        result = helpers.call_action("package_search", q="fine")
        assert [r["title"] for r in result["results"]] == ["Fine data"]

    def test_index_row_commits_with_dataset(self):
        org = factories.Organization()
        factories.Dataset(name="kept", title="Kept", owner_org=org["id"])
        model.Session.remove()  # a fresh session sees only committed rows
        assert index_rows("kept") == 1
