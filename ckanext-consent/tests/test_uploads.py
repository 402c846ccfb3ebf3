"""Bad files get a clear error naming file, row and column; the previous
file of the resource stays as it was."""
from __future__ import annotations

import pytest
from ckan.exceptions import CkanConfigurationException
from ckan.plugins import toolkit
from consent_testing import CSV, PLUGINS, World, upload

from ckanext.consent import csvdata, hooks, storage

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


BAD_FILES = [
    ("id,kwh\nK1,3\n", "nokey.csv", "file 'nokey.csv', row 1, column 'person_key': the key column is missing"),
    (b"person_key,kwh\nK1,3\n" + "K2,caf\u00e9\n".encode("latin-1"), "latin.csv",
     "file 'latin.csv', row 3: not UTF-8"),
    ("", "empty.csv", "file 'empty.csv', row 1: the file is empty"),
    ("person_key,kwh\n", "header.csv", "file 'header.csv', row 2: no data rows"),
    ("person_key,kwh\nK1,3\n,4\n", "blank.csv", "file 'blank.csv', row 3, column 'person_key': the pseudonymous key is empty"),
    ("person_key,kwh\nK1,3,9\n", "wide.csv", "file 'wide.csv', row 2: 3 values where the header has 2"),
]


def test_bad_files_refused_and_previous_kept(world: World) -> None:
    for content, filename, expected in BAD_FILES:
        check_refused(world, content, filename, expected)


def check_refused(world: World, content: str | bytes, filename: str, expected: str) -> None:
    before = world.call("resource_show", world.sysadmin, id=world.resource["id"])
    path = storage.upload_path(before)
    assert path
    original = open(path, "rb").read()
    with pytest.raises(toolkit.ValidationError) as err:
        world.call("resource_update", world.producer, id=world.resource["id"],
                   upload=upload(content, filename), url=filename)
    assert expected in str(err.value.error_dict["upload"])
    after = world.call("resource_show", world.sysadmin, id=world.resource["id"])
    assert after["url"] == before["url"] and after["size"] == before["size"]
    assert open(path, "rb").read() == original
    with pytest.raises(toolkit.ValidationError, match=filename.replace(".", r"\.")):
        world.call("resource_create", world.producer, package_id=world.dataset["id"],
                   upload=upload(content, filename), url=filename)
    assert len(world.call("package_show", world.sysadmin, id=world.dataset["id"])["resources"]) == 1


def test_semicolon_and_bom_accepted(world: World) -> None:
    content = "\ufeff" + CSV.replace(",", ";")
    res = world.call("resource_update", world.producer, id=world.resource["id"],
                     upload=upload(content, "semicolons.csv"), url="semicolons.csv")
    path = storage.upload_path(res)
    assert csvdata.keys(path, "person_key") == {"K1", "K2", "K3", "K4"}


def test_personal_uploads_are_not_served_by_the_file_routes(app, world: World) -> None:
    """CKAN 2.12's /file/ routes serve files of its file storages; with the
    classic resource storage, a personal-data upload is none of them."""
    rid = world.resource["id"]
    assert storage.resource_files_storage() is None
    for url in (f"/file/download/{rid}",
                f"/file/public-download/resources/{rid[:3]}/{rid[3:6]}/{rid[6:]}"):
        assert app.get(url, status=None).status_code == 404, url
    assert app.get(world.resource["url"], status=None).status_code == 403  # the gate


@pytest.mark.parametrize("public", [True, False])
def test_a_file_storage_for_resources_is_refused(world: World, ckan_config: dict,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 reset_storages, tmp_path,
                                                 public: bool) -> None:
    """Resources in a CKAN file storage would escape the gate (a public one
    serves them to anyone at /file/public-download): no personal-data file
    goes there, and a portal so configured does not start."""
    path = storage.upload_path(world.call("resource_show", world.sysadmin,
                                          id=world.resource["id"]))
    original = open(path, "rb").read()
    monkeypatch.setitem(ckan_config, "ckan.files.storage.default.type", "ckan:fs")
    monkeypatch.setitem(ckan_config, "ckan.files.storage.default.path", str(tmp_path))
    monkeypatch.setitem(ckan_config, "ckan.files.storage.default.initialize", True)
    monkeypatch.setitem(ckan_config, "ckan.files.storage.default.public", public)
    reset_storages()
    try:
        assert storage.resource_files_storage() == ("resources", public)
        with pytest.raises(toolkit.ValidationError) as err:
            world.call("resource_update", world.producer, id=world.resource["id"],
                       upload=upload(CSV), url="data.csv")
        message = str(err.value.error_dict["upload"])
        assert "file storage 'resources'" in message
        assert ("/file/public-download" in message) is public
        with pytest.raises(CkanConfigurationException, match="ckan.storage_path"):
            hooks.check_start_up({"testing": False}, hooks.require_safe_storage)
        hooks.check_start_up({"testing": True}, hooks.require_safe_storage)  # logged only
    finally:
        monkeypatch.undo()
        reset_storages()
    assert open(path, "rb").read() == original
    assert not any(tmp_path.rglob("*.*")), "nothing was written to the file storage"
