"""Controlled vocabularies of the DCAT-AP output (pure Python, no CKAN).

Our own SKOS concept schemes (territorial typology, partner role, public
service, attribution role) are published by the portal under
``<catalogue URI>/vocabulary/<scheme>``; the EU authority tables (frequency,
access right, file type, language, data theme) and the ADMS licence types are
referred to by their official URIs.
"""
from __future__ import annotations

import dataclasses

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

DCAT = Namespace("http://www.w3.org/ns/dcat#")
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
FREQUENCY_SCHEME = URIRef(EU_AUTHORITY + "frequency")
ACCESS_RIGHT_SCHEME = URIRef(EU_AUTHORITY + "access-right")
FILE_TYPE_SCHEME = URIRef(EU_AUTHORITY + "file-type")
LANGUAGE_SCHEME = URIRef(EU_AUTHORITY + "language")
DATA_THEME_SCHEME = URIRef(EU_AUTHORITY + "data-theme")
LICENCE_TYPE_SCHEME = URIRef("http://purl.org/adms/licencetype/1.0")
LICENCE_TYPE = "http://purl.org/adms/licencetype/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


@dataclasses.dataclass(frozen=True)
class Concept:
    code: str
    fr: str
    en: str
    definition_fr: str = ""
    definition_en: str = ""


@dataclasses.dataclass(frozen=True)
class Scheme:
    """One of our SKOS concept schemes, served at ``vocabulary/<slug>``."""

    slug: str
    title_fr: str
    title_en: str
    concepts: tuple[Concept, ...]
    extra_types: tuple[URIRef, ...] = ()

    def codes(self) -> list[str]:
        return [c.code for c in self.concepts]


TYPOLOGY = Scheme(
    "territorial-typology",
    "Typologie des données du territoire",
    "Typology of the territory's data",
    (
        Concept(
            "reference", "Donnée de référence", "Reference data",
            "Donnée issue d'une base certifiée par une autorité publique, utile à de "
            "nombreux usages, portant une promesse de service public (autorité de "
            "certification, engagement de mise à jour, continuité).",
            "Data from a database certified by a public authority, useful for many "
            "uses, carrying a public-service promise (certifying authority, update "
            "commitment, continuity).",
        ),
        Concept(
            "territorial-interest", "Donnée d'intérêt territorial",
            "Territorial-interest data",
            "Donnée liée directement à l'exécution d'un service public (transport, "
            "déchets, énergie, eau), souvent produite par un délégataire dans le cadre "
            "d'un contrat de service public.",
            "Data tied directly to the delivery of a public service (transport, "
            "waste, energy, water), often produced by a delegatee under a "
            "public-service contract.",
        ),
        Concept(
            "territory", "Donnée du territoire", "Territory data",
            "Toute connaissance du territoire, quel que soit son mode de production "
            "(capteurs, enquêtes, contributions, modèles, sources privées).",
            "Any knowledge about the territory, whatever its mode of production "
            "(sensors, surveys, crowdsourcing, models, private sources).",
        ),
    ),
)

PARTNER_ROLE = Scheme(
    "partner-role",
    "Rôles des partenaires du service public métropolitain de la donnée",
    "Partner roles of the metropolitan public data service",
    (
        Concept("producer", "Producteur de données", "Data producer"),
        Concept("project-holder", "Porteur de projet", "Project holder"),
        Concept("resource", "Ressource", "Resource"),
        Concept("service-producer", "Producteur de services", "Service producer"),
        Concept("observer", "Observateur", "Observer"),
        Concept("animator", "Animateur", "Animator"),
    ),
)

PUBLIC_SERVICE = Scheme(
    "public-service",
    "Services publics",
    "Public services",
    (
        Concept("transport", "Transport", "Transport"),
        Concept("waste", "Déchets", "Waste"),
        Concept("energy", "Énergie", "Energy"),
        Concept("water", "Eau", "Water"),
        Concept("sanitation", "Assainissement", "Sanitation"),
        Concept("heating", "Réseau de chaleur", "District heating"),
        Concept("telecom", "Télécommunications", "Telecommunications"),
        Concept("other", "Autre service public", "Other public service"),
    ),
)

ATTRIBUTION_ROLE = Scheme(
    "attribution-role",
    "Rôles des acteurs d'un jeu de données",
    "Roles of the agents of a dataset",
    (
        Concept("certifying-authority", "Autorité de certification",
                "Certifying authority"),
        Concept("served-authority", "Autorité organisatrice servie",
                "Served authority"),
        Concept("continuity-contact", "Contact de continuité de service",
                "Service continuity contact"),
    ),
    extra_types=(DCAT.Role,),
)

SCHEMES = {s.slug: s for s in (TYPOLOGY, PARTNER_ROLE, PUBLIC_SERVICE, ATTRIBUTION_ROLE)}


