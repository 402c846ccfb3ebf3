"""Use cases link the datasets they use; dataset pages list their use cases."""
from __future__ import annotations

import html

import pytest
from catalogue_support import PLUGINS, call, dataset_data, editor_of, producer
from ckan.plugins import toolkit
from ckan.tests import factories

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("catalogue_site")]


@pytest.fixture
def setting(catalogue_site: None) -> dict:
    prod = producer(name="producteur", title="Producteur")
    editor = editor_of(prod)
    call("package_create", editor, **dataset_data(prod, "territory", "arbres",
                                                  title="Arbres d'alignement"))
    call("package_create", editor, **dataset_data(prod, "reference", "iris", title="IRIS"))
    call("package_create", editor, **dataset_data(prod, "territory", "secret",
                                                  title="Jeu privé", private=True))
    holder = factories.Organization(name="labo", partner_roles=["project-holder"])
    return {"producer": prod, "holder": holder, "holder_editor": editor_of(holder)}


def file_use_case(setting: dict, **extra) -> dict:
    return call("package_create", setting["holder_editor"], **{
        "type": "use-case", "name": "ilots-chaleur", "title": "Îlots de chaleur",
        "owner_org": setting["holder"]["id"], "notes": "Prioriser les plantations.",
        "status": "active", "partners": ["producteur"], **extra})


def test_use_case_fields_and_links(setting: dict) -> None:
    uc = file_use_case(setting, datasets_used="arbres, iris", data_needs="Températures d'air",
                       contribution="Mise en relation")
    assert uc["datasets_used"] == ["arbres", "iris"]
    assert uc["partners"] == ["producteur"]
    assert uc["status"] == "active" and uc["data_needs"] == "Températures d'air"
    linked = call("spmd_use_cases_of_dataset", None, id="arbres")
    assert linked == [{"name": "ilots-chaleur", "title": "Îlots de chaleur",
                       "status": "active", "organization": "labo"}]
    with pytest.raises(toolkit.NotAuthorized):
        call("spmd_use_cases_of_dataset", None, id="secret")


def test_use_case_validation_errors(setting: dict) -> None:
    with pytest.raises(toolkit.ValidationError) as error:
        file_use_case(setting, datasets_used=["arbres", "inconnu"], status="dreaming",
                      partners=["personne"])
    errors = error.value.error_dict
    assert "Unknown dataset(s): inconnu" in errors["datasets_used"][0]
    assert "status" in errors
    assert "Unknown organisation(s): personne" in errors["partners"][0]


def test_pages_link_both_ways(setting: dict, app) -> None:
    file_use_case(setting, datasets_used=["arbres", "secret"])
    uc_page = app.get("/use-case/ilots-chaleur").get_data(as_text=True)
    assert 'href="/dataset/arbres"' in uc_page
    # the private dataset's title is not shown to a visitor
    assert "Jeu privé" not in uc_page
    dataset_page = html.unescape(app.get("/dataset/arbres").get_data(as_text=True))
    assert "Cas d'usage" in dataset_page
    assert 'href="/use-case/ilots-chaleur"' in dataset_page
    other = html.unescape(app.get("/dataset/iris").get_data(as_text=True))
    assert "Aucun cas d'usage n'utilise encore ce jeu de données." in other
