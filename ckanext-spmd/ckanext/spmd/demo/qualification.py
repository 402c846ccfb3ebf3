"""The SPMD side of the demo territory: partner roles, each dataset's
typology and its fields, coverage, access class, and the use cases.

Plain data, read by ``loader.py``. Spatial coverage is the GeoJSON polygon
of a commune (the same as in the communes dataset) or the envelope of the
metropolis.
"""
from __future__ import annotations

import json
from functools import cache
from typing import Any, NotRequired, TypedDict

from . import tables, territory


class Qualification(TypedDict):
    typology: str
    fields: dict[str, str]
    frequency: str
    commune: NotRequired[str]  # INSEE code; the metropolis when absent
    temporal: tuple[str, str | None]
    access_class: NotRequired[str]
    # date of the data, given to the resources (freshness of the catalogue map)
    last_update: NotRequired[str]


class UseCaseSpec(TypedDict):
    name: str
    title: str
    organization: str
    notes: str
    partners: list[str]
    datasets_used: list[str]
    data_needs: str
    status: str
    contribution: str


PARTNER_ROLES: dict[str, list[str]] = {
    "metropole-rivebelle": ["producer", "animator"],
    "ville-rivebelle": ["producer"],
    "belle-mobilites": ["producer", "service-producer"],
    "ouest-distribution-electricite": ["producer"],
    "gaz-reseau-ouest": ["producer"],
    "rivebelle-chaleur": ["producer"],
    "eau-bassin-rivebellois": ["producer"],
    "valobelle": ["producer"],
    "air-ouest-surveillance": ["producer", "resource"],
    "agence-urbanisme-rivebelle": ["producer", "resource"],
    "laboratoire-territoires-mobilites": ["producer", "project-holder"],
    "observatoire-social-rivebellois": ["producer", "project-holder"],
    "respire": ["producer", "project-holder", "service-producer"],
    "cci-rivebelle": ["observer"],
}

# Organisations of the SPMD side only (no dataset of their own).
EXTRA_ORGANIZATIONS = [
    {
        "name": "cci-rivebelle",
        "title": "Chambre de commerce et d'industrie de Rivebelle",
        "description": ("Observe le service public métropolitain de la donnée pour "
                        "les entreprises du territoire, sans projet engagé à ce jour."),
    },
]

METROPOLIS_SIG = "Métropole de Rivebelle, service information géographique"


def _ti(service: str, status: str, basis: str,
        authority: str = "Métropole de Rivebelle") -> dict[str, str]:
    return {"public_service": service, "producer_status": status, "legal_basis": basis,
            "served_authority": authority}


def _territory(mode: str, notes: str) -> dict[str, str]:
    return {"production_mode": mode, "method_notes": notes}


def _reference(authority: str, scope: str, commitment: str,
               contact: str = METROPOLIS_SIG) -> dict[str, str]:
    return {"certifying_authority": authority, "reference_scope": scope,
            "service_commitment": commitment, "continuity_contact": contact}


DSP_BEL = "Contrat de délégation de service public du réseau BEL 2021-2030, article 38 (données)"
CONCESSION_ELEC = "Contrat de concession de distribution d'électricité (2019), annexe données"
ADMIN = "Registre administratif tenu par le service producteur."