def scheme_uri(base: str, scheme: Scheme) -> URIRef:
    return URIRef(f"{base.rstrip('/')}/vocabulary/{scheme.slug}")


def concept_uri(base: str, scheme: Scheme, code: str) -> URIRef:
    return URIRef(f"{scheme_uri(base, scheme)}/{code}")


def concept(scheme: Scheme, code: str) -> Concept | None:
    return next((c for c in scheme.concepts if c.code == code), None)


def code_of(uri: str, scheme: Scheme) -> str | None:
    """The code of one of our concepts from its URI, whatever the base URI
    (a harvested catalogue published by another portal of the bundle)."""
    segments = str(uri).rstrip("/").split("/")
    if len(segments) >= 3 and segments[-3] == "vocabulary" and segments[-2] == scheme.slug:
        return segments[-1] if segments[-1] in scheme.codes() else None
    return None


def add_concept(g: Graph, base: str, scheme: Scheme, code: str) -> URIRef | None:
    """Describes one concept (labels, scheme) in ``g``; None for unknown codes."""
    found = concept(scheme, code)
    if found is None:
        return None
    ref = concept_uri(base, scheme, code)
    g.add((ref, RDF.type, SKOS.Concept))
    for extra in scheme.extra_types:
        g.add((ref, RDF.type, extra))
    g.add((ref, SKOS.prefLabel, Literal(found.fr, lang="fr")))
    g.add((ref, SKOS.prefLabel, Literal(found.en, lang="en")))
    g.add((ref, SKOS.inScheme, scheme_uri(base, scheme)))
    return ref


def scheme_graph(base: str, scheme: Scheme) -> Graph:
    """The whole concept scheme, as served by the vocabulary endpoint."""
    g = Graph()
    g.bind("skos", SKOS)
    g.bind("dct", DCTERMS)
    ref = scheme_uri(base, scheme)
    g.add((ref, RDF.type, SKOS.ConceptScheme))
    g.add((ref, DCTERMS.title, Literal(scheme.title_fr, lang="fr")))
    g.add((ref, DCTERMS.title, Literal(scheme.title_en, lang="en")))
    g.add((ref, SKOS.prefLabel, Literal(scheme.title_fr, lang="fr")))
    g.add((ref, SKOS.prefLabel, Literal(scheme.title_en, lang="en")))
    for item in scheme.concepts:
        concept_ref = add_concept(g, base, scheme, item.code)
        assert concept_ref is not None
        g.add((ref, SKOS.hasTopConcept, concept_ref))
        g.add((concept_ref, SKOS.topConceptOf, ref))
        g.add((concept_ref, SKOS.notation, Literal(item.code)))
        if item.definition_fr:
            g.add((concept_ref, SKOS.definition, Literal(item.definition_fr, lang="fr")))
        if item.definition_en:
            g.add((concept_ref, SKOS.definition, Literal(item.definition_en, lang="en")))
    return g


# EU authority tables. English labels for the codes we use; any other
# upper-case code of the frequency table is still published, labelled by
# its code.
FREQUENCIES = {
    "CONT": "continuous", "UPDATE_CONT": "continuously updated", "HOURLY": "hourly",
    "DAILY": "daily", "WEEKLY": "weekly", "BIWEEKLY": "biweekly",
    "MONTHLY": "monthly", "BIMONTHLY": "bimonthly", "QUARTERLY": "quarterly",
    "ANNUAL_2": "semiannual", "ANNUAL": "annual", "BIENNIAL": "biennial",
    "TRIENNIAL": "triennial", "QUINQUENNIAL": "quinquennial", "IRREG": "irregular",
    "NEVER": "never",
    "OTHER": "other", "UNKNOWN": "unknown", "AS_NEEDED": "as needed",
    "NOT_PLANNED": "not planned",
}

ACCESS_RIGHTS = {  # access_class -> (EU code, English label)
    "open": ("PUBLIC", "public"),
    "restricted": ("RESTRICTED", "restricted"),
    "personal": ("NON_PUBLIC", "non-public"),
}

LANGUAGES = {"fr": ("FRA", "French"), "en": ("ENG", "English")}

