"""ckanext-dcat RDF harvester hooks (IDCATRDFHarvester) of ``spmd_harvest``:
malformed records reported and skipped (their datasets, if any, kept as they
were), the source's mapping applied, local
edits kept or overwritten, a snapshot of each import kept for the next run.

The harvest objects and their extras are ckanext-harvest's model: the
snapshot of what an import stored lives in a ``HarvestObjectExtra``.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from ckan import model
from ckan.plugins import toolkit
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from ckanext.dcat.profiles.base import DCAT, DCT
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from . import mapping

log = logging.getLogger(__name__)
SNAPSHOT_KEY = "spmd_imported"
KEPT_KEY = "spmd_kept_local_edits"


def source_config(harvest_object: Any) -> mapping.SourceConfig:
    source = harvest_object.source or harvest_object.job.source
    return mapping.parse_config(source.config)


def malformed(graph: Any, dataset_ref: Any) -> str | None:
    """Why a record cannot become a dataset, or None."""
    titles = [o for o in graph.objects(dataset_ref, DCT.title)
              if isinstance(o, Literal) and str(o).strip()]
    if not titles:
        return "no dct:title"
    return None


# The title of a stand-in record (see after_parsing): never a real title.
STAND_IN_TITLE = "spmd:malformed-record-kept"


def after_parsing(rdf_parser: Any, harvest_job: Any) -> tuple[Any, list[str]]:
    """Malformed records leave the graph with an error each; the others go on
    (ckanext-dcat would stop the whole page at the first one).

    A record that was harvested before and is malformed now must not lose
    its dataset: ckanext-dcat deletes every dataset whose record is missing
    from the source. Such a record is replaced by a stand-in with the same
    URI (its harvest GUID), which the import hooks below ignore, so the
    dataset stays as it was until the source fixes the record."""
    graph = rdf_parser.g
    errors = []
    for dataset_ref in list(graph.subjects(RDF.type, DCAT.Dataset)):
        reason = malformed(graph, dataset_ref)
        if not reason:
            continue
        graph.remove((dataset_ref, None, None))
        graph.remove((None, None, dataset_ref))
        if isinstance(dataset_ref, URIRef) and _holds_dataset(harvest_job, str(dataset_ref)):
            graph.add((dataset_ref, RDF.type, DCAT.Dataset))
            graph.add((dataset_ref, DCT.title, Literal(STAND_IN_TITLE)))
            errors.append(f"Malformed record {dataset_ref}: {reason}; "
                          "its dataset is kept unchanged")
        else:
            errors.append(f"Malformed record {dataset_ref} skipped: {reason}")
    for error in errors:
        log.warning("harvest job %s: %s", harvest_job.id, error)
    return rdf_parser, errors


def _holds_dataset(harvest_job: Any, guid: str) -> bool:
    """Whether this source has a dataset harvested from the record ``guid``."""
    return model.Session.query(
        model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_source_id == harvest_job.source_id)
        .filter(HarvestObject.guid == guid)
        .filter(HarvestObject.current.is_(True))
        .filter(HarvestObject.package_id.isnot(None))
        .exists()
    ).scalar()


def _ignored_stand_in(harvest_object: Any, dataset_dict: dict[str, Any]) -> bool:
    """An emptied dataset dict is left alone by ckanext-dcat's import. The
    harvest object, now the record's current one, keeps pointing at the
    dataset, so that a later removal upstream still deletes it."""
    if dataset_dict.get("title") != STAND_IN_TITLE:
        return False
    if dataset_dict.get("id"):
        harvest_object.package_id = dataset_dict["id"]
    dataset_dict.clear()
    return True


def before_create(harvest_object: Any, dataset_dict: dict[str, Any],
                  temp_dict: dict[str, Any]) -> None:
    if _ignored_stand_in(harvest_object, dataset_dict):
        return  # its dataset was deleted here meanwhile: not created again
    mapping.apply(dataset_dict, source_config(harvest_object))


def before_update(harvest_object: Any, dataset_dict: dict[str, Any],
                  temp_dict: dict[str, Any]) -> None:
    if _ignored_stand_in(harvest_object, dataset_dict):
        return
    config = source_config(harvest_object)
    mapping.apply(dataset_dict, config)
    if config.local_edits != "keep":
        return
    imported = last_snapshot(harvest_object)
    if imported is None:
        return  # imported before spmd_harvest: nothing to tell local edits by
    current = toolkit.get_action("package_show")(
        {"ignore_auth": True, "for_update": True}, {"id": dataset_dict["id"]})
    kept = mapping.keep_local_edits(dataset_dict, current, imported)
    if kept:
        temp_dict[KEPT_KEY] = kept
        log.info("%s: local edits kept (%s)", dataset_dict.get("name"), ", ".join(kept))


def after_import(harvest_object: Any, dataset_dict: dict[str, Any],
                 temp_dict: dict[str, Any]) -> None:
    stored = toolkit.get_action("package_show")(
        {"ignore_auth": True, "for_update": True}, {"id": dataset_dict["id"]})
    harvest_object.extras.append(HarvestObjectExtra(
        key=SNAPSHOT_KEY, value=json.dumps(mapping.snapshot(stored))))
    if temp_dict.get(KEPT_KEY):
        harvest_object.extras.append(HarvestObjectExtra(
            key=KEPT_KEY, value=", ".join(temp_dict[KEPT_KEY])))


def last_snapshot(harvest_object: Any) -> dict[str, Any] | None:
    row = (
        model.Session.query(HarvestObjectExtra.value)
        .join(HarvestObject, HarvestObjectExtra.harvest_object_id == HarvestObject.id)
        .filter(HarvestObject.guid == harvest_object.guid)
        .filter(HarvestObject.harvest_source_id == harvest_object.harvest_source_id)
        .filter(HarvestObject.id != harvest_object.id)
        .filter(HarvestObjectExtra.key == SNAPSHOT_KEY)
        .order_by(HarvestObject.import_finished.desc().nullslast(),
                  HarvestObject.gathered.desc())
        .first()
    )
    return json.loads(row[0]) if row else None
