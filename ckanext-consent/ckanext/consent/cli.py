"""``ckan consent ...``: enrolment codes, registry verification, demo."""
from __future__ import annotations

import sys
from typing import Any

import click
from ckan.plugins import toolkit


def _site_context() -> dict[str, Any]:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


@click.group(short_help="Consent-gated personal data: codes, registry, demo.")
def consent() -> None:
    pass


@consent.command()
@click.argument("dataset")
@click.option("--keys", default="", help="Comma-separated keys (default: every key not enrolled).")
@click.option("--ttl-days", type=int, default=None, help="Days the codes stay valid.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="CSV file for a mail merge (default: standard output).")
def codes(dataset: str, keys: str, ttl_days: int | None, output: str | None) -> None:
    """Issue one-time enrolment codes for DATASET, as CSV (key, code, expiry)."""
    from .views import codes_csv

    data: dict[str, Any] = {"id": dataset}
    if keys:
        data["keys"] = [k.strip() for k in keys.split(",") if k.strip()]
    if ttl_days is not None:
        data["ttl_days"] = ttl_days
    try:
        result = toolkit.get_action("consent_codes_issue")(_site_context(), data)
    except (toolkit.ValidationError, toolkit.ObjectNotFound) as err:
        raise click.ClickException(str(getattr(err, "error_dict", None) or err))
    text = codes_csv(result["codes"])
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        click.echo(f"{len(result['codes'])} codes written to {output}", err=True)
    else:
        sys.stdout.write(text)


@consent.command()
def verify() -> None:
    """Recompute the hash chain of the consent registry."""
    result = toolkit.get_action("consent_verify")(_site_context(), {})
    for problem in result["problems"]:
        click.echo(f"event {problem['seq']}: {problem['reason']}", err=True)
    if not result["ok"]:
        raise click.ClickException(
            f"consent registry tampered with: {len(result['problems'])} problem(s) "
            f"in {result['events']} events")
    click.echo(f"consent registry intact: {result['events']} events")


@consent.group()
def demo() -> None:
    """Demo content of ckanext-consent."""


@demo.command("load")
def demo_load() -> None:
    """Load the energy-challenge demo (idempotent; after `ckan spmd demo load`)."""
    from ckan.plugins import toolkit

    from . import demo as demo_module

    try:
        demo_module.load(echo=click.echo)
    except toolkit.ValidationError as err:
        # e.g. SPMD_DEMO_PASSWORD refused by CKAN's password rules
        raise click.ClickException(f"demo content refused: {err.error_dict}")
    except toolkit.ObjectNotFound as err:
        raise click.ClickException(f"{err.message or err}: run `ckan spmd demo load` first")


def get_commands() -> list[Any]:
    return [consent]
