"""``ckan spmd-harvest``: configure a harvest source with our mapping and run
it in-process, with progress and a report (created, updated, deleted, errors).

(ckanext-harvest's own ``ckan harvester`` commands and web pages work too:
the mapping lives in the source's config JSON.)
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

import click
from ckan.plugins import toolkit

from . import mapping


def site_context() -> dict[str, Any]:
    user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"user": user, "ignore_auth": True}


@click.group("spmd-harvest", short_help="Harvest sources with the SPMD mapping")
def spmd_harvest() -> None:
    """Harvest national catalogues into the territory's portal."""


@spmd_harvest.command("source-create")
@click.argument("name")
@click.argument("url")
@click.option("--type", "source_type", default="dcat_rdf", show_default=True,
              help="Harvester: dcat_rdf (DCAT catalogue) or ckan (CKAN API).")
@click.option("--organization", required=True, help="Owner organisation of the datasets.")
@click.option("--typology", type=click.Choice(mapping.TYPOLOGIES),
              help="Typology of records that state none.")
@click.option("--local-edits", type=click.Choice(mapping.LOCAL_EDITS), default="overwrite",
              show_default=True, help="What the next run does to fields edited locally.")
@click.option("--defaults", default="{}", help='Field defaults, JSON: {"frequency": "ANNUAL"}')
@click.option("--title", default=None)
def source_create(name: str, url: str, source_type: str, organization: str,
                  typology: str | None, local_edits: str, defaults: str,
                  title: str | None) -> None:
    """Create the harvest source NAME for the catalogue at URL."""
    config: dict[str, Any] = {"spmd_local_edits": local_edits}
    if typology:
        config["spmd_default_typology"] = typology
    try:
        config["spmd_defaults"] = json.loads(defaults)
        mapping.parse_config(json.dumps(config))
    except (ValueError, mapping.SourceConfigError) as e:
        raise click.BadParameter(str(e)) from e
    try:
        source = toolkit.get_action("harvest_source_create")(site_context(), {
            "name": name, "title": title or name, "url": url, "source_type": source_type,
            "owner_org": organization, "config": json.dumps(config)})
    except toolkit.ValidationError as e:
        raise click.ClickException(f"harvest source not created: {e.error_dict}") from e
    click.echo(f"harvest source {source['name']} created ({source['id']})")


@spmd_harvest.command("run")
@click.argument("source")
def run(source: str) -> None:
    """Harvest SOURCE (name or id) now, in this process."""
    report = run_source(source, echo=click.echo)
    if report["errors"]:
        raise SystemExit(1)


def run_source(source_id: str, echo: Any) -> dict[str, Any]:
    """Gather, then fetch and import each record with one progress line,
    then close the job and print its report. Returns the report."""
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

    context = site_context()
    source_dict = toolkit.get_action("harvest_source_show")(context, {"id": source_id})
    source_obj = HarvestSource.get(source_dict["id"])
    harvester = queue.get_harvester(source_obj.type)
    if harvester is None:
        raise click.ClickException(f"no harvester {source_obj.type!r} is loaded")
    job_dict = toolkit.get_action("harvest_job_create")(
        context, {"source_id": source_obj.id, "run": False})
    job = HarvestJob.get(job_dict["id"])
    job.status = "Running"
    job.save()
    echo(f"gathering {source_obj.url} ...")
    object_ids = queue.gather_stage(harvester, job)
    object_ids = object_ids if isinstance(object_ids, list) else []
    echo(f"{len(object_ids)} records to process")
    for n, object_id in enumerate(object_ids, 1):
        obj = HarvestObject.get(object_id)
        queue.fetch_and_import_stages(harvester, obj)
        status = obj.report_status or ("error" if obj.errors else obj.state)
        echo(f"[{n}/{len(object_ids)}] {obj.guid}: {status}")
    toolkit.get_action("harvest_jobs_run")(context, {"source_id": source_obj.id})
    report = job_report(job.id)
    echo("report: " + ", ".join(f"{k} {report[k]}" for k in ("created", "updated",
                                                             "deleted", "unchanged")))
    echo(f"errors: {len(report['errors'])}")
    for error in report["errors"]:
        echo(f"  - {error}")
    return report


def job_report(job_id: str) -> dict[str, Any]:
    """Counts by outcome and every error (gather and per record) of a job."""
    from ckan import model

    from ckanext.harvest.model import HarvestObject

    counts: Counter[str] = Counter()
    for (status,) in model.Session.query(HarvestObject.report_status).filter(
            HarvestObject.harvest_job_id == job_id):
        counts[status or "errored"] += 1
    raw = toolkit.get_action("harvest_job_report")({"ignore_auth": True}, {"id": job_id})
    errors = [e["message"] for e in raw.get("gather_errors", [])]
    for object_errors in raw.get("object_errors", {}).values():
        errors.extend(f"{object_errors.get('original_url') or object_errors['guid']}: "
                      f"{e['message']}" for e in object_errors["errors"])
    return {"created": counts["added"], "updated": counts["updated"],
            "deleted": counts["deleted"], "unchanged": counts["not modified"],
            "errors": errors}


def get_commands() -> list[click.Command]:
    return [spmd_harvest]
