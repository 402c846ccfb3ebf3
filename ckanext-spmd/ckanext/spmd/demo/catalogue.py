"""What the demo territory holds: organisations, theme groups and datasets.

Plain data, read by ``loader.py``. A resource either names a generated file
(``file`` and the ``table`` of ``tables.py`` it is written from; the format
follows from the extension) or links an external page (``url`` and
``format``). Resources are identified by their name within their dataset,
datasets, organisations and groups by their name.
"""
from __future__ import annotations

from textwrap import dedent
from typing import NotRequired, TypedDict


class OrganizationSpec(TypedDict):
    name: str
    title: str
    description: str


class GroupSpec(TypedDict):
    name: str
    title: str
    description: str


class ResourceSpec(TypedDict):
    name: str
    description: str
    file: NotRequired[str]
    table: NotRequired[str]
    separator: NotRequired[str]
    url: NotRequired[str]
    format: NotRequired[str]


class DatasetSpec(TypedDict):
    name: str
    title: str
    organization: str
    group: str
    license_id: str
    maintainer: str
    tags: list[str]
    notes: str
    resources: list[ResourceSpec]
    private: NotRequired[bool]


def md(text: str) -> str:
    return dedent(text).strip()


ORGANIZATIONS: list[OrganizationSpec] = [
    {
        "name": "metropole-rivebelle",
        "title": "Métropole de Rivebelle",
        "description": md("""
            Établissement public de coopération intercommunale regroupant huit
            communes autour de Rivebelle. La Métropole anime le service public
            métropolitain de la donnée et publie les données de ses compétences :
            mobilité, déchets, eau, urbanisme, environnement.
        """),
    },
    {
        "name": "ville-rivebelle",
        "title": "Ville de Rivebelle",
        "description": md("""
            Commune centre de la métropole. Données des services municipaux :
            espaces verts, patrimoine arboré, équipements de proximité, petite
            enfance, autorisations d'urbanisme.
        """),
    },
    {
        "name": "belle-mobilites",
        "title": "Belle Mobilités",
        "description": md("""
            Délégataire de service public exploitant le réseau de transport
            urbain BEL (métro, bus) et les vélos en libre-service VéloBelle pour
            le compte de la Métropole de Rivebelle.
        """),
    },
    {
        "name": "ouest-distribution-electricite",
        "title": "Ouest Distribution Électricité",
        "description": md("""
            Gestionnaire du réseau public de distribution d'électricité sur le
            territoire métropolitain, concessionnaire de la Métropole.
        """),
    },
    {
        "name": "gaz-reseau-ouest",
        "title": "Gaz Réseau Ouest",
        "description": md("""
            Gestionnaire du réseau de distribution de gaz naturel de la
            métropole.
        """),
    },
    {
        "name": "rivebelle-chaleur",
        "title": "Rivebelle Chaleur",
        "description": md("""
            Société délégataire du réseau de chaleur urbain de Rivebelle,
            alimenté à 65 % par la récupération de chaleur et la biomasse.
        """),
    },
    {
        "name": "eau-bassin-rivebellois",
        "title": "Eau du Bassin Rivebellois",
        "description": md("""
            Régie publique de production et de distribution d'eau potable des
            communes de la métropole.
        """),
    },
    {
        "name": "valobelle",
        "title": "Valobelle",
        "description": md("""
            Syndicat intercommunal de traitement et de valorisation des déchets :
            déchèteries, recycleries, centre de tri.
        """),
    },
    {
        "name": "air-ouest-surveillance",
        "title": "Air Ouest Surveillance",
        "description": md("""
            Association agréée de surveillance de la qualité de l'air (AASQA) :
            stations de mesure, indice ATMO, prévisions.
        """),
    },
    {
        "name": "agence-urbanisme-rivebelle",
        "title": "Agence d'urbanisme de l'agglomération rivebelloise",
        "description": md("""
            Agence d'urbanisme : observation du territoire, habitat, foncier,
            référentiels géographiques partagés.
        """),
    },
    {
        "name": "laboratoire-territoires-mobilites",
        "title": "Laboratoire Territoires et Mobilités (Université de Rivebelle)",
        "description": md("""
            Unité de recherche de l'Université de Rivebelle travaillant sur les
            mobilités quotidiennes, le climat urbain et les données du territoire.
        """),
    },
    {
        "name": "observatoire-social-rivebellois",
        "title": "Observatoire social rivebellois",
        "description": md("""
            Association réunissant les acteurs de l'action sociale du territoire
            pour partager des indicateurs sur la population, les revenus et
            l'accès aux droits.
        """),
    },
    {
        "name": "respire",
        "title": "Respire",
        "description": md("""
            Jeune entreprise rivebelloise qui déploie des micro-capteurs de
            particules fines chez des habitants volontaires et commercialise
            leurs mesures.
        """),
    },
]

