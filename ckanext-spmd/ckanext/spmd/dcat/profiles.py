"""The ``spmd_dcat_ap`` RDF profile, applied after ckanext-dcat's ``euro_dcat_ap_3``.

Serialising, it adds what the metropolitan data service knows (typology,
access class, partner roles, public service, legal basis, certifying
authority, service commitment, production mode) and rewrites the values
``euro_dcat_ap_3`` leaves as free literals (frequency, formats, licences,
geometry, language) into the controlled vocabularies DCAT-AP 3.0.1 asks for,
so that every public dataset validates against the official SHACL shapes.
Datasets whose access class is not ``open`` never carry a data URL: their
distributions point at the dataset page.

Parsing (harvesting in), it reads the same properties back into the fields
of our dataset schema.
"""
from __future__ import annotations

import json
import weakref
from typing import Any

from ckan.plugins import toolkit
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS, SKOS

from ckanext.dcat.profiles.base import (
    DCAT,
    DCATAP,
    DCT,
    FOAF,
    GSP,
    LOCN,
    VCARD,
    RDFProfile,
)
from ckanext.dcat.utils import catalog_uri

from . import spatial
from . import vocabulary as voc

ELI = Namespace("http://data.europa.eu/eli/ontology#")
GEOJSON_LITERAL = URIRef("https://www.iana.org/assignments/media-types/application/geo+json")

