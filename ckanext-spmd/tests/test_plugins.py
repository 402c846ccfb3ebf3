"""The bundle's plugins load together and alone, and declare their options."""
from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest
from ckan import plugins
from ckan.cli.cli import ckan as ckan_command

TEST_INI = pathlib.Path(__file__).resolve().parents[2] / "test.ini"
BUNDLE = ["spmd_search", "spmd", "consent", "affluence"]


@pytest.mark.parametrize("name", BUNDLE)
def test_each_plugin_loads_alone(name, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.plugins", name)
    plugins.load_all()
    try:
        assert plugins.plugin_loaded(name)
        assert [n for n in BUNDLE if plugins.plugin_loaded(n)] == [name]
    finally:
        plugins.unload_all()


@pytest.mark.ckan_config("ckan.plugins", " ".join(BUNDLE))
@pytest.mark.usefixtures("with_plugins")
def test_bundle_loads_together():
    assert all(plugins.plugin_loaded(n) for n in BUNDLE)


@pytest.mark.parametrize("order", [
    "spmd_search scheming_datasets scheming_organizations spmd",
    "spmd_search spmd scheming_datasets scheming_organizations",
])
def test_spmd_registers_its_schemas_whatever_the_plugin_order(order, ckan_config, monkeypatch):
    from ckan.plugins import toolkit

    monkeypatch.setitem(ckan_config, "ckan.plugins", order)
    monkeypatch.delitem(ckan_config, "scheming.dataset_schemas", raising=False)
    plugins.load_all()
    try:
        types = toolkit.get_action("scheming_dataset_schema_list")({}, {})
        assert {"dataset", "use-case"} <= set(types)
        org = toolkit.get_action("scheming_organization_schema_show")(
            {}, {"type": "organization"})
        assert "partner_roles" in {f["field_name"] for f in org["fields"]}
    finally:
        plugins.unload_all()


@pytest.mark.parametrize(
    ("name", "option"),
    [
        ("spmd_search", "ckanext.spmd.search.backend"),
        ("spmd_search", "ckanext.spmd.search.schema_file"),
        ("spmd_search", "ckanext.spmd.search.rebuild_batch_size"),
        ("spmd", "ckanext.spmd.roles.strict"),
        ("spmd", "ckanext.spmd.qualify.by_harvest_source"),
        ("spmd", "ckanext.spmd.qualify.by_tag"),
        ("spmd", "ckanext.spmd.qualify.by_organization"),
        ("spmd", "ckanext.spmd.qualify.default"),
    ],
)
def test_config_declaration_lists_options_with_descriptions(cli, name, option):
    result = cli.invoke(ckan_command, ["config", "declaration", name, "-d"])
    assert result.exit_code == 0, result.output
    assert option in result.output
    # with -d every option is preceded by its description as comments
    before = result.output.split(option)[0].rstrip().splitlines()
    assert before[-1].startswith("#") and len(before[-1]) > 10


def test_unknown_backend_is_refused(tmp_path):
    ini = tmp_path / "bad.ini"
    ini.write_text(
        f"[app:main]\nuse = config:{TEST_INI}\nckanext.spmd.search.backend = elastic\n"
    )
    result = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "ckan"), "-c", str(ini), "config", "validate"],
        capture_output=True, text=True, timeout=120,
    )
    assert "ckanext.spmd.search.backend: Value must be one of ['postgres', 'solr']" in (
        result.stdout + result.stderr
    )