GROUPS: list[GroupSpec] = [
    {"name": "mobilite", "title": "Mobilité",
     "description": "Transports en commun, vélo, stationnement, déplacements."},
    {"name": "energie", "title": "Énergie",
     "description": "Consommation et production d'énergie, réseaux de chaleur, recharge."},
    {"name": "eau", "title": "Eau",
     "description": "Eau potable, qualité de l'eau, cours d'eau."},
    {"name": "dechets", "title": "Déchets",
     "description": "Collecte, apport volontaire, déchèteries, compostage."},
    {"name": "environnement", "title": "Environnement",
     "description": "Qualité de l'air, nature en ville, climat urbain."},
    {"name": "urbanisme", "title": "Urbanisme",
     "description": "Référentiels géographiques, planification, construction, logement."},
    {"name": "social", "title": "Social",
     "description": "Population, revenus, équipements et accès aux droits."},
]

INSEE_IRIS = "https://www.insee.fr/fr/metadonnees/definition/c1523"

DATASETS: list[DatasetSpec] = [
    # Mobilité
    {
        "name": "arrets-reseau-bel",
        "title": "Arrêts du réseau de transport BEL",
        "organization": "belle-mobilites",
        "group": "mobilite",
        "license_id": "odc-odbl",
        "maintainer": "Belle Mobilités, service information voyageurs",
        "tags": ["transport en commun", "bus", "métro", "arrêts", "accessibilité"],
        "notes": md("""
            Liste des arrêts du réseau **BEL** (métro et bus) avec leur position,
            les lignes qui les desservent et leur accessibilité aux personnes à
            mobilité réduite.

            Les arrêts sont ceux du fichier GTFS publié par Belle Mobilités ; ce
            jeu en donne une vue simplifiée, mise à jour à chaque changement
            d'offre.
        """),
        "resources": [
            {"name": "Arrêts (CSV)", "file": "arrets-bel.csv", "table": "arrets",
             "description": "Un arrêt par ligne, coordonnées WGS 84."},
            {"name": "Arrêts (GeoJSON)", "file": "arrets-bel.geojson", "table": "arrets",
             "description": "Les mêmes arrêts en points GeoJSON."},
            {"name": "Spécification GTFS", "url": "https://gtfs.org/", "format": "HTML",
             "description": "Le format des horaires théoriques dont les arrêts sont extraits."},
        ],
    },
    {
        "name": "lignes-reseau-bel",
        "title": "Lignes du réseau BEL",
        "organization": "belle-mobilites",
        "group": "mobilite",
        "license_id": "odc-odbl",
        "maintainer": "Belle Mobilités, service information voyageurs",
        "tags": ["transport en commun", "bus", "métro", "offre de transport"],
        "notes": md("""
            Caractéristiques des lignes du réseau BEL : terminus, longueur,
            fréquence de passage en heure de pointe, couleur commerciale.
        """),
        "resources": [
            {"name": "Lignes", "file": "lignes-bel.csv", "table": "lignes", "separator": ",",
             "description": "Une ligne par ligne commerciale."},
        ],
    },
    {
        "name": "frequentation-reseau-bel",
        "title": "Fréquentation mensuelle du réseau BEL par ligne",
        "organization": "belle-mobilites",
        "group": "mobilite",
        "license_id": "cc-by",
        "maintainer": "Belle Mobilités, direction marketing",
        "tags": ["transport en commun", "fréquentation", "validations"],
        "notes": md("""
            Nombre de validations de titres de transport par ligne et par mois
            pour l'année 2024.

            Les correspondances sont comptées à chaque validation ; les voyages
            des abonnés qui ne valident pas ne sont pas comptés.
        """),
        "resources": [
            {"name": "Validations mensuelles 2024", "file": "validations-2024.csv",
             "table": "frequentation_lignes",
             "description": "Validations par ligne et par mois."},
        ],
    },
    {
        "name": "stations-velobelle",
        "title": "Stations VéloBelle (vélos en libre-service)",
        "organization": "belle-mobilites",
        "group": "mobilite",
        "license_id": "odc-odbl",
        "maintainer": "Belle Mobilités, service VéloBelle",
        "tags": ["vélo", "vélo en libre-service", "mobilité douce"],
        "notes": md("""
            Localisation et capacité des stations du service de vélos en
            libre-service **VéloBelle**.
        """),
        "resources": [
            {"name": "Stations (CSV)", "file": "stations-velobelle.csv",
             "table": "stations_velo", "description": "Une station par ligne."},
            {"name": "Stations (GeoJSON)", "file": "stations-velobelle.geojson",
             "table": "stations_velo", "description": "Les stations en points GeoJSON."},
        ],
    },
    {
        "name": "comptages-velo",
        "title": "Comptages vélo journaliers",
        "organization": "metropole-rivebelle",
        "group": "mobilite",
        "license_id": "odc-odbl",
        "maintainer": "Métropole de Rivebelle, mission vélo",
        "tags": ["vélo", "comptage", "mobilité douce"],
        "notes": md("""
            Passages de vélos comptés chaque jour par les compteurs automatiques
            installés sur les principaux axes cyclables (septembre 2024).
        """),
        "resources": [
            {"name": "Comptages septembre 2024", "file": "comptages-velo-2024-09.csv",
             "table": "comptages_velo",
             "description": "Passages par jour et par compteur, deux sens cumulés."},
        ],
    },
    {
        "name": "parcs-relais",
        "title": "Parcs relais : localisation et taux d'occupation",
        "organization": "belle-mobilites",
        "group": "mobilite",
        "license_id": "odc-odbl",
        "maintainer": "Belle Mobilités, service information voyageurs",
        "tags": ["stationnement", "parc relais", "intermodalité"],
        "notes": md("""
            Les parcs relais du réseau BEL, leur capacité et leur taux
            d'occupation moyen heure par heure un jour ouvré.
        """),
        "resources": [
            {"name": "Parcs relais", "file": "parcs-relais.geojson", "table": "parcs_relais",
             "description": "Localisation et capacité."},
            {"name": "Occupation horaire moyenne", "file": "occupation-parcs-relais.csv",
             "table": "occupation_parcs_relais",
             "description": "Taux d'occupation moyen par heure, jours ouvrés 2024."},
        ],
    },
    {
        "name": "zones-apaisees",
        "title": "Zones 30, zones de rencontre et aires piétonnes",
        "organization": "ville-rivebelle",
        "group": "mobilite",
        "license_id": "cc-by",
        "maintainer": "Ville de Rivebelle, direction de la voirie",
        "tags": ["voirie", "zone 30", "sécurité routière"],
        "notes": md("""
            Périmètres des zones de circulation apaisée instituées par arrêté
            municipal à Rivebelle.
        """),
        "resources": [
            {"name": "Zones apaisées", "file": "zones-apaisees.geojson",
             "table": "zones_apaisees", "description": "Polygones des zones, WGS 84."},
        ],
    },
    {
        "name": "panel-deplacements",
        "title": "Panel de déplacements quotidiens (traces individuelles)",
        "organization": "laboratoire-territoires-mobilites",
        "group": "mobilite",
        "license_id": "other-closed",
        "maintainer": "Laboratoire Territoires et Mobilités",
        "private": True,
        "tags": ["déplacements", "enquête", "données personnelles"],
        "notes": md("""
            Déplacements déclarés par les participants pseudonymisés d'un panel de
            recherche (mars 2024) : mode, motif, IRIS d'origine et de destination.

            **Données personnelles** : accès réservé aux membres du laboratoire.
        """),
        "resources": [
            {"name": "Déplacements mars 2024", "file": "panel-deplacements-2024-03.csv",
             "table": "traces_mobilite", "description": "Un déplacement par ligne."},
        ],
    },
    # Énergie
    {
        "name": "consommation-electricite-iris",
        "title": "Consommation annuelle d'électricité par IRIS et par secteur",
        "organization": "ouest-distribution-electricite",
        "group": "energie",
        "license_id": "odc-odbl",
        "maintainer": "Ouest Distribution Électricité, open data",
        "tags": ["électricité", "consommation", "IRIS"],
        "notes": md("""
            Consommation d'électricité en 2023 agrégée par IRIS et par secteur
            (résidentiel, professionnel, industrie).

            Conformément aux règles de diffusion du gestionnaire, la consommation
            n'est pas publiée lorsqu'un secteur compte 10 points de livraison ou
            moins dans l'IRIS (*secret statistique*).
        """),
        "resources": [
            {"name": "Consommation 2023 par IRIS", "file": "conso-electricite-iris-2023.csv",
             "table": "conso_elec_iris",
             "description": "Points de livraison et consommation en MWh."},
            {"name": "Définition de l'IRIS (Insee)", "url": INSEE_IRIS, "format": "HTML",
             "description": "Le découpage statistique utilisé."},
        ],
    },
    {
        "name": "consommation-electricite-journaliere",
        "title": "Consommation journalière d'électricité par commune",
        "organization": "ouest-distribution-electricite",
        "group": "energie",
        "license_id": "odc-odbl",
        "maintainer": "Ouest Distribution Électricité, open data",
        "tags": ["électricité", "consommation", "température"],
        "notes": md("""
            Énergie électrique soutirée chaque jour par commune, avec la
            température moyenne du jour (trois semaines de janvier 2024).
        """),
        "resources": [
            {"name": "Consommation journalière janvier 2024",
             "file": "conso-electricite-journaliere-2024-01.csv",
             "table": "conso_elec_journaliere", "separator": ",",
             "description": "MWh par jour et par commune."},
        ],
    },
    {
        "name": "consommation-gaz-iris",
        "title": "Consommation annuelle de gaz naturel par IRIS",
        "organization": "gaz-reseau-ouest",
        "group": "energie",
        "license_id": "odc-odbl",
        "maintainer": "Gaz Réseau Ouest",
        "tags": ["gaz", "consommation", "IRIS"],
        "notes": md("""
            Consommation de gaz naturel en 2023 par IRIS, secteurs résidentiel et
            tertiaire.
        """),
        "resources": [
            {"name": "Consommation de gaz 2023", "file": "conso-gaz-iris-2023.csv",
             "table": "conso_gaz_iris", "description": "MWh PCS par IRIS et secteur."},
        ],
    },
    {
        "name": "reseau-chaleur",
        "title": "Réseau de chaleur urbain : sous-stations et énergie livrée",
        "organization": "rivebelle-chaleur",
        "group": "energie",
        "license_id": "cc-by",
        "maintainer": "Rivebelle Chaleur",
        "tags": ["réseau de chaleur", "chauffage", "énergie renouvelable"],
        "notes": md("""
            Sous-stations raccordées au réseau de chaleur urbain et énergie livrée
            chaque mois en 2023.
        """),
        "resources": [
            {"name": "Sous-stations", "file": "sous-stations.geojson",
             "table": "sous_stations_chaleur", "description": "Points de livraison."},
            {"name": "Énergie livrée 2023", "file": "livraisons-chaleur-2023.csv",
             "table": "livraisons_chaleur", "description": "MWh par mois et par sous-station."},
        ],
    },
    {
        "name": "installations-photovoltaiques",
        "title": "Installations photovoltaïques raccordées au réseau",
        "organization": "ouest-distribution-electricite",
        "group": "energie",
        "license_id": "cc-by",
        "maintainer": "Ouest Distribution Électricité, open data",
        "tags": ["photovoltaïque", "production", "énergie renouvelable"],
        "notes": md("""
            Installations de production photovoltaïque raccordées au réseau de
            distribution : puissance, type d'installation, date de raccordement.
        """),
        "resources": [
            {"name": "Installations", "file": "installations-photovoltaiques.csv",
             "table": "photovoltaique", "description": "Une installation par ligne."},
        ],
    },
    {
        "name": "bornes-recharge",
        "title": "Bornes de recharge pour véhicules électriques",
        "organization": "metropole-rivebelle",
        "group": "energie",
        "license_id": "odc-odbl",
        "maintainer": "Métropole de Rivebelle, direction de la transition énergétique",
        "tags": ["IRVE", "véhicule électrique", "recharge"],
        "notes": md("""
            Points de recharge ouverts au public sur le territoire, d'après le
            schéma national des infrastructures de recharge (IRVE), simplifié.
        """),
        "resources": [
            {"name": "Points de recharge (CSV)", "file": "bornes-recharge.csv",
             "table": "bornes_irve", "description": "Un point de charge par ligne."},
            {"name": "Points de recharge (GeoJSON)", "file": "bornes-recharge.geojson",
             "table": "bornes_irve", "description": "Les mêmes points en GeoJSON."},
        ],
    },
    {
        "name": "defi-energie-consommations-foyers",
        "title": "Défi énergie : consommations individuelles des foyers participants",
        "organization": "ouest-distribution-electricite",
        "group": "energie",
        "license_id": "other-closed",
        "maintainer": "Ouest Distribution Électricité, open data",
        "private": True,
        "tags": ["électricité", "données personnelles", "sobriété"],
        "notes": md("""
            Consommations hebdomadaires d'électricité des foyers volontaires du
            défi énergie 2024, comparées à leur consommation de référence.

            **Données personnelles** : transmises uniquement avec le consentement
            de chaque foyer.
        """),
        "resources": [
            {"name": "Consommations hebdomadaires", "file": "defi-energie-2024.csv",
             "table": "defi_energie", "description": "kWh par foyer et par semaine."},
        ],
    },
    # Eau
    {
        "name": "qualite-eau-distribuee",
        "title": "Qualité de l'eau distribuée",
        "organization": "eau-bassin-rivebellois",
        "group": "eau",
        "license_id": "odc-odbl",
        "maintainer": "Eau du Bassin Rivebellois, laboratoire",
        "tags": ["eau potable", "qualité", "contrôle sanitaire"],
        "notes": md("""
            Résultats d'analyses du contrôle de la qualité de l'eau du robinet :
            nitrates, pH, turbidité, chlore, bactériologie, conductivité.
        """),
        "resources": [
            {"name": "Analyses 2024", "file": "analyses-eau-2024.csv", "table": "qualite_eau",
             "description": "Une mesure par ligne, avec la limite de qualité."},
        ],
    },
    {
        "name": "points-prelevement-eau",
        "title": "Points de prélèvement du contrôle sanitaire de l'eau",
        "organization": "eau-bassin-rivebellois",
        "group": "eau",
        "license_id": "odc-odbl",
        "maintainer": "Eau du Bassin Rivebellois, laboratoire",
        "tags": ["eau potable", "contrôle sanitaire"],
        "notes": "Localisation des points où l'eau distribuée est prélevée pour analyse.",
        "resources": [
            {"name": "Points de prélèvement", "file": "points-prelevement.geojson",
             "table": "points_prelevement", "description": "Points GeoJSON."},
        ],
    },
    {
        "name": "consommation-eau-communes",
        "title": "Volumes d'eau potable consommés par commune",
        "organization": "eau-bassin-rivebellois",
        "group": "eau",
        "license_id": "cc-by",
        "maintainer": "Eau du Bassin Rivebellois",
        "tags": ["eau potable", "consommation"],
        "notes": md("""
            Nombre d'abonnés, volumes facturés et consommation moyenne par
            habitant, par commune, de 2019 à 2023.
        """),
        "resources": [
            {"name": "Volumes 2019-2023", "file": "volumes-eau-2019-2023.csv",
             "table": "conso_eau_commune", "description": "Une commune et une année par ligne."},
        ],
    },
    {
        "name": "fontaines-eau-potable",
        "title": "Fontaines à boire",
        "organization": "ville-rivebelle",
        "group": "eau",
        "license_id": "cc-zero",
        "maintainer": "Ville de Rivebelle, direction de l'espace public",
        "tags": ["eau potable", "espace public"],
        "notes": "Fontaines d'eau potable accessibles au public et leur période de fonctionnement.",
        "resources": [
            {"name": "Fontaines (CSV)", "file": "fontaines.csv", "table": "fontaines",
             "description": "Une fontaine par ligne."},
            {"name": "Fontaines (GeoJSON)", "file": "fontaines.geojson", "table": "fontaines",
             "description": "Les fontaines en points GeoJSON."},
        ],
    },
    {
        "name": "hauteurs-eau-belle",
        "title": "Hauteurs d'eau et débits de la Belle à Rivebelle",
        "organization": "metropole-rivebelle",
        "group": "eau",
        "license_id": "cc-zero",
        "maintainer": "Métropole de Rivebelle, service GEMAPI",
        "tags": ["rivière", "inondation", "hydrométrie"],
        "notes": md("""
            Hauteur moyenne et maximale journalière et débit moyen de la Belle à
            la station du Moulin (premier trimestre 2024).
        """),
        "resources": [
            {"name": "Mesures journalières T1 2024", "file": "hauteurs-belle-2024-t1.csv",
             "table": "hauteurs_belle", "description": "Une journée par ligne."},
            {"name": "Vigicrues", "url": "https://www.vigicrues.gouv.fr/", "format": "HTML",
             "description": "La vigilance crues nationale."},
        ],
    },
    # Déchets
    {
        "name": "tonnages-collecte-dechets",
        "title": "Tonnages de déchets ménagers collectés par commune et par flux",
        "organization": "metropole-rivebelle",
        "group": "dechets",
        "license_id": "odc-odbl",
        "maintainer": "Métropole de Rivebelle, direction des déchets",
        "tags": ["déchets", "collecte", "tri"],
        "notes": md("""
            Tonnages annuels collectés en porte-à-porte et en apport volontaire,
            par commune et par flux (ordures ménagères résiduelles, emballages,
            verre, papiers, biodéchets), avec le ratio par habitant.
        """),
        "resources": [
            {"name": "Tonnages 2022-2023", "file": "tonnages-dechets-2022-2023.csv",
             "table": "tonnages_dechets", "description": "Tonnes et kg par habitant."},
        ],
    },
    {
        "name": "points-apport-volontaire",
        "title": "Points d'apport volontaire (verre, papiers, emballages, textiles)",
        "organization": "metropole-rivebelle",
        "group": "dechets",
        "license_id": "odc-odbl",
        "maintainer": "Métropole de Rivebelle, direction des déchets",
        "tags": ["déchets", "tri", "conteneurs"],
        "notes": "Conteneurs d'apport volontaire : flux accepté, volume, conteneur enterré ou non.",
        "resources": [
            {"name": "Points d'apport (CSV)", "file": "points-apport-volontaire.csv",
             "table": "points_apport", "description": "Un conteneur par ligne."},
            {"name": "Points d'apport (GeoJSON)", "file": "points-apport-volontaire.geojson",
             "table": "points_apport", "description": "Les conteneurs en points GeoJSON."},
        ],
    },
    {
        "name": "decheteries",
        "title": "Déchèteries et recycleries",
        "organization": "valobelle",
        "group": "dechets",
        "license_id": "cc-by",
        "maintainer": "Valobelle",
        "tags": ["déchets", "déchèterie", "réemploi"],
        "notes": "Adresses, horaires et déchets acceptés dans les déchèteries du syndicat.",
        "resources": [
            {"name": "Déchèteries", "file": "decheteries.geojson", "table": "decheteries",
             "description": "Points GeoJSON avec horaires."},
        ],
    },
    {
        "name": "frequentation-decheteries",
        "title": "Fréquentation journalière des déchèteries",
        "organization": "valobelle",
        "group": "dechets",
        "license_id": "cc-by",
        "maintainer": "Valobelle",
        "tags": ["déchets", "déchèterie", "fréquentation"],
        "notes": "Nombre de passages comptés chaque jour d'ouverture (avril 2024).",
        "resources": [
            {"name": "Passages avril 2024", "file": "frequentation-decheteries-2024-04.csv",
             "table": "frequentation_decheteries", "description": "Passages par jour."},
        ],
    },
    {
        "name": "composteurs-partages",
        "title": "Composteurs partagés",
        "organization": "ville-rivebelle",
        "group": "dechets",
        "license_id": "cc-zero",
        "maintainer": "Ville de Rivebelle, mission prévention des déchets",
        "tags": ["compostage", "biodéchets", "jardin"],
        "notes": "Sites de compostage partagé en pied d'immeuble et dans les jardins publics.",
        "resources": [
            {"name": "Sites de compostage", "file": "composteurs.geojson",
             "table": "composteurs", "description": "Points GeoJSON."},
        ],
    },
    # Environnement
    {
        "name": "qualite-air-journaliere",
        "title": "Qualité de l'air : concentrations journalières et indice ATMO",
        "organization": "air-ouest-surveillance",
        "group": "environnement",
        "license_id": "odc-odbl",
        "maintainer": "Air Ouest Surveillance",
        "tags": ["qualité air", "pollution", "particules fines", "NO2"],
        "notes": md("""
            Moyennes journalières de dioxyde d'azote, particules PM10 et PM2.5 et
            ozone mesurées par les stations du réseau, avec l'indice ATMO du jour
            (janvier 2024).
        """),
        "resources": [
            {"name": "Mesures janvier 2024", "file": "qualite-air-2024-01.csv",
             "table": "qualite_air", "description": "µg/m³, une station et un jour par ligne."},
            {"name": "L'indice ATMO", "url": "https://www.atmo-france.org/", "format": "HTML",
             "description": "Le calcul de l'indice de qualité de l'air."},
        ],
    },
    {
        "name": "stations-mesure-air",
        "title": "Stations de mesure de la qualité de l'air",
        "organization": "air-ouest-surveillance",
        "group": "environnement",
        "license_id": "odc-odbl",
        "maintainer": "Air Ouest Surveillance",
        "tags": ["qualité air", "stations de mesure"],
        "notes": "Stations fixes du réseau de surveillance : typologie et polluants mesurés.",
        "resources": [
            {"name": "Stations", "file": "stations-air.geojson", "table": "stations_air",
             "description": "Points GeoJSON."},
        ],
    },
    {
        "name": "capteurs-citoyens-particules",
        "title": "Capteurs citoyens de particules fines",
        "organization": "respire",
        "group": "environnement",
        "license_id": "cc-nc",
        "maintainer": "Respire",
        "tags": ["qualité air", "particules fines", "capteurs citoyens"],
        "notes": md("""
            Mesures horaires de micro-capteurs installés chez des habitants.
            Les capteurs à bas coût ne remplacent pas les stations de référence :
            les valeurs sont indicatives.

            Réutilisation commerciale soumise à licence.
        """),
        "resources": [
            {"name": "Capteurs", "file": "capteurs-respire.geojson", "table": "capteurs_sites",
             "description": "Emplacement des capteurs."},
            {"name": "Mesures horaires du 14 novembre 2024", "file": "mesures-respire.csv",
             "table": "capteurs_pm", "separator": ",",
             "description": "PM2.5, PM10 et humidité relative."},
        ],
    },
    {
        "name": "arbres-alignement",
        "title": "Arbres d'alignement",
        "organization": "ville-rivebelle",
        "group": "environnement",
        "license_id": "odc-odbl",
        "maintainer": "Ville de Rivebelle, direction des jardins",
        "tags": ["arbres", "nature en ville", "patrimoine arboré"],
        "notes": "Inventaire des arbres d'alignement : essence, dimensions, année de plantation.",
        "resources": [
            {"name": "Arbres (CSV)", "file": "arbres-alignement.csv", "table": "arbres",
             "description": "Un arbre par ligne."},
            {"name": "Arbres (GeoJSON)", "file": "arbres-alignement.geojson",
             "table": "arbres", "description": "Les arbres en points GeoJSON."},
        ],
    },
    {
        "name": "parcs-jardins",
        "title": "Parcs et jardins publics",
        "organization": "ville-rivebelle",
        "group": "environnement",
        "license_id": "odc-odbl",
        "maintainer": "Ville de Rivebelle, direction des jardins",
        "tags": ["espaces verts", "nature en ville", "parcs"],
        "notes": "Emprise des parcs, squares, jardins partagés et coulées vertes.",
        "resources": [
            {"name": "Espaces verts", "file": "espaces-verts.geojson",
             "table": "espaces_verts", "description": "Polygones GeoJSON."},
        ],
    },
    {
        "name": "ilots-chaleur-urbains",
        "title": "Îlots de chaleur urbains : température de surface par IRIS",
        "organization": "laboratoire-territoires-mobilites",
        "group": "environnement",
        "license_id": "cc-by",
        "maintainer": "Laboratoire Territoires et Mobilités",
        "tags": ["climat", "îlots de chaleur", "canicule", "IRIS"],
        "notes": md("""
            Température de surface moyenne par IRIS estimée à partir d'images
            satellitaires de l'été 2023, avec la part de végétation et de sols
            imperméabilisés.
        """),
        "resources": [
            {"name": "Températures été 2023", "file": "ilots-chaleur-2023.csv",
             "table": "ilots_chaleur", "description": "Un IRIS par ligne."},
        ],
    },
    # Urbanisme
    {
        "name": "base-adresse-locale",
        "title": "Base adresse locale de la Métropole de Rivebelle",
        "organization": "metropole-rivebelle",
        "group": "urbanisme",
        "license_id": "odc-odbl",
        "maintainer": "Métropole de Rivebelle, service information géographique",
        "tags": ["adresses", "référentiel", "BAL"],
        "notes": md("""
            Adresses certifiées par les communes, au format Base Adresse Locale
            (extrait). Données de référence transmises à la Base Adresse
            Nationale.
        """),
        "resources": [
            {"name": "Adresses", "file": "bal-rivebelle.csv", "table": "adresses",
             "description": "Une adresse par ligne, format BAL simplifié."},
            {"name": "Base Adresse Nationale", "url": "https://adresse.data.gouv.fr/",
             "format": "HTML", "description": "Le référentiel national des adresses."},
        ],
    },
    {
        "name": "communes-metropole",
        "title": "Communes de la Métropole de Rivebelle",
        "organization": "metropole-rivebelle",
        "group": "urbanisme",
        "license_id": "odc-odbl",
        "maintainer": "Métropole de Rivebelle, service information géographique",
        "tags": ["communes", "référentiel", "limites administratives"],
        "notes": "Limites, code Insee, population et nombre d'IRIS des huit communes.",
        "resources": [
            {"name": "Communes (CSV)", "file": "communes.csv", "table": "communes",
             "description": "Une commune par ligne."},
            {"name": "Communes (GeoJSON)", "file": "communes.geojson", "table": "communes",
             "description": "Contours des communes."},
        ],
    },
    {
        "name": "contours-iris",
        "title": "Contours des IRIS de la métropole",
        "organization": "agence-urbanisme-rivebelle",
        "group": "urbanisme",
        "license_id": "odc-odbl",
        "maintainer": "Agence d'urbanisme, pôle observation",
        "tags": ["IRIS", "référentiel", "statistique"],
        "notes": md("""
            Contours des IRIS (îlots regroupés pour l'information statistique)
            du territoire, avec leur type et leur population.
        """),
        "resources": [
            {"name": "IRIS", "file": "contours-iris.geojson", "table": "iris_contours",
             "description": "Polygones GeoJSON."},
            {"name": "Définition de l'IRIS (Insee)", "url": INSEE_IRIS, "format": "HTML",
             "description": "Ce qu'est un IRIS."},
        ],
    },
    {
        "name": "zonage-plui",
        "title": "Plan local d'urbanisme intercommunal : zonage",
        "organization": "metropole-rivebelle",
        "group": "urbanisme",
        "license_id": "odc-odbl",
        "maintainer": "Métropole de Rivebelle, direction de l'aménagement",
        "tags": ["urbanisme", "PLUi", "zonage"],
        "notes": "Zones du règlement graphique du PLUi approuvé le 16 décembre 2019 (extrait).",
        "resources": [
            {"name": "Zonage", "file": "zonage-plui.geojson", "table": "zonage_plui",
             "description": "Polygones des zones."},
            {"name": "Géoportail de l'urbanisme",
             "url": "https://www.geoportail-urbanisme.gouv.fr/", "format": "HTML",
             "description": "Le document d'urbanisme opposable."},
        ],
    },
    {
        "name": "permis-construire",
        "title": "Permis de construire déposés à Rivebelle",
        "organization": "ville-rivebelle",
        "group": "urbanisme",
        "license_id": "odc-odbl",
        "maintainer": "Ville de Rivebelle, service des autorisations d'urbanisme",
        "tags": ["urbanisme", "permis de construire", "logement"],
        "notes": "Permis de construire déposés en 2024 : nature des travaux, surface, décision.",
        "resources": [
            {"name": "Permis 2024", "file": "permis-construire-2024.csv", "table": "permis",
             "description": "Un permis par ligne."},
        ],
    },
    {
        "name": "logements-commences",
        "title": "Logements commencés par commune",
        "organization": "agence-urbanisme-rivebelle",
        "group": "urbanisme",
        "license_id": "cc-by",
        "maintainer": "Agence d'urbanisme, observatoire de l'habitat",
        "tags": ["logement", "construction", "habitat"],
        "notes": "Mises en chantier de logements individuels et collectifs, 2014-2023.",
        "resources": [
            {"name": "Logements commencés 2014-2023", "file": "logements-commences.csv",
             "table": "logements_commences", "description": "Une commune et une année par ligne."},
        ],
    },
    # Social
    {
        "name": "population-iris",
        "title": "Population par IRIS et tranche d'âge",
        "organization": "observatoire-social-rivebellois",
        "group": "social",
        "license_id": "cc-by",
        "maintainer": "Observatoire social rivebellois",
        "tags": ["population", "âge", "IRIS"],
        "notes": "Population municipale 2021 par IRIS, répartie en six tranches d'âge.",
        "resources": [
            {"name": "Population 2021", "file": "population-iris-2021.csv",
             "table": "population_iris", "description": "Un IRIS par ligne."},
        ],
    },
    {
        "name": "revenus-iris",
        "title": "Revenus et pauvreté par IRIS",
        "organization": "observatoire-social-rivebellois",
        "group": "social",
        "license_id": "cc-by",
        "maintainer": "Observatoire social rivebellois",
        "tags": ["revenus", "pauvreté", "IRIS"],
        "notes": md("""
            Revenu disponible médian par unité de consommation, taux de pauvreté
            et part des ménages imposés, par IRIS (2021).
        """),
        "resources": [
            {"name": "Revenus 2021", "file": "revenus-iris-2021.csv", "table": "revenus_iris",
             "description": "Un IRIS par ligne."},
        ],
    },
    {
        "name": "equipements-sociaux",
        "title": "Équipements sociaux et médico-sociaux",
        "organization": "ville-rivebelle",
        "group": "social",
        "license_id": "odc-odbl",
        "maintainer": "Ville de Rivebelle, centre communal d'action sociale",
        "tags": ["action sociale", "équipements", "solidarité"],
        "notes": "Centres sociaux, maisons de quartier, EHPAD, épiceries solidaires, CCAS.",
        "resources": [
            {"name": "Équipements (CSV)", "file": "equipements-sociaux.csv",
             "table": "equipements_sociaux", "description": "Un équipement par ligne."},
            {"name": "Équipements (GeoJSON)", "file": "equipements-sociaux.geojson",
             "table": "equipements_sociaux", "description": "Points GeoJSON."},
        ],
    },
    {
        "name": "accueil-petite-enfance",
        "title": "Structures d'accueil de la petite enfance",
        "organization": "ville-rivebelle",
        "group": "social",
        "license_id": "notspecified",
        "maintainer": "Ville de Rivebelle, direction de la petite enfance",
        "tags": ["petite enfance", "crèche", "équipements"],
        "notes": "Crèches, multi-accueils et micro-crèches : type d'accueil et nombre de places.",
        "resources": [
            {"name": "Structures", "file": "petite-enfance.csv", "table": "petite_enfance",
             "description": "Une structure par ligne."},
        ],
    },
    {
        "name": "allocataires-prestations-iris",
        "title": "Allocataires des prestations sociales par IRIS (données de travail)",
        "organization": "observatoire-social-rivebellois",
        "group": "social",
        "license_id": "other-closed",
        "maintainer": "Observatoire social rivebellois",
        "private": True,
        "tags": ["action sociale", "prestations", "IRIS"],
        "notes": md("""
            Nombre d'allocataires du RSA, des APL, de l'AAH et de la prime
            d'activité par IRIS, avant application du secret statistique.
            Réservé aux membres de l'observatoire.
        """),
        "resources": [
            {"name": "Allocataires 2023", "file": "allocataires-2023.csv",
             "table": "aides_sociales", "description": "Un IRIS et une prestation par ligne."},
        ],
    },
]
