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


def get_commands() -> list[click.Command]:
    return [spmd]


def get_search_commands() -> list[click.Command]:
    return [search_cli.spmd_search]
