"""CKAN's package_search semantics, pinned down on the configured backend.

Every test goes through CKAN's own actions (package_create, package_search,
organization_list...), so CKAN builds the documents and the queries; the
backend only has to answer like Solr.
"""
from __future__ import annotations

import pytest
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("search_backend")


def search(user: str | None = None, **kwargs):
    context = {"ignore_auth": False, "user": user or ""}
    return helpers.call_action("package_search", context=context, **kwargs)


def names(result) -> list[str]:
    return [r["name"] for r in result["results"]]


@pytest.fixture
def territory():
    """A small catalogue with French and English content."""
    metro = factories.Organization(name="metropole", title="Rennes Métropole")
    star = factories.Organization(name="star", title="Réseau STAR")
    energy = factories.Group(name="energie", title="Énergie")
    mobility = factories.Group(name="mobilite", title="Mobilité")
    d = {}
    d["conso"] = factories.Dataset(
        name="conso-electrique", title="Consommation d'énergie électrique",
        notes="Consommation annuelle par IRIS.", owner_org=metro["id"],
        tags=[{"name": "énergie"}, {"name": "électricité"}],
        groups=[{"name": energy["name"]}],
        resources=[{"url": "http://example.org/conso.csv", "format": "CSV",
                    "name": "Fichier annuel", "description": "Agrégats par IRIS"}],
        extras=[{"key": "frequency", "value": "annuelle"}],
    )
    d["reseau"] = factories.Dataset(
        name="reseau-chaleur", title="Réseau de chaleur urbain",
        notes="Tracé et performances énergétiques du réseau.", owner_org=metro["id"],
        tags=[{"name": "chaleur"}], groups=[{"name": energy["name"]}],
        resources=[{"url": "http://example.org/reseau.geojson", "format": "GeoJSON"}],
        author="Service Énergie",
    )
    d["bus"] = factories.Dataset(
        name="bus-lines", title="Bus lines and stops",
        notes="Timetables of the buses of the network.", owner_org=star["id"],
        tags=[{"name": "transport"}, {"name": "bus"}],
        groups=[{"name": mobility["name"]}],
        resources=[{"url": "http://example.org/gtfs.zip", "format": "GTFS"},
                   {"url": "http://example.org/stops.csv", "format": "CSV"}],
        maintainer="Keolis",
    )
    d["velo"] = factories.Dataset(
        name="stationnement-velo", title="Stationnements vélo",
        notes="Arceaux et abris.", owner_org=metro["id"],
        tags=[{"name": "transport"}, {"name": "vélo"}],
        groups=[{"name": mobility["name"]}],
    )
    return d


class TestFreeText:
    def test_accents_and_french_stemming(self, territory):
        # "energie" finds both "Énergie" and "énergétiques"
        assert set(names(search(q="energie"))) == {"conso-electrique", "reseau-chaleur"}
        assert names(search(q="ÉLECTRIQUE")) == ["conso-electrique"]
        assert names(search(q="velos")) == ["stationnement-velo"]

    def test_english_stemming(self, territory):
        assert names(search(q="timetable")) == ["bus-lines"]
        assert names(search(q="stop")) == ["bus-lines"]

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("IRIS", "conso-electrique"),  # notes
            ("agrégats", "conso-electrique"),  # resource description
            ("fichier", "conso-electrique"),  # resource name
            ("annuelle", "conso-electrique"),  # extras
            ("keolis", "bus-lines"),  # maintainer
            ("star", "bus-lines"),  # organisation
            ("mobilite", "stationnement-velo"),  # group (with bus-lines)
        ],
    )
    def test_text_gathers_ckan_fields(self, territory, q, expected):
        assert expected in names(search(q=q))

    def test_all_terms_required_for_short_queries(self, territory):
        assert names(search(q="réseau chaleur")) == ["reseau-chaleur"]
        assert search(q="chaleur bus")["count"] == 0
        assert set(names(search(q="chaleur OR bus"))) == {"reseau-chaleur", "bus-lines"}

    def test_title_matches_rank_first(self, territory):
        factories.Dataset(name="notes-only", title="Autre", owner_org=territory["bus"]["owner_org"],
                          notes="Données sur le réseau de chaleur")
        result = search(q="chaleur")
        assert names(result)[0] == "reseau-chaleur"
        assert "notes-only" in names(result)

    def test_prohibited_terms(self, territory):
        assert names(search(q="transport -velo")) == ["bus-lines"]