# CKAN resource format (upper case) -> (EU file type code, IANA media type).
FORMATS = {
    "CSV": ("CSV", "text/csv"),
    "GEOJSON": ("GEOJSON", "application/geo+json"),
    "JSON": ("JSON", "application/json"),
    "HTML": ("HTML", "text/html"),
    "PDF": ("PDF", "application/pdf"),
    "ZIP": ("ZIP", "application/zip"),
    "XML": ("XML", "application/xml"),
    "XLSX": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "XLS": ("XLS", "application/vnd.ms-excel"),
    "ODS": ("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    "TXT": ("TXT", "text/plain"),
    "SHP": ("SHP", None),
    "GPKG": ("GPKG", "application/geopackage+sqlite3"),
    "KML": ("KML", "application/vnd.google-earth.kml+xml"),
    "GTFS": ("GTFS", None),
    "RDF": ("RDF_XML", "application/rdf+xml"),
    "TTL": ("RDF_TURTLE", "text/turtle"),
    "JSON-LD": ("JSON_LD", "application/ld+json"),
    "PARQUET": ("PARQUET", None),
}

# CKAN licence id -> (canonical licence URI, ADMS licence types).
LICENCES = {
    "odc-odbl": ("https://opendatacommons.org/licenses/odbl/1-0/",
                 ("Attribution", "ViralEffect-ShareAlike")),
    "odc-by": ("https://opendatacommons.org/licenses/by/1-0/", ("Attribution",)),
    "odc-pddl": ("https://opendatacommons.org/licenses/pddl/1-0/", ("PublicDomain",)),
    "cc-by": ("https://creativecommons.org/licenses/by/4.0/", ("Attribution",)),
    "cc-by-sa": ("https://creativecommons.org/licenses/by-sa/4.0/",
                 ("Attribution", "ViralEffect-ShareAlike")),
    "cc-zero": ("https://creativecommons.org/publicdomain/zero/1.0/", ("PublicDomain",)),
    "cc-nc": ("https://creativecommons.org/licenses/by-nc/4.0/",
              ("Attribution", "NonCommercialUseOnly")),
    "etalab-2.0": ("https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
                   ("Attribution",)),
    "lov2": ("https://www.etalab.gouv.fr/licence-ouverte-open-licence/", ("Attribution",)),
    "fr-lo": ("https://www.etalab.gouv.fr/licence-ouverte-open-licence/", ("Attribution",)),
}
LICENCE_TYPE_LABELS = {
    "Attribution": "Attribution", "PublicDomain": "Public domain",
    "ViralEffect-ShareAlike": "Viral effect (a.k.a. share-alike)",
    "NonCommercialUseOnly": "Non-commercial use only", "UnknownIPR": "Unknown IPR",
}

# Theme groups of the demo territory and public services -> EU data themes.
DATA_THEMES = {
    "TRAN": "Transport", "ENER": "Energy", "ENVI": "Environment",
    "REGI": "Regions and cities", "SOCI": "Population and society",
    "TECH": "Science and technology", "ECON": "Economy and finance",
    "GOVE": "Government and public sector", "HEAL": "Health",
    "EDUC": "Education, culture and sport", "AGRI": "Agriculture, fisheries, forestry and food",
}
GROUP_THEMES = {
    "mobilite": "TRAN", "transport": "TRAN", "energie": "ENER", "eau": "ENVI",
    "dechets": "ENVI", "environnement": "ENVI", "urbanisme": "REGI", "social": "SOCI",
    "sante": "HEAL", "economie": "ECON", "education": "EDUC", "culture": "EDUC",
}
PUBLIC_SERVICE_THEMES = {
    "transport": "TRAN", "waste": "ENVI", "energy": "ENER", "water": "ENVI",
    "sanitation": "ENVI", "heating": "ENER", "telecom": "TECH",
}

PRODUCTION_MODES = {
    "sensors": ("capteurs", "sensors"),
    "survey": ("enquête", "survey"),
    "crowdsourcing": ("contribution citoyenne", "crowdsourcing"),
    "model": ("modèle", "model"),
    "administrative-records": ("données administratives", "administrative records"),
    "private-source": ("source privée", "private source"),
}


def eu_concept(g: Graph, table: str, code: str, label: str, *types: URIRef) -> URIRef:
    """An EU authority table entry, described enough to validate (scheme, label)."""
    ref = URIRef(f"{EU_AUTHORITY}{table}/{code}")
    g.add((ref, RDF.type, SKOS.Concept))
    for extra in types:
        g.add((ref, RDF.type, extra))
    g.add((ref, SKOS.prefLabel, Literal(label, lang="en")))
    g.add((ref, SKOS.inScheme, URIRef(EU_AUTHORITY + table)))
    return ref


def frequency_code(value: str) -> str | None:
    """Upper-case EU frequency code from a code or an EU/DC frequency URI."""
    code = str(value).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].strip()
    if not code:
        return None
    code = code.upper().replace("-", "_")
    legacy = {"ANNUALLY": "ANNUAL", "CONTINUOUS": "CONT", "IRREGULAR": "IRREG",
              "SEMIANNUAL": "ANNUAL_2", "BIANNUAL": "ANNUAL_2"}
    code = legacy.get(code, code)
    return code if code in FREQUENCIES else None


def access_class_of(uri: str) -> str | None:
    code = str(uri).rstrip("/").rsplit("/", 1)[-1]
    for access_class, (eu_code, _label) in ACCESS_RIGHTS.items():
        if code == eu_code:
            return access_class
    return None