QUALIFICATIONS: dict[str, Qualification] = {
    # Mobilité
    "arrets-reseau-bel": {"typology": "territorial-interest", "frequency": "MONTHLY",
                          "fields": _ti("transport", "delegatee", DSP_BEL),
                          "temporal": ("2024-01-01", None)},
    "lignes-reseau-bel": {"typology": "territorial-interest", "frequency": "MONTHLY",
                          "fields": _ti("transport", "delegatee", DSP_BEL),
                          "temporal": ("2024-01-01", None)},
    "frequentation-reseau-bel": {"typology": "territorial-interest", "frequency": "MONTHLY",
                                 "fields": _ti("transport", "delegatee", DSP_BEL),
                                 "temporal": ("2024-03-01", "2024-03-31"),
                                 "access_class": "restricted", "last_update": "2024-04-05"},
    "stations-velobelle": {"typology": "territorial-interest", "frequency": "DAILY",
                           "fields": _ti("transport", "delegatee", DSP_BEL),
                           "temporal": ("2024-01-01", None)},
    "comptages-velo": {"typology": "territory", "frequency": "DAILY",
                       "fields": _territory("sensors", "Boucles de comptage électromagnétiques."),
                       "temporal": ("2024-05-01", "2024-05-31"), "last_update": "2024-06-01"},
    "parcs-relais": {"typology": "territorial-interest", "frequency": "CONT",
                     "fields": _ti("transport", "delegatee", DSP_BEL),
                     "temporal": ("2024-01-01", None)},
    "zones-apaisees": {"typology": "territory", "frequency": "IRREG", "commune": "35901",
                       "fields": _territory("administrative-records",
                                            "Arrêtés municipaux de circulation."),
                       "temporal": ("2020-01-01", None)},
    "panel-deplacements": {"typology": "territory", "frequency": "ANNUAL",
                           "fields": _territory("survey", "Panel de 400 volontaires suivis par "
                                                "application GPS pendant une semaine."),
                           "temporal": ("2024-03-11", "2024-03-17")},
    # Énergie
    "consommation-electricite-iris": {"typology": "territorial-interest", "frequency": "ANNUAL",
                                      "fields": _ti("energy", "delegatee", CONCESSION_ELEC),
                                      "temporal": ("2023-01-01", "2023-12-31")},
    "consommation-electricite-journaliere": {
        "typology": "territorial-interest", "frequency": "DAILY",
        "fields": _ti("energy", "delegatee", CONCESSION_ELEC),
        "temporal": ("2024-01-01", "2024-01-31"), "access_class": "restricted",
        "last_update": "2024-02-01"},
    "consommation-gaz-iris": {"typology": "territorial-interest", "frequency": "ANNUAL",
                              "fields": _ti("energy", "delegatee",
                                            "Contrat de concession de distribution de gaz (2017)"),
                              "temporal": ("2023-01-01", "2023-12-31")},
    "reseau-chaleur": {"typology": "territorial-interest", "frequency": "ANNUAL",
                       "commune": "35901",
                       "fields": _ti("heating", "delegatee",
                                     "Délégation du réseau de chaleur urbain 2018-2038"),
                       "temporal": ("2023-01-01", "2023-12-31")},
    "installations-photovoltaiques": {"typology": "territorial-interest",
                                      "frequency": "QUARTERLY",
                                      "fields": _ti("energy", "delegatee", CONCESSION_ELEC),
                                      "temporal": ("2010-01-01", None)},
    "bornes-recharge": {"typology": "territorial-interest", "frequency": "MONTHLY",
                        "fields": _ti("energy", "public-body",
                                      "Code de l'énergie, art. L353-5 (infrastructures de recharge)"),
                        "temporal": ("2024-01-01", None)},
    "defi-energie-consommations-foyers": {
        "typology": "territorial-interest", "frequency": "DAILY",
        "fields": _ti("energy", "delegatee", CONCESSION_ELEC),
        "temporal": ("2024-11-01", "2025-03-31"), "access_class": "restricted"},
    # Eau
    "qualite-eau-distribuee": {"typology": "territorial-interest", "frequency": "MONTHLY",
                               "fields": _ti("water", "public-body",
                                             "Code de la santé publique, art. L1321-9"),
                               "temporal": ("2024-01-01", "2024-12-31")},
    "points-prelevement-eau": {"typology": "territorial-interest", "frequency": "IRREG",
                               "fields": _ti("water", "public-body", "Statuts de la régie"),
                               "temporal": ("2024-01-01", None)},
    "consommation-eau-communes": {"typology": "territorial-interest", "frequency": "ANNUAL",
                                  "fields": _ti("water", "public-body", "Statuts de la régie"),
                                  "temporal": ("2014-01-01", "2023-12-31")},
    "fontaines-eau-potable": {"typology": "territory", "frequency": "IRREG", "commune": "35901",
                              "fields": _territory("administrative-records", ADMIN),
                              "temporal": ("2024-01-01", None)},
    "hauteurs-eau-belle": {"typology": "territory", "frequency": "HOURLY",
                           "fields": _territory("sensors", "Limnimètres radar, pas horaire."),
                           "temporal": ("2024-10-01", "2024-10-31"),
                           "last_update": "2024-11-01"},
    # Déchets
    "tonnages-collecte-dechets": {"typology": "territorial-interest", "frequency": "ANNUAL",
                                  "fields": _ti("waste", "public-body",
                                                "Code général des collectivités territoriales, "
                                                "art. L2224-13"),
                                  "temporal": ("2014-01-01", "2023-12-31"),
                                  "last_update": "2024-02-15"},
    "points-apport-volontaire": {"typology": "territorial-interest", "frequency": "MONTHLY",
                                 "fields": _ti("waste", "public-body", "Règlement de collecte"),
                                 "temporal": ("2024-01-01", None)},
    "decheteries": {"typology": "territorial-interest", "frequency": "IRREG",
                    "fields": _ti("waste", "public-body", "Statuts du syndicat Valobelle"),
                    "temporal": ("2024-01-01", None)},
    "frequentation-decheteries": {"typology": "territorial-interest", "frequency": "MONTHLY",
                                  "fields": _ti("waste", "public-body",
                                                "Statuts du syndicat Valobelle"),
                                  "temporal": ("2024-04-01", "2024-04-30"),
                                  "last_update": "2024-05-02"},
    "composteurs-partages": {"typology": "territory", "frequency": "IRREG", "commune": "35901",
                             "fields": _territory("administrative-records", ADMIN),
                             "temporal": ("2022-01-01", None)},
    # Environnement
    "qualite-air-journaliere": {"typology": "territory", "frequency": "DAILY",
                                "fields": _territory("sensors", "Analyseurs de référence "
                                                     "(normes EN 14211, EN 12341)."),
                                "temporal": ("2024-01-01", "2024-01-31"),
                                "last_update": "2024-02-01"},
    "stations-mesure-air": {"typology": "territory", "frequency": "IRREG",
                            "fields": _territory("administrative-records", ADMIN),
                            "temporal": ("2024-01-01", None)},
    "capteurs-citoyens-particules": {"typology": "territory", "frequency": "HOURLY",
                                     "fields": _territory("crowdsourcing",
                                                          "Micro-capteurs optiques chez des "
                                                          "habitants, non étalonnés."),
                                     "temporal": ("2024-11-14", "2024-11-14"),
                                     "access_class": "restricted"},
    "arbres-alignement": {"typology": "territory", "frequency": "ANNUAL", "commune": "35901",
                          "fields": _territory("administrative-records",
                                               "Inventaire terrain des jardiniers."),
                          "temporal": ("2024-01-01", None)},
    "parcs-jardins": {"typology": "territory", "frequency": "IRREG", "commune": "35901",
                      "fields": _territory("administrative-records", ADMIN),
                      "temporal": ("2024-01-01", None)},
    "ilots-chaleur-urbains": {"typology": "territory", "frequency": "ANNUAL",
                              "fields": _territory("model", "Température de surface Landsat 8 "
                                                   "(bande 10), moyenne des scènes sans nuage."),
                              "temporal": ("2023-06-01", "2023-08-31")},
    # Urbanisme
    "base-adresse-locale": {"typology": "reference", "frequency": "WEEKLY",
                            "fields": _reference("Communes de la Métropole de Rivebelle",
                                                 "Adresses des huit communes (format BAL 1.4)",
                                                 "Publiée sous 7 jours après toute création "
                                                 "ou modification d'adresse"),
                            "temporal": ("2024-01-01", None)},
    "communes-metropole": {"typology": "reference", "frequency": "ANNUAL",
                           "fields": _reference("Institut national de la statistique (Insee)",
                                                "Limites et codes des huit communes",
                                                "Mise à jour au 1er janvier de chaque année"),
                           "temporal": ("2024-01-01", None)},
    "contours-iris": {"typology": "reference", "frequency": "ANNUAL",
                      "fields": _reference("Institut national de la statistique (Insee)",
                                           "Contours IRIS du territoire métropolitain",
                                           "Mise à jour annuelle avec le découpage Insee",
                                           "Agence d'urbanisme, pôle observation"),
                      "temporal": ("2024-01-01", None)},
    "zonage-plui": {"typology": "reference", "frequency": "IRREG",
                    "fields": _reference("Métropole de Rivebelle (autorité compétente en urbanisme)",
                                         "Zonage du PLUi opposable",
                                         "Publié sous 15 jours après chaque procédure "
                                         "d'évolution du PLUi"),
                    "temporal": ("2019-12-16", None)},
    "permis-construire": {"typology": "territory", "frequency": "MONTHLY", "commune": "35901",
                          "fields": _territory("administrative-records",
                                               "Extraction du logiciel d'instruction."),
                          "temporal": ("2024-01-01", "2024-12-31"),
                          "last_update": "2025-01-10"},
    "logements-commences": {"typology": "territory", "frequency": "ANNUAL",
                            "fields": _territory("administrative-records",
                                                 "Base Sitadel, dates réelles de mise en chantier."),
                            "temporal": ("2014-01-01", "2023-12-31")},
    # Social
    "population-iris": {"typology": "reference", "frequency": "ANNUAL",
                        "fields": _reference("Institut national de la statistique (Insee)",
                                             "Population municipale par IRIS",
                                             "Mise à jour à chaque millésime du recensement",
                                             "Observatoire social rivebellois"),
                        "temporal": ("2021-01-01", "2021-12-31")},
    "revenus-iris": {"typology": "territory", "frequency": "ANNUAL",
                     "fields": _territory("administrative-records",
                                          "Fichier localisé social et fiscal (Filosofi)."),
                     "temporal": ("2021-01-01", "2021-12-31")},
    "equipements-sociaux": {"typology": "territory", "frequency": "IRREG", "commune": "35901",
                            "fields": _territory("administrative-records", ADMIN),
                            "temporal": ("2024-01-01", None)},
    "accueil-petite-enfance": {"typology": "territory", "frequency": "ANNUAL", "commune": "35901",
                               "fields": _territory("administrative-records", ADMIN),
                               "temporal": ("2024-01-01", None)},
    "allocataires-prestations-iris": {"typology": "territory", "frequency": "ANNUAL",
                                      "fields": _territory("administrative-records",
                                                           "Fichiers des allocataires au 31/12."),
                                      "temporal": ("2023-01-01", "2023-12-31")},
}