class TestFieldedQueries:
    def test_field_value_in_q(self, territory):
        assert set(names(search(q="tags:transport"))) == {"bus-lines", "stationnement-velo"}
        assert names(search(q="organization:star")) == ["bus-lines"]
        assert names(search(q="res_format:GTFS")) == ["bus-lines"]
        assert names(search(q="title:chaleur")) == ["reseau-chaleur"]

    @pytest.mark.parametrize(
        ("fq", "expected"),
        [
            ('+tags:"transport"', {"bus-lines", "stationnement-velo"}),
            ("tags:(chaleur OR bus)", {"reseau-chaleur", "bus-lines"}),
            ("-tags:transport", {"conso-electrique", "reseau-chaleur"}),
            ("+groups:energie -res_format:GeoJSON", {"conso-electrique"}),
            ("name:bus*", {"bus-lines"}),
            ("name:*velo", {"stationnement-velo"}),
            ("res_format:*", {"conso-electrique", "reseau-chaleur", "bus-lines"}),
            ("*:*", {"conso-electrique", "reseau-chaleur", "bus-lines", "stationnement-velo"}),
            ("name:[bus-lines TO reseau-chaleur]", {"bus-lines", "conso-electrique",
                                                    "reseau-chaleur"}),
            ("name:{bus-lines TO reseau-chaleur}", {"conso-electrique"}),
            ("metadata_modified:[NOW-1DAY TO NOW+1DAY]",
             {"conso-electrique", "reseau-chaleur", "bus-lines", "stationnement-velo"}),
            ("metadata_modified:[* TO NOW-1YEAR]", set()),
            ('title:"réseau de chaleur"', {"reseau-chaleur"}),
        ],
    )
    def test_filter_queries(self, territory, fq, expected):
        result = search(fq=fq, rows=100)
        assert set(names(result)) == expected
        assert result["count"] == len(expected)

    def test_exact_string_match_is_whole_value(self, territory):
        assert search(fq="tags:trans")["count"] == 0
        assert search(fq="organization:metro")["count"] == 0


class TestFacetsSortPaging:
    def test_facets_count_the_whole_result_set(self, territory):
        result = search(
            q="*:*", rows=1, **{"facet.field": '["tags", "organization", "res_format", "groups"]'}
        )
        facets = result["facets"]
        assert result["count"] == 4 and len(result["results"]) == 1
        assert facets["tags"]["transport"] == 2
        assert facets["organization"] == {"metropole": 3, "star": 1}
        assert facets["res_format"] == {"CSV": 2, "GeoJSON": 1, "GTFS": 1}
        assert facets["groups"] == {"energie": 2, "mobilite": 2}
        items = result["search_facets"]["organization"]["items"]
        assert {i["display_name"] for i in items} == {"Rennes Métropole", "Réseau STAR"}

    def test_facets_follow_the_query(self, territory):
        facets = search(q="transport", **{"facet.field": '["organization"]'})["facets"]
        assert facets["organization"] == {"metropole": 1, "star": 1}

    def test_facet_limit_and_mincount(self, territory):
        result = search(**{"facet.field": '["tags"]', "facet.limit": 1})
        assert result["facets"]["tags"] == {"transport": 2}
        result = search(**{"facet.field": '["tags"]', "facet.mincount": 2})
        assert result["facets"]["tags"] == {"transport": 2}

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("name asc", ["bus-lines", "conso-electrique", "reseau-chaleur",
                          "stationnement-velo"]),
            ("name desc", ["stationnement-velo", "reseau-chaleur", "conso-electrique",
                           "bus-lines"]),
            ("title_string asc", ["bus-lines", "conso-electrique", "reseau-chaleur",
                                  "stationnement-velo"]),
            ("metadata_modified desc", ["stationnement-velo", "bus-lines", "reseau-chaleur",
                                        "conso-electrique"]),
            ("metadata_created asc", ["conso-electrique", "reseau-chaleur", "bus-lines",
                                      "stationnement-velo"]),
        ],
    )
    def test_sort(self, territory, sort, expected):
        assert names(search(sort=sort)) == expected

    def test_bad_sort_is_refused(self, territory):
        with pytest.raises(Exception, match="sort"):
            search(sort="name sideways")

    def test_paging(self, territory):
        pages = [names(search(sort="name asc", rows=2, start=s)) for s in (0, 2, 4)]
        assert pages == [["bus-lines", "conso-electrique"],
                         ["reseau-chaleur", "stationnement-velo"], []]

    def test_fl_returns_requested_fields(self, territory):
        result = search(q="chaleur", fl="name,title")
        assert result["results"] == [{"name": "reseau-chaleur",
                                      "title": "Réseau de chaleur urbain"}]