# Organisations shown while one graph is built (a catalogue page shows many
# datasets of the same few producers): one organization_show each.
_ORGANIZATIONS: weakref.WeakKeyDictionary[Graph, dict[str, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def field(dataset_dict: dict[str, Any], key: str) -> Any:
    """A schema field, top-level (scheming) or in the extras (plain CKAN)."""
    value = dataset_dict.get(key)
    if value in (None, ""):
        for extra in dataset_dict.get("extras") or []:
            if extra.get("key") == key:
                return extra.get("value")
        return None
    return value


def as_list(value: Any) -> list[str]:
    """A multi-valued field: a list (scheming), JSON or comma-separated text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = value.strip("{}").split(",")
    if isinstance(value, str):
        value = [value]
    return [str(v).strip() for v in value or [] if str(v).strip()]


def access_class(dataset_dict: dict[str, Any]) -> str:
    # Missing means open (datasets created before the plugin), per the contract.
    return field(dataset_dict, "access_class") or "open"


def data_released(dataset_dict: dict[str, Any]) -> bool:
    """The RDF export is a public channel: only open data shows its URLs,
    whoever asks (a sysadmin's export may be cached or passed on)."""
    return access_class(dataset_dict) == "open" and dataset_dict.get("type", "dataset") != (
        "personal-data")


def dataset_page(dataset_dict: dict[str, Any]) -> URIRef:
    return URIRef(f"{catalog_uri().rstrip('/')}/dataset/{dataset_dict.get('name') or dataset_dict['id']}")


class SpmdDCATAPProfile(RDFProfile):
    """Metropolitan public data service on top of DCAT-AP 3."""

    # Serialising

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        base = catalog_uri()
        for prefix, namespace in (("org", ORG), ("prov", PROV), ("eli", ELI),
                                  ("dcatap", DCATAP), ("geo", GSP)):
            g.bind(prefix, namespace)
        self._typology(dataset_dict, dataset_ref, base)
        self._access_rights(dataset_dict, dataset_ref)
        self._frequency(dataset_dict, dataset_ref)
        self._themes(dataset_dict, dataset_ref, base)
        self._publisher(dataset_dict, dataset_ref, base)
        self._reference_fields(dataset_dict, dataset_ref, base)
        self._territorial_interest_fields(dataset_dict, dataset_ref, base)
        self._territory_fields(dataset_dict, dataset_ref)
        self._spatial(dataset_dict, dataset_ref)
        self._language(dataset_ref)
        self._contact_points(dataset_ref)
        page = dataset_page(dataset_dict)
        g.add((dataset_ref, DCAT.landingPage, page))
        g.add((page, RDF.type, FOAF.Document))
        licence = self._licence(dataset_dict.get("license_id"), dataset_dict.get("license_url"))
        released = data_released(dataset_dict)
        for distribution in list(g.objects(dataset_ref, DCAT.distribution)):
            self._distribution(distribution, licence, released, page)

    def _typology(self, dataset_dict: dict[str, Any], dataset_ref: URIRef, base: str) -> None:
        code = field(dataset_dict, "territorial_typology")
        ref = voc.add_concept(self.g, base, voc.TYPOLOGY, code) if code else None
        if ref is not None:
            self.g.add((dataset_ref, DCT.type, ref))

    def _access_rights(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        eu_code, label = voc.ACCESS_RIGHTS.get(access_class(dataset_dict),
                                               voc.ACCESS_RIGHTS["restricted"])
        g.remove((dataset_ref, DCT.accessRights, None))  # at most one
        ref = voc.eu_concept(g, "access-right", eu_code, label, DCT.RightsStatement)
        g.add((dataset_ref, DCT.accessRights, ref))

    def _frequency(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        g.remove((dataset_ref, DCT.accrualPeriodicity, None))
        value = field(dataset_dict, "frequency")
        code = voc.frequency_code(value) if value else None
        if code:
            ref = voc.eu_concept(g, "frequency", code, voc.FREQUENCIES[code], DCT.Frequency)
            g.add((dataset_ref, DCT.accrualPeriodicity, ref))

    def _themes(self, dataset_dict: dict[str, Any], dataset_ref: URIRef, base: str) -> None:
        codes = {voc.GROUP_THEMES[group["name"]] for group in dataset_dict.get("groups") or []
                 if group.get("name") in voc.GROUP_THEMES}
        service = field(dataset_dict, "public_service")
        if service in voc.PUBLIC_SERVICE_THEMES:
            codes.add(voc.PUBLIC_SERVICE_THEMES[service])
        for code in sorted(codes):
            ref = voc.eu_concept(self.g, "data-theme", code, voc.DATA_THEMES[code])
            self.g.add((dataset_ref, DCAT.theme, ref))

    def _organization(self, org_id: str) -> dict[str, Any] | None:
        cache = _ORGANIZATIONS.setdefault(self.g, {})
        if org_id not in cache:
            try:
                cache[org_id] = toolkit.get_action("organization_show")(
                    {"ignore_auth": True},
                    {"id": org_id, "include_datasets": False, "include_users": False,
                     "include_groups": False, "include_followers": False,
                     "include_dataset_count": False},
                )
            except toolkit.ObjectNotFound:
                cache[org_id] = {}
        return cache[org_id] or None

    def _publisher(self, dataset_dict: dict[str, Any], dataset_ref: URIRef, base: str) -> None:
        """The owner organisation (foaf:Agent, from euro_dcat_ap_3) with its
        partner roles as org:classification in our partner-role scheme."""
        g = self.g
        publisher = next(iter(g.objects(dataset_ref, DCT.publisher)), None)
        organization = dataset_dict.get("organization") or {}
        if publisher is None or not organization.get("id"):
            return
        org = self._organization(organization["id"]) or {}
        if (publisher, FOAF.name, None) not in g:
            g.add((publisher, FOAF.name, Literal(org.get("title") or organization.get("title")
                                                 or organization.get("name"))))
        for role in as_list(field(org, "partner_roles")):
            ref = voc.add_concept(g, base, voc.PARTNER_ROLE, role)
            if ref is not None:
                g.add((publisher, ORG.classification, ref))

    def _attribution(self, dataset_ref: URIRef, base: str, role: str, name: str) -> None:
        g = self.g
        attribution, agent = BNode(), BNode()
        g.add((dataset_ref, DCAT.qualifiedAttribution, attribution))
        g.add((attribution, RDF.type, PROV.Attribution))
        g.add((attribution, PROV.agent, agent))
        g.add((agent, RDF.type, FOAF.Agent))
        g.add((agent, FOAF.name, Literal(name)))
        role_ref = voc.add_concept(g, base, voc.ATTRIBUTION_ROLE, role)
        g.add((attribution, DCAT.hadRole, role_ref))

    def _reference_fields(self, dataset_dict: dict[str, Any], dataset_ref: URIRef,
                          base: str) -> None:
        g = self.g
        authority = field(dataset_dict, "certifying_authority")
        if authority:
            self._attribution(dataset_ref, base, "certifying-authority", authority)
        commitment = field(dataset_dict, "service_commitment")
        if commitment:
            # The update commitment is the specification the reference data
            # conforms to: a dct:Standard that states it.
            standard = BNode()
            g.add((dataset_ref, DCT.conformsTo, standard))
            g.add((standard, RDF.type, DCT.Standard))
            g.add((standard, DCT.title, Literal("Engagement de service public", lang="fr")))
            g.add((standard, DCT.title, Literal("Public service commitment", lang="en")))
            g.add((standard, DCT.description, Literal(commitment)))
        contact = field(dataset_dict, "continuity_contact")
        if contact:
            kind = BNode()
            g.add((dataset_ref, DCAT.contactPoint, kind))
            g.add((kind, RDF.type, VCARD.Kind))
            g.add((kind, VCARD.fn, Literal(contact)))
            if "@" in contact and " " not in contact.strip():
                g.add((kind, VCARD.hasEmail, URIRef(f"mailto:{contact.strip()}")))
            g.add((kind, VCARD.role, Literal("continuité de service", lang="fr")))

    def _territorial_interest_fields(self, dataset_dict: dict[str, Any], dataset_ref: URIRef,
                                     base: str) -> None:
        g = self.g
        service = field(dataset_dict, "public_service")
        ref = voc.add_concept(g, base, voc.PUBLIC_SERVICE, service) if service else None
        if ref is not None:
            g.add((dataset_ref, DCAT.theme, ref))
        legal_basis = field(dataset_dict, "legal_basis")
        if legal_basis:
            # A URL (Légifrance, ELI) is the legal resource itself; a contract
            # reference is described by its title.
            legal = (URIRef(legal_basis.strip())
                     if legal_basis.strip().startswith(("http://", "https://")) else BNode())
            g.add((dataset_ref, DCATAP.applicableLegislation, legal))
            g.add((legal, RDF.type, ELI.LegalResource))
            if isinstance(legal, BNode):
                g.add((legal, DCT.title, Literal(legal_basis)))
        served = field(dataset_dict, "served_authority")
        if served:
            self._attribution(dataset_ref, base, "served-authority", served)

    def _territory_fields(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        mode = field(dataset_dict, "production_mode")
        notes = field(dataset_dict, "method_notes")
        if not (mode or notes):
            return
        g = self.g
        statement = BNode()
        g.add((dataset_ref, DCT.provenance, statement))
        g.add((statement, RDF.type, DCT.ProvenanceStatement))
        fr, en = voc.PRODUCTION_MODES.get(mode, (mode, mode)) if mode else ("", "")
        if fr:
            g.add((statement, RDFS.label, Literal(f"Mode de production : {fr}", lang="fr")))
            g.add((statement, RDFS.label, Literal(f"Production mode: {en}", lang="en")))
        if notes:
            g.add((statement, RDFS.comment, Literal(notes)))

    def _spatial(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """DCAT-AP 3 wants locn:geometry to point at a locn:Geometry node:
        the GeoJSON and WKT literals go on that node, with a bbox and centroid
        on the location itself."""
        g = self.g
        for location in list(g.objects(dataset_ref, DCT.spatial)):
            literals = [o for o in g.objects(location, LOCN.geometry) if isinstance(o, Literal)]
            for value in literals:
                g.remove((location, LOCN.geometry, value))
            geojson = field(dataset_dict, "spatial")
            shape = spatial.parse(geojson) if geojson else None
            if shape is None:
                continue
            geometry = BNode()
            g.add((location, LOCN.geometry, geometry))
            g.add((geometry, RDF.type, LOCN.Geometry))
            g.add((geometry, GSP.asWKT, Literal(spatial.wkt(shape), datatype=GSP.wktLiteral)))
            g.add((geometry, GSP.asGeoJSON, Literal(json.dumps(shape),
                                                    datatype=GSP.geoJSONLiteral)))
            g.remove((location, DCAT.bbox, None))
            g.remove((location, DCAT.centroid, None))
            g.add((location, DCAT.bbox, Literal(spatial.bbox_wkt(shape),
                                                datatype=GSP.wktLiteral)))
            g.add((location, DCAT.centroid, Literal(spatial.centroid_wkt(shape),
                                                    datatype=GSP.wktLiteral)))

    def _language(self, subject: URIRef) -> None:
        g = self.g
        literals = [o for o in g.objects(subject, DCT.language) if isinstance(o, Literal)]
        for value in literals:
            g.remove((subject, DCT.language, value))
        langs = {str(v).lower()[:2] for v in literals} or {
            toolkit.config.get("ckan.locale_default", "fr")[:2]}
        for lang in sorted(langs):
            if lang in voc.LANGUAGES:
                code, label = voc.LANGUAGES[lang]
                ref = voc.eu_concept(g, "language", code, label, DCT.LinguisticSystem)
                g.add((subject, DCT.language, ref))

    def _contact_points(self, dataset_ref: URIRef) -> None:
        # The shapes check the class without inference: vcard:Organization
        # must also say it is a vcard:Kind.
        for contact in self.g.objects(dataset_ref, DCAT.contactPoint):
            self.g.add((contact, RDF.type, VCARD.Kind))

    def _licence(self, license_id: str | None, license_url: str | None) -> URIRef | None:
        g = self.g
        known = voc.LICENCES.get(license_id or "")
        if known:
            uri, types = known
        elif license_url and license_url.startswith(("http://", "https://")):
            uri, types = license_url, ("UnknownIPR",)
        else:
            return None
        ref = URIRef(uri)
        g.add((ref, RDF.type, DCT.LicenseDocument))
        for licence_type in types:
            type_ref = URIRef(voc.LICENCE_TYPE + licence_type)
            g.add((ref, DCT.type, type_ref))
            g.add((type_ref, RDF.type, SKOS.Concept))
            g.add((type_ref, SKOS.prefLabel, Literal(voc.LICENCE_TYPE_LABELS[licence_type],
                                                     lang="en")))
            g.add((type_ref, SKOS.inScheme, voc.LICENCE_TYPE_SCHEME))
        return ref

    def _distribution(self, distribution: URIRef, licence: URIRef | None, released: bool,
                      page: URIRef) -> None:
        g = self.g
        fmt = next((o for o in g.objects(distribution, DCT["format"])), None)
        media = next((o for o in g.objects(distribution, DCAT.mediaType)), None)
        g.remove((distribution, DCT["format"], None))
        g.remove((distribution, DCAT.mediaType, None))
        known = voc.FORMATS.get(str(fmt).strip().upper()) if fmt is not None else None
        if known:
            code, mimetype = known
            ref = voc.eu_concept(g, "file-type", code, code, DCT.MediaTypeOrExtent)
            g.add((distribution, DCT["format"], ref))
            media_type = mimetype or (str(media) if media is not None else None)
            if media_type and "/" in media_type and not media_type.startswith("http"):
                media_ref = URIRef(voc.IANA_MEDIA_TYPES + media_type)
                g.add((distribution, DCAT.mediaType, media_ref))
                g.add((media_ref, RDF.type, DCT.MediaType))
        if licence is not None and (distribution, DCT.license, None) not in g:
            g.add((distribution, DCT.license, licence))
        for old in [o for o in g.objects(distribution, DCT.license) if o != licence]:
            # euro_dcat_ap_3 marks every licence UnknownIPR; keep ours typed.
            g.add((old, RDF.type, DCT.LicenseDocument))
        if not released:
            g.remove((distribution, DCAT.downloadURL, None))
            g.remove((distribution, DCAT.accessURL, None))
        if (distribution, DCAT.accessURL, None) not in g:
            # dcat:accessURL is mandatory: the dataset page explains how to get the data.
            g.add((distribution, DCAT.accessURL, page))

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: URIRef) -> None:
        g = self.g
        config = toolkit.config
        if (catalog_ref, DCT.description, None) not in g:
            g.add((catalog_ref, DCT.description, Literal(
                config.get("ckanext.spmd.dcat.catalog_description")
                or "Catalogue du service public métropolitain de la donnée", lang="fr")))
        homepage = next(iter(g.objects(catalog_ref, FOAF.homepage)), None)
        if homepage is not None:
            g.add((homepage, RDF.type, FOAF.Document))
        self._language(catalog_ref)
        if (catalog_ref, DCT.publisher, None) not in g:
            organization = config.get("ckanext.spmd.dcat.catalog_publisher")
            org = self._organization(organization) if organization else None
            if org:
                publisher: URIRef | BNode = URIRef(
                    f"{catalog_uri().rstrip('/')}/organization/{org['id']}")
                name = org.get("title") or org["name"]
            else:
                publisher = BNode()
                name = config.get("ckan.site_title") or "CKAN"
            g.add((catalog_ref, DCT.publisher, publisher))
            g.add((publisher, RDF.type, FOAF.Agent))
            g.add((publisher, FOAF.name, Literal(name)))
        g.add((catalog_ref, DCAT.themeTaxonomy, URIRef(voc.EU_AUTHORITY + "data-theme")))
        g.add((URIRef(voc.EU_AUTHORITY + "data-theme"), RDF.type, SKOS.ConceptScheme))
        g.add((URIRef(voc.EU_AUTHORITY + "data-theme"), DCT.title,
               Literal("Data theme", lang="en")))

    # Parsing (harvesting in)

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> dict[str, Any]:
        g = self.g
        found: dict[str, Any] = {}
        for value in g.objects(dataset_ref, DCT.type):
            code = voc.code_of(value, voc.TYPOLOGY)
            if code:
                found["territorial_typology"] = code
        rights = next(iter(g.objects(dataset_ref, DCT.accessRights)), None)
        if rights is not None and voc.access_class_of(rights):
            found["access_class"] = voc.access_class_of(rights)
        frequency = next(iter(g.objects(dataset_ref, DCT.accrualPeriodicity)), None)
        if frequency is not None and voc.frequency_code(frequency):
            found["frequency"] = voc.frequency_code(frequency)
        for value in g.objects(dataset_ref, DCAT.theme):
            code = voc.code_of(value, voc.PUBLIC_SERVICE)
            if code:
                found["public_service"] = code
        for location in g.objects(dataset_ref, DCT.spatial):
            for geometry in g.objects(location, LOCN.geometry):
                # A GeoSPARQL GeoJSON literal (euro_dcat_ap_3 only reads the
                # IANA-typed ones), or our locn:Geometry node.
                literals = ([geometry] if isinstance(geometry, Literal)
                            else list(g.objects(geometry, GSP.asGeoJSON)))
                for literal in literals:
                    if spatial.parse(str(literal)) is not None:
                        found["spatial"] = str(literal)
        for attribution in g.objects(dataset_ref, DCAT.qualifiedAttribution):
            role = next(iter(g.objects(attribution, DCAT.hadRole)), None)
            agent = next(iter(g.objects(attribution, PROV.agent)), None)
            name = next(iter(g.objects(agent, FOAF.name)), None) if agent is not None else None
            code = voc.code_of(role, voc.ATTRIBUTION_ROLE) if role is not None else None
            if code and name is not None:
                found[code.replace("-", "_")] = str(name)
        for standard in g.objects(dataset_ref, DCT.conformsTo):
            if (standard, DCT.title, Literal("Public service commitment", lang="en")) in g:
                found["service_commitment"] = str(next(g.objects(standard, DCT.description)))
        for legal in g.objects(dataset_ref, DCATAP.applicableLegislation):
            title = next(iter(g.objects(legal, DCT.title)), None)
            found["legal_basis"] = str(title if isinstance(legal, BNode) and title else legal)
        set_fields(dataset_dict, found)
        return dataset_dict


def set_fields(dataset_dict: dict[str, Any], found: dict[str, Any]) -> None:
    """Top-level schema fields win over the extras euro_dcat_ap_3 parsed
    (``frequency`` as a URI, ``spatial``...), which would clash with them."""
    extras = dataset_dict.get("extras") or []
    extras_values = {e["key"]: e["value"] for e in extras}
    if "frequency" not in found and extras_values.get("frequency"):
        code = voc.frequency_code(extras_values["frequency"])
        if code:
            found["frequency"] = code
    for key in ("spatial", "temporal_start", "temporal_end"):
        if key not in found and extras_values.get(key):
            found[key] = extras_values[key]
    dataset_dict["extras"] = [e for e in extras if e["key"] not in found]
    dataset_dict.update(found)
