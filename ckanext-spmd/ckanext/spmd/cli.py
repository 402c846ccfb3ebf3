"""Command-line interface: ``ckan spmd ...`` and ``ckan spmd-search ...``."""
from __future__ import annotations

import click

from .search import cli as search_cli


@click.group(short_help="Metropolitan public data service commands")
def spmd() -> None:
    """Metropolitan public data service (ckanext-spmd)."""


@spmd.group()
def demo() -> None:
    """Demo territory content."""


@demo.command("load")
def demo_load() -> None:
    """Create (or complete) the demo territory: organisations, datasets,
    resources. Idempotent: a second run changes nothing."""
    from .demo import loader

    try:
        loader.load(echo=click.echo)
    except loader.DemoLoadError as e:
        raise click.ClickException(str(e))


@spmd.command("qualify")
@click.option("--dry-run", is_flag=True, help="Say what would be done, change nothing.")
def qualify_command(dry_run: bool) -> None:
    """Give a territorial typology to the datasets that have none, from the
    rules of the config (ckanext.spmd.qualify.*: harvest source, tag,
    organisation, default)."""
    from ckan.plugins import toolkit

    from . import qualify, qualify_run

    try:
        rules = qualify.rules_from_config(toolkit.config)
    except qualify.RuleError as e:
        raise click.ClickException(str(e))

    def progress(items: list) -> click.progressbar:
        return click.progressbar(items, label="Qualifying datasets", file=click.get_text_stream("stderr"))

    counts = qualify_run.backfill(rules, dry_run, progress, click.echo)
    done = ", ".join(f"{n} {key}" for key, n in sorted(counts.items())) or "nothing to qualify"
    click.echo(("Dry run: " if dry_run else "Qualified: ") + done)


def get_commands() -> list[click.Command]:
    return [spmd]


def get_search_commands() -> list[click.Command]:
    return [search_cli.spmd_search]
