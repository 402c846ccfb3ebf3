"""``ckan spmd-search``: index maintenance with progress bars.

CKAN's ``ckan search-index rebuild|clear|show|check`` work unchanged with the
embedded backend; these commands add a batched rebuild with a progress bar
and figures about the index.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterable

import click
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit

from .connection import TABLE


@click.group("spmd-search", short_help="Embedded PostgreSQL search index")
def spmd_search() -> None:
    """Embedded PostgreSQL search index (ckanext-spmd)."""


def _index_batch(ids: list[str]) -> tuple[int, list[tuple[str, str]]]:
    """Index some datasets through CKAN (package_show, index_package and
    the before_dataset_index hooks), in one transaction."""
    from ckan import logic

    failed: list[tuple[str, str]] = []
    for pkg_id in ids:
        try:
            # a savepoint per dataset: a failure loses only that dataset
            with model.Session.begin_nested():
                logic.index_update_package({"ignore_auth": True}, pkg_id, True)
        except Exception as e:  # keep going, report at the end
            failed.append((pkg_id, repr(e)))
    model.Session.commit()
    return len(ids), failed


def _start_worker() -> None:
    """In a forked worker: never reuse the parent's database connections."""
    model.meta.engine.dispose(close=False)
    model.Session.remove()


def _batches(ids: list[str], size: int) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


@spmd_search.command()
@click.option("--batch-size", type=int, default=None, help="Datasets per transaction.")
@click.option("--workers", type=int, default=None,
              help="Worker processes (default: ckanext.spmd.search.rebuild_workers).")
@click.option("--clear", is_flag=True, help="Empty the index first.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def rebuild(batch_size: int | None, workers: int | None, clear: bool, quiet: bool) -> None:
    """Re-index every dataset, committing in batches, with a progress bar.

    Documents are built by CKAN exactly as on every dataset update; the
    work is shared by several processes (package_show dominates the cost)."""
    from ckan.lib import search
    from tqdm import tqdm

    batch = max(1, batch_size or toolkit.config.get("ckanext.spmd.search.rebuild_batch_size"))
    workers = workers or toolkit.config.get("ckanext.spmd.search.rebuild_workers") or 0
    if workers <= 0:
        workers = os.cpu_count() or 1
    if clear:
        search.clear_all()
        model.Session.commit()
    query = model.Session.query(model.Package.id)
    if toolkit.config.get("ckan.search.remove_deleted_packages"):
        query = query.filter(model.Package.state != "deleted")
    ids = [r[0] for r in query.order_by(model.Package.id)]
    model.Session.commit()
    # small batches keep every worker busy until the end
    batches = _batches(ids, min(batch, max(1, len(ids) // (workers * 4) or 1)))
    started = time.monotonic()
    failed: list[tuple[str, str]] = []
    with tqdm(total=len(ids), unit="dataset", disable=quiet) as bar:
        if workers == 1 or len(batches) <= 1:
            results: Iterable[tuple[int, list[tuple[str, str]]]] = map(_index_batch, batches)
            for done, errors in results:
                failed.extend(errors)
                bar.update(done)
        else:
            # the workers are forked: release our connections first
            model.Session.remove()
            model.meta.engine.dispose()
            context = multiprocessing.get_context("fork")
            with context.Pool(min(workers, len(batches)), initializer=_start_worker) as pool:
                for done, errors in pool.imap_unordered(_index_batch, batches):
                    failed.extend(errors)
                    bar.update(done)
    # drop rows of datasets that no longer exist
    removed = model.Session.execute(
        sa.text(f"DELETE FROM {TABLE} WHERE id NOT IN (SELECT id FROM package)")
    ).rowcount
    model.Session.commit()
    elapsed = time.monotonic() - started
    rate = len(ids) / elapsed if elapsed else 0.0
    click.echo(
        f"Indexed {len(ids) - len(failed)} datasets in {elapsed:.1f}s "
        f"({rate:.0f}/s, {workers} workers), removed {removed} orphans, "
        f"{len(failed)} errors."
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
            f"SELECT site_id, c_state AS state, count(*) FROM {TABLE} "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        )
    )
    total = 0
    for site_id, state, count in rows:
        click.echo(f"{site_id}\t{state}\t{count}")
        total += count
    click.echo(f"total\t\t{total}")
