"""``ckan spmd-search``: index maintenance with progress bars.

CKAN's ``ckan search-index rebuild|clear|show|check`` work unchanged with the
embedded backend; these commands add a batched rebuild with a progress bar
and figures about the index.
"""
from __future__ import annotations

import time

import click
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit

from .connection import TABLE


@click.group("spmd-search", short_help="Embedded PostgreSQL search index")
def spmd_search() -> None:
    """Embedded PostgreSQL search index (ckanext-spmd)."""


@spmd_search.command()
@click.option("--batch-size", type=int, default=None, help="Datasets per transaction.")
@click.option("--clear", is_flag=True, help="Empty the index first.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def rebuild(batch_size: int | None, clear: bool, quiet: bool) -> None:
    """Re-index every dataset, committing in batches, with a progress bar."""
    from ckan import logic
    from ckan.lib import search
    from tqdm import tqdm

    batch = batch_size or toolkit.config.get("ckanext.spmd.search.rebuild_batch_size")
    if clear:
        search.clear_all()
        model.Session.commit()
    query = model.Session.query(model.Package.id)
    if toolkit.config.get("ckan.search.remove_deleted_packages"):
        query = query.filter(model.Package.state != "deleted")
    ids = [r[0] for r in query.order_by(model.Package.id)]
    context = {"ignore_auth": True}
    started = time.monotonic()
    failed: list[tuple[str, str]] = []
    with tqdm(total=len(ids), unit="dataset", disable=quiet) as bar:
        for i in range(0, len(ids), batch):
            for pkg_id in ids[i : i + batch]:
                try:
                    logic.index_update_package(dict(context), pkg_id, True)
                except Exception as e:  # keep going, report at the end
                    model.Session.rollback()
                    failed.append((pkg_id, repr(e)))
                bar.update(1)
            model.Session.commit()
    # drop rows of datasets that no longer exist
    removed = model.Session.execute(
        sa.text(f"DELETE FROM {TABLE} WHERE id NOT IN (SELECT id FROM package)")
    ).rowcount
    model.Session.commit()
    elapsed = time.monotonic() - started
    rate = len(ids) / elapsed if elapsed else 0.0
    click.echo(
        f"Indexed {len(ids) - len(failed)} datasets in {elapsed:.1f}s "
        f"({rate:.0f}/s), removed {removed} orphans, {len(failed)} errors."
    )
    for pkg_id, error in failed:
        click.echo(f"  {pkg_id}: {error}", err=True)
    if failed:
        raise click.exceptions.Exit(1)


@spmd_search.command()
def stats() -> None:
    """How many documents the index holds, per site and state."""
    rows = model.Session.execute(
        sa.text(
            f"SELECT site_id, fields->'state'->>0 AS state, count(*) FROM {TABLE} "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        )
    )
    total = 0
    for site_id, state, count in rows:
        click.echo(f"{site_id}\t{state}\t{count}")
        total += count
    click.echo(f"total\t\t{total}")
