"""Public API of the crowding-forecast engine (pure Python, no CKAN).

This is the only module the CKAN side (jobs, actions, pages) and the
``affluence`` command import. Everything here is stable: new arguments are
added as keyword arguments with defaults, nothing is removed or renamed.

Files written by :func:`regenerate` in ``out_dir`` (keys of ``RunResult.files``):

- ``forecast_csv``  ``forecast.csv``   the forecast, one row per line,
  direction, stop (trip when counts are trip-level), date and slot; described
  by :data:`FORECAST_SCHEMA` (our open crowding-data format);
- ``forecast_json`` ``forecast.json``  the same rows plus metadata
  (``{"metadata": {...}, "schema": {...}, "rows": [...]}``);
- ``model_card_json`` ``model_card.json`` and ``model_card_md``
  ``model_card.md``: inputs, training window, features and importance,
  back-test metrics of the model and of the baseline, which one is published;
- ``model`` ``model.zip``: the trained model bundle reused by
  :func:`forecast_with_model` (JSON + XGBoost UBJSON, no pickle).

Everything is first written to a temporary folder inside ``out_dir`` and then
moved into place, so a failed run never leaves half-written outputs; a run
that fails validation writes nothing at all.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
SCHEMA_DIR = _HERE / "schemas"

#: Table Schema (JSON) of the forecast: our open crowding-data format.
FORECAST_SCHEMA: Path = SCHEMA_DIR / "forecast.schema.json"
#: Table Schemas of the two accepted passenger-count formats.
COUNTS_SCHEMAS: dict[str, Path] = {
    "board_alight": SCHEMA_DIR / "board_alight.schema.json",
    "stop_slot": SCHEMA_DIR / "stop_slot.schema.json",
}
#: Table Schemas of the optional inputs.
OTHER_SCHEMAS: dict[str, Path] = {
    "capacities": SCHEMA_DIR / "capacities.schema.json",
    "weather": SCHEMA_DIR / "weather.schema.json",
    "reports": SCHEMA_DIR / "reports.schema.json",
}

#: Three-level crowding classes, index = level - 1 (1 low, 2 medium, 3 high),
#: the same levels as travellers' reports and the Rennes operator's data.
CROWDING_CLASSES: tuple[str, str, str] = ("low", "medium", "high")

ProgressCallback = Callable[[str, float], None]
"""``progress(step, fraction)``: ``step`` is a short English label
("validate", "read counts", "train", "backtest", "forecast", "write"),
``fraction`` goes from 0.0 to 1.0 over the whole run."""


@dataclass(frozen=True)
class InputFiles:
    """Paths of the input files of one run (local files; the caller downloads)."""

    counts: Path  # passenger counts (CSV)
    timetable: Path | None = None  # GTFS zip
    counts_format: str | None = None  # "board_alight" | "stop_slot" | None (detect from header)
    capacities: Path | None = None  # CSV route_id[,trip_id],capacity
    weather: Path | None = None  # CSV date[,hour],temperature,precipitation
    reports: Path | None = None  # travellers' reports CSV: reported_at,route_id,direction_id,stop_id,level(1-3)


@dataclass(frozen=True)
class InputError:
    """One problem in one input file.

    ``file`` is the role of the file ("counts", "timetable", "capacities",
    "weather", "reports") followed by the file name, e.g. ``counts (counts.csv)``
    or ``timetable (gtfs.zip: stop_times.txt)``; ``row`` is the 1-based data
    row (the header is row 0; None for whole-file problems); ``column`` the
    column name (None when not about one column); ``reason`` an English
    sentence.
    """

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


class InputValidationError(Exception):
    """Raised by :func:`regenerate` / :func:`forecast_with_model` on bad inputs."""

    def __init__(self, errors: list[InputError]):
        self.errors = list(errors)
        head = "; ".join(str(e) for e in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} input error(s): {head}{more}")


@dataclass(frozen=True)
class CalendarSettings:
    """Calendar of the network: public holidays (``holidays`` package, ISO
    country and optional subdivision) and, for France only, school holidays of
    one zone ("A", "B" or "C", ``vacances-scolaires-france``). ``school_zone``
    None (or a country other than FR) means no school-holiday feature."""

    country: str = "FR"
    subdivision: str | None = None
    school_zone: str | None = "B"


@dataclass(frozen=True)
class RunResult:
    """Outcome of a run (see the module docstring for ``files``)."""

    files: dict[str, Path]
    used: str  # "model" | "baseline"
    metrics: dict[str, Any]  # {"model": {"mae","wape","rmse"}, "baseline": {...}, "load": {...}?}
    rows: int  # rows in the forecast
    training_window: tuple[date, date]
    duration_s: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": {k: str(v) for k, v in self.files.items()},
            "used": self.used,
            "metrics": self.metrics,
            "rows": self.rows,
            "training_window": [d.isoformat() for d in self.training_window],
            "duration_s": self.duration_s,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Timetable:
    """What the CKAN side needs from a GTFS feed (pickers, report checks)."""

    timezone: str
    routes: dict[str, str]  # route_id -> display name (short name or long name)
    stops: dict[str, str]  # stop_id -> stop name
    # (route_id, direction_id) -> stop ids in line order (most common trip pattern)
    route_stops: dict[tuple[str, int], list[str]]


def validate(inputs: InputFiles) -> list[InputError]:
    """Check every input file against its Table Schema / the GTFS rules.

    Returns the list of problems (empty when the inputs are usable). Never
    raises on bad content; raises only on programming errors.
    """
    from . import validation

    return validation.validate_inputs(inputs)


def regenerate(
    inputs: InputFiles,
    out_dir: Path,
    *,
    cutoff: date | None = None,
    horizon_days: int = 7,
    slot_minutes: int = 60,
    calendar: CalendarSettings = CalendarSettings(),
    progress: ProgressCallback | None = None,
    backtest_weeks: int = 2,
) -> RunResult:
    """Validate, train, back-test and forecast; write the outputs in ``out_dir``.

    ``cutoff``: last day of data used for training (default: last day in the
    counts); the forecast covers ``cutoff + 1`` .. ``cutoff + horizon_days``.
    The back-test holds out the ``backtest_weeks`` most recent weeks up to the
    cutoff, trains on what comes before, and compares the model (median) with
    the seasonal baseline (mean per stop, slot and day type). The final model
    is then retrained on the whole window. If the model does not beat the
    baseline (WAPE), the baseline forecast is published (``used="baseline"``).

    Raises :class:`InputValidationError` when an input is unusable (nothing
    is written then).
    """
    from . import pipeline

    return pipeline.regenerate(
        inputs, Path(out_dir), cutoff=cutoff, horizon_days=horizon_days,
        slot_minutes=slot_minutes, calendar=calendar, progress=progress,
        backtest_weeks=backtest_weeks,
    )


def backtest(
    inputs: InputFiles,
    *,
    cutoff: date | None = None,
    weeks: int = 2,
    slot_minutes: int = 60,
    calendar: CalendarSettings = CalendarSettings(),
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Back-test only (no files written): ``{"model": {...}, "baseline": {...},
    "winner": "model"|"baseline", "test_window": [start, end], "rows": n}``."""
    from . import pipeline

    return pipeline.backtest_only(
        inputs, cutoff=cutoff, weeks=weeks, slot_minutes=slot_minutes,
        calendar=calendar, progress=progress,
    )


