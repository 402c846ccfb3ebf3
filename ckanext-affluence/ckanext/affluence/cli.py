"""``ckan affluence ...``: regeneration (nightly cron) and the demo content."""
from __future__ import annotations

import click


@click.group(short_help="Transit crowding forecasts")
def affluence() -> None:
    """Transit crowding forecasts (ckanext-affluence)."""


@affluence.command("regenerate")
@click.argument("datasets", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every transit-occupancy dataset.")
@click.option("--sync", is_flag=True, help="Run here and now instead of queueing jobs.")
def regenerate(datasets: tuple[str, ...], all_: bool, sync: bool) -> None:
    """Queue a regeneration of DATASETS (or --all), e.g. nightly from cron:

    \b
    15 3 * * * ckan -c /etc/ckan/ckan.ini affluence regenerate --all
    """
    from ckan.plugins import toolkit

    from . import jobs

    if not datasets and not all_:
        raise click.UsageError("Name datasets or pass --all.")
    context = {"ignore_auth": True}
    names = list(datasets)
    if all_:
        found = toolkit.get_action("package_search")(
            dict(context), {"fq": "dataset_type:transit-occupancy", "rows": 1000,
                      "include_private": True})
        names = [d["name"] for d in found["results"]]
    for name in names:
        try:
            dataset = toolkit.get_action("package_show")(dict(context), {"id": name})
        except toolkit.ObjectNotFound:
            raise click.ClickException(f"No dataset {name}")
        if sync:
            run = jobs.run_now(dataset["id"], "cli")
            click.echo(f"{name}: {run['state']} {run.get('error') or ''}".rstrip())
        else:
            run = jobs.enqueue(dataset["id"], "nightly" if all_ else "cli")
            click.echo(f"{name}: run {run['id']} {run['state']}")


@affluence.group()
def demo() -> None:
    """Demo content."""


@demo.command("load")
def demo_load() -> None:
    """Create (or complete) the demo transport forecast dataset and produce
    its first forecast here and now. Idempotent."""
    from . import demo as demo_module

    try:
        demo_module.load(echo=click.echo)
    except demo_module.DemoLoadError as e:
        raise click.ClickException(str(e))


def get_commands() -> list[click.Command]:
    return [affluence]