class TestVisibility:
    @pytest.fixture
    def private_setup(self):
        org = factories.Organization()
        member = factories.User()
        outsider = factories.User()
        helpers.call_action("organization_member_create", id=org["id"],
                            username=member["name"], role="member")
        factories.Dataset(name="public-one", owner_org=org["id"], title="Eau potable")
        factories.Dataset(name="private-one", owner_org=org["id"], private=True,
                          title="Eau potable privée")
        factories.Dataset(name="draft-one", owner_org=org["id"], state="draft",
                          title="Eau potable brouillon")
        deleted = factories.Dataset(name="deleted-one", owner_org=org["id"],
                                    title="Eau potable supprimée")
        helpers.call_action("package_delete", id=deleted["id"])
        return {"member": member, "outsider": outsider, "org": org}

    def test_anonymous_sees_public_only(self, private_setup):
        assert names(search(q="eau", include_private=True)) == ["public-one"]

    def test_outsider_sees_public_only(self, private_setup):
        user = private_setup["outsider"]["name"]
        assert names(search(user, q="eau", include_private=True)) == ["public-one"]

    def test_member_sees_private_with_include_private(self, private_setup):
        user = private_setup["member"]["name"]
        assert names(search(user, q="eau")) == ["public-one"]
        assert set(names(search(user, q="eau", include_private=True))) == {
            "public-one", "private-one"}

    @pytest.mark.ckan_config("ckan.search.remove_deleted_packages", False)
    def test_drafts_and_deleted_need_flags(self):
        sysadmin = factories.Sysadmin()
        org = factories.Organization()
        factories.Dataset(name="draft-x", state="draft", title="Brouillon", owner_org=org["id"])
        gone = factories.Dataset(name="gone-x", title="Supprimé", owner_org=org["id"])
        helpers.call_action("package_delete", id=gone["id"])
        user = sysadmin["name"]
        assert search(user)["count"] == 0
        assert names(search(user, include_drafts=True)) == ["draft-x"]
        assert names(search(user, include_deleted=True)) == ["gone-x"]

    def test_dataset_types(self):
        org = factories.Organization()
        factories.Dataset(name="plain", title="Plain", owner_org=org["id"])
        factories.Dataset(name="usecase", type="use-case", title="Projet", owner_org=org["id"])
        assert names(search(fq="+dataset_type:use-case")) == ["usecase"]
        assert search()["count"] == 2


class TestOtherConsumers:
    def test_autocomplete(self, territory):
        result = helpers.call_action("package_autocomplete", q="chal")
        assert [r["name"] for r in result] == ["reseau-chaleur"]
        result = helpers.call_action("package_autocomplete", q="Réseau")
        assert [r["name"] for r in result] == ["reseau-chaleur"]

    def test_organization_and_group_counts(self, territory):
        orgs = helpers.call_action("organization_list", all_fields=True)
        assert {o["name"]: o["package_count"] for o in orgs} == {"metropole": 3, "star": 1}
        groups = helpers.call_action("group_list", all_fields=True)
        assert {g["name"]: g["package_count"] for g in groups} == {"energie": 2, "mobilite": 2}

    def test_updates_and_deletes_reach_the_index(self, territory):
        helpers.call_action("package_patch", id="bus-lines", title="Lignes de tramway")
        assert names(search(q="tramway")) == ["bus-lines"]
        assert search(q="timetable")["count"] == 1  # notes kept
        helpers.call_action("dataset_purge", id="bus-lines")
        assert search(q="tramway")["count"] == 0


class TestErrors:
    @pytest.mark.parametrize("q", ['"unbalanced', "(energie OR", "title:(a OR"])
    def test_bad_query_is_a_409_not_a_500(self, app, territory, q):
        response = app.get("/api/3/action/package_search", query_string={"q": q}, status=409)
        assert "Search Query is invalid" in response.json["error"]["message"]

    def test_bad_fq_is_a_409(self, app, territory):
        response = app.get("/api/3/action/package_search",
                           query_string={"fq": "tags:[a TO"}, status=409)
        assert "Search Query is invalid" in response.json["error"]["message"]

    def test_search_page_survives_bad_query(self, app, territory):
        response = app.get("/dataset/", query_string={"q": '"unbalanced'})
        assert response.status_code == 200