def forecast_with_model(
    model: Path,
    inputs: InputFiles,
    out_dir: Path,
    *,
    start: date | None = None,
    horizon_days: int = 7,
    progress: ProgressCallback | None = None,
) -> RunResult:
    """Forecast again with a saved ``model.zip`` (no training; < 60 s on the
    bench network). ``inputs.counts`` gives the recent levels (the last weeks
    are enough); ``start`` defaults to the day after the model's cutoff.
    Writes forecast.csv / forecast.json in ``out_dir`` (the model card is
    copied from the bundle)."""
    from . import pipeline

    return pipeline.forecast_with_model(
        Path(model), inputs, Path(out_dir), start=start, horizon_days=horizon_days,
        progress=progress,
    )


def trip_updates_feed(
    forecast_csv: Path,
    now: datetime,
    hours: int = 3,
    timetable: Path | None = None,
    *,
    timezone: str | None = None,
) -> bytes:
    """GTFS-Realtime ``FeedMessage`` (serialized protobuf) of TripUpdates whose
    StopTimeUpdates carry ``departure_occupancy_status`` for departures in
    ``[now, now + hours)``.

    Trip-level forecasts give the trips directly; stop-level forecasts need
    the GTFS ``timetable`` to list the trips. Times are local to the feed's
    ``agency_timezone`` (or ``timezone``, default UTC); an aware ``now`` is
    converted, a naive one is taken as local time.
    """
    from . import gtfsrt

    return gtfsrt.trip_updates_feed(
        Path(forecast_csv), now, hours=hours, timetable=timetable, timezone=timezone
    )


def read_timetable(timetable: Path) -> Timetable:
    """Routes, stops and stop order of a GTFS zip (raises
    :class:`InputValidationError` when the feed is unusable)."""
    from . import gtfs

    return gtfs.timetable_summary(Path(timetable))


def detect_counts_format(counts: Path) -> str | None:
    """"board_alight", "stop_slot" or None, from the CSV header."""
    from . import validation

    return validation.detect_format(Path(counts))


__all__ = [
    "COUNTS_SCHEMAS", "CROWDING_CLASSES", "FORECAST_SCHEMA", "OTHER_SCHEMAS",
    "CalendarSettings", "InputError", "InputFiles", "InputValidationError",
    "RunResult", "Timetable", "backtest", "detect_counts_format",
    "forecast_with_model", "read_timetable", "regenerate", "trip_updates_feed",
    "validate",
]
