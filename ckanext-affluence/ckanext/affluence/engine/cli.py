"""``affluence`` command: the engine without CKAN (analysts, back-tests, cron)."""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import click

from . import api


def _inputs(counts, gtfs, counts_format, capacities, weather, reports) -> api.InputFiles:
    p = lambda v: Path(v) if v else None  # noqa: E731
    return api.InputFiles(counts=Path(counts), timetable=p(gtfs), counts_format=counts_format,
                          capacities=p(capacities), weather=p(weather), reports=p(reports))


def _calendar(country, subdivision, school_zone) -> api.CalendarSettings:
    zone = None if (school_zone or "").lower() in ("", "none") else school_zone
    return api.CalendarSettings(country=country, subdivision=subdivision, school_zone=zone)


def _errors(exc: api.InputValidationError) -> None:
    click.echo(f"Input errors ({len(exc.errors)}):", err=True)
    for e in exc.errors:
        click.echo(f"  {e}", err=True)
    sys.exit(2)


def input_options(f):
    opts = [
        click.option("--counts", required=True, type=click.Path(exists=True, dir_okay=False),
                     help="passenger counts CSV (board_alight or stop_slot)"),
        click.option("--gtfs", type=click.Path(exists=True, dir_okay=False), help="GTFS zip"),
        click.option("--format", "counts_format", type=click.Choice(["board_alight", "stop_slot"]),
                     help="counts format (default: detected from the header)"),
        click.option("--capacities", type=click.Path(exists=True, dir_okay=False)),
        click.option("--weather", type=click.Path(exists=True, dir_okay=False)),
        click.option("--reports", type=click.Path(exists=True, dir_okay=False),
                     help="travellers' reports CSV"),
        click.option("--cutoff", type=click.DateTime(["%Y-%m-%d"]),
                     help="last day used for training (default: last day of the counts)"),
        click.option("--slot-minutes", default=60, show_default=True, type=int),
        click.option("--country", default="FR", show_default=True),
        click.option("--subdivision", default=None),
        click.option("--school-zone", default="B", show_default=True,
                     help="French school zone A, B or C; 'none' abroad"),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


@click.group()
def main() -> None:
    """Open crowding forecasts for public transport (ckanext-affluence engine)."""


@main.command()
@input_options
@click.option("--horizon", default=7, show_default=True, type=int, help="days to forecast")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="forecast CSV to write; forecast.json, model_card.* and model.zip go next to it")
def forecast(counts, gtfs, counts_format, capacities, weather, reports, cutoff, slot_minutes,
             country, subdivision, school_zone, horizon, out) -> None:
    """Validate, back-test, train and write a forecast."""
    out = Path(out)
    work = Path(tempfile.mkdtemp(prefix="affluence-", dir=out.parent if out.parent.exists() else None))
    try:
        res = api.regenerate(_inputs(counts, gtfs, counts_format, capacities, weather, reports), work,
                             cutoff=cutoff.date() if cutoff else None, horizon_days=horizon,
                             slot_minutes=slot_minutes, calendar=_calendar(country, subdivision, school_zone))
    except api.InputValidationError as exc:
        shutil.rmtree(work, ignore_errors=True)
        _errors(exc)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(res.files["forecast_csv"]), out)
    for key in ("forecast_json", "model_card_json", "model_card_md", "model"):
        shutil.move(str(res.files[key]), out.parent / res.files[key].name)
    shutil.rmtree(work, ignore_errors=True)
    m, b = res.metrics["model"], res.metrics["baseline"]
    click.echo(f"{res.rows} forecast rows -> {out} (published: {res.used}; back-test WAPE "
               f"model {m['wape']} / baseline {b['wape']}; {res.duration_s} s)")


@main.command()
@input_options
@click.option("--weeks", default=2, show_default=True, type=int, help="held-out weeks")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def backtest(counts, gtfs, counts_format, capacities, weather, reports, cutoff, slot_minutes,
             country, subdivision, school_zone, weeks, as_json) -> None:
    """Back-test the model against the seasonal baseline on the last weeks."""
    try:
        res = api.backtest(_inputs(counts, gtfs, counts_format, capacities, weather, reports),
                           cutoff=cutoff.date() if cutoff else None, weeks=weeks,
                           slot_minutes=slot_minutes,
                           calendar=_calendar(country, subdivision, school_zone))
    except api.InputValidationError as exc:
        _errors(exc)
        return
    if as_json:
        click.echo(json.dumps(res, indent=2))
        return
    click.echo(f"test window {res['test_window'][0]} .. {res['test_window'][1]}")
    click.echo(f"{'target':10} {'forecaster':10} {'MAE':>9} {'WAPE':>8} {'RMSE':>9} {'rows':>9}")
    for target in ("boardings", "load"):
        if target in res:
            for who in ("model", "baseline"):
                m = res[target][who]
                click.echo(f"{target:10} {who:10} {m['mae']!s:>9} {m['wape']!s:>8} {m['rmse']!s:>9} {m['n']:>9}")
            click.echo(f"{target:10} winner: {res[target]['winner']}")


@main.command()
@click.option("--counts", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--gtfs", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "counts_format", type=click.Choice(["board_alight", "stop_slot"]))
@click.option("--capacities", type=click.Path(exists=True, dir_okay=False))
@click.option("--weather", type=click.Path(exists=True, dir_okay=False))
@click.option("--reports", type=click.Path(exists=True, dir_okay=False))
def validate(counts, gtfs, counts_format, capacities, weather, reports) -> None:
    """Check the input files; print every error (file, row, column, reason)."""
    errors = api.validate(_inputs(counts, gtfs, counts_format, capacities, weather, reports))
    if errors:
        _errors(api.InputValidationError(errors))
    click.echo("inputs are valid")


@main.command("trip-updates")
@click.option("--forecast", "forecast_csv", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--gtfs", type=click.Path(exists=True, dir_okay=False))
@click.option("--now", type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
              help="local time (default: now)")
@click.option("--hours", default=3, show_default=True, type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="protobuf file")
def trip_updates(forecast_csv, gtfs, now, hours, out) -> None:
    """Write a GTFS-Realtime TripUpdates feed with departure_occupancy_status."""
    data = api.trip_updates_feed(Path(forecast_csv), now or datetime.now(UTC), hours=hours,
                                 timetable=Path(gtfs) if gtfs else None)
    Path(out).write_bytes(data)
    click.echo(f"{len(data)} bytes -> {out}")


@main.command("demo-counts")
@click.option("--gtfs", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--weeks", default=8, show_default=True, type=int)
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), help="last day (default: end of the feed)")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
def demo_counts(gtfs, weeks, end, out) -> None:
    """Generate realistic synthetic stop-slot counts for a GTFS feed."""
    from .synthetic import demo_counts as gen

    path = gen(Path(gtfs), Path(out), weeks=weeks, end=end.date() if end else None)
    click.echo(f"counts -> {path}")


def today() -> date:
    return date.today()


if __name__ == "__main__":  # pragma: no cover
    main()