USE_CASES: list[UseCaseSpec] = [
    {
        "name": "observatoire-ilots-chaleur",
        "title": "Observatoire des îlots de chaleur et des publics vulnérables",
        "organization": "laboratoire-territoires-mobilites",
        "notes": ("Croiser la température de surface, la végétation et la population "
                  "âgée par IRIS pour prioriser les plantations."),
        "partners": ["metropole-rivebelle", "ville-rivebelle"],
        "datasets_used": ["ilots-chaleur-urbains", "population-iris", "arbres-alignement",
                          "parcs-jardins"],
        "data_needs": "Températures d'air mesurées sous les arbres (non publiées à ce jour).",
        "status": "active",
        "contribution": "Mise en relation avec la direction des jardins, jeu IRIS harmonisé.",
    },
    {
        "name": "defi-energie-quartiers",
        "title": "Défi énergie des quartiers",
        "organization": "observatoire-social-rivebellois",
        "notes": ("Accompagner des foyers volontaires dans la baisse de leur consommation "
                  "d'électricité, quartier par quartier."),
        "partners": ["ouest-distribution-electricite", "metropole-rivebelle"],
        "datasets_used": ["consommation-electricite-iris", "revenus-iris",
                          "consommation-electricite-journaliere"],
        "data_needs": "Consommations individuelles des foyers participants, avec leur consentement.",
        "status": "proposed",
        "contribution": "Cadre de partage des données restreintes et recueil du consentement.",
    },
    {
        "name": "capteurs-air-ecoles",
        "title": "Qualité de l'air aux abords des écoles",
        "organization": "respire",
        "notes": "Comparer micro-capteurs citoyens et stations de référence près des écoles.",
        "partners": ["air-ouest-surveillance", "ville-rivebelle"],
        "datasets_used": ["qualite-air-journaliere", "stations-mesure-air",
                          "capteurs-citoyens-particules"],
        "data_needs": "",
        "status": "completed",
        "contribution": "Accès aux mesures de référence et protocole d'inter-comparaison.",
    },
]


@cache
def _commune_geometries() -> dict[str, dict[str, Any]]:
    table = tables.build("communes")
    code = table.columns.index("code_insee")
    return {row[code]: geometry
            for row, geometry in zip(table.rows, table.geometries or [], strict=True)}


@cache
def metropolis_geometry() -> str:
    """The envelope of the communes' polygons."""
    positions = [p for g in _commune_geometries().values() for p in g["coordinates"][0]]
    lons, lats = [p[0] for p in positions], [p[1] for p in positions]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))


def spatial(q: Qualification) -> str:
    if "commune" in q:
        territory.commune(q["commune"])  # an unknown code fails here
        return json.dumps(_commune_geometries()[q["commune"]], separators=(",", ":"))
    return metropolis_geometry()


def dataset_fields(name: str) -> dict[str, Any]:
    """The SPMD fields of a demo dataset, as its package dict holds them."""
    q = QUALIFICATIONS[name]
    start, end = q["temporal"]
    fields: dict[str, Any] = {
        "territorial_typology": q["typology"],
        "access_class": q.get("access_class", "open"),
        "frequency": q["frequency"],
        "spatial": spatial(q),
        "temporal_start": start,
        **q["fields"],
    }
    if end:
        fields["temporal_end"] = end
    return fields
