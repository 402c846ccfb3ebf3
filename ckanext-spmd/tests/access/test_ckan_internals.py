"""Fails if CKAN changes under ckanext/spmd/access/ckan_internals.py or
under what the channels rely on."""
from __future__ import annotations

import inspect

import pytest
from ckan import model

from ckanext.spmd.access import ckan_internals, download

from .conftest import PLUGINS


def test_activity_model_has_the_columns_we_mask() -> None:
    columns = ckan_internals.activity_model().__table__.columns
    assert {"data", "object_id", "activity_type"} <= set(columns.keys())


def test_package_extras_are_a_json_column() -> None:
    # _stored_access_class reads package.extras inside a flush
    assert "extras" in model.Package.__table__.columns


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_listener_is_installed_with_the_plugin() -> None:
    assert ckan_internals.installed()


def test_activity_stores_package_show_of_the_dataset() -> None:
    """ckanext-activity builds the stored dict with package_show (so our
    after_dataset_show sees it) and writes it as data["package"]."""
    from ckanext.activity import subscriptions

    source = inspect.getsource(subscriptions._create_package_activity)
    assert 'get_action("package_show")' in source and '"package": dictized_package' in source


def test_download_endpoints_are_named_as_we_expect() -> None:
    from ckan.views import resource

    assert resource.resource.name == "dataset_resource"
    assert resource.prefixed_resource.name == "resource"
    assert download.is_download_endpoint("dataset_resource.download")
    assert download.is_download_endpoint("use-case_resource.download")
    assert not download.is_download_endpoint("dataset_resource.read")
