"""The catalogue map ("cartographie des données"): what the territory holds.

Pure Python: ``build`` takes dataset summaries (every dataset, private ones
included, since the map counts all the data of the territory) and the ids the
viewer may read, and returns counts, freshness and completeness. Titles and
names of datasets the viewer may not read never leave this module: such
datasets are counted, and listed as hidden entries.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import typologies

NO_THEME = "(none)"
UNQUALIFIED = "(to be qualified)"


@dataclass
class Summary:
    """What the map needs of one dataset."""
    id: str
    name: str
    title: str
    organization: str | None
    organization_title: str | None
    partner_roles: list[str]
    typology: str | None
    access_class: str
    themes: list[str]
    frequency: str | None
    last_update: dt.datetime | None
    completeness: float
    missing: list[str] = field(default_factory=list)


def summarise(pkg: dict[str, Any], partner_roles: list[str]) -> Summary:
    score, missing = typologies.completeness(pkg)
    org = pkg.get("organization") or {}
    return Summary(
        id=pkg["id"], name=pkg["name"], title=pkg.get("title") or pkg["name"],
        organization=org.get("name"), organization_title=org.get("title"),
        partner_roles=partner_roles,
        typology=pkg.get("territorial_typology") or None,
        access_class=typologies.access_class(pkg),
        themes=sorted(g["name"] for g in pkg.get("groups") or []),
        frequency=pkg.get("frequency") or None,
        last_update=last_update(pkg),
        completeness=score, missing=missing,
    )


def _parse(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def last_update(pkg: dict[str, Any]) -> dt.datetime | None:
    """When the data last changed: the newest resource's ``last_modified``
    (or creation), else the metadata's modification."""
    dates = [_parse(r.get("last_modified") or r.get("created"))
             for r in pkg.get("resources") or []]
    dates = [d for d in dates if d]
    return max(dates) if dates else _parse(pkg.get("metadata_modified"))


def overdue_days(summary: Summary, now: dt.datetime) -> int | None:
    """Days beyond the declared frequency, or None (on time / no schedule)."""
    period = typologies.frequency_period(summary.frequency)
    if period is None or summary.last_update is None:
        return None
    late = now - (summary.last_update + period)
    return late.days if late.total_seconds() > 0 else None


def _entry(summary: Summary, visible: bool) -> dict[str, Any]:
    """A dataset as listed: its producer always, its name and title only
    when the viewer may read it."""
    entry: dict[str, Any] = {"organization": summary.organization,
                             "access_class": summary.access_class}
    if visible:
        entry.update(name=summary.name, title=summary.title)
    else:
        entry.update(name=None, title=None, hidden=True)
    return entry


def build(summaries: Iterable[Summary], visible_ids: set[str],
          now: dt.datetime) -> dict[str, Any]:
    summaries = list(summaries)
    matrix: Counter[tuple[str, str, str]] = Counter()
    by_typology: Counter[str] = Counter()
    by_access: Counter[str] = Counter()
    by_role: Counter[str] = Counter()
    producers: dict[str, dict[str, Any]] = {}
    completeness_by_producer: dict[str, list[float]] = defaultdict(list)
    overdue: list[dict[str, Any]] = []
    fresh = no_schedule = 0
    datasets = []
    for s in sorted(summaries, key=lambda s: (s.organization or "", s.name)):
        typology = s.typology or UNQUALIFIED
        by_typology[typology] += 1
        by_access[s.access_class] += 1
        for theme in s.themes or [NO_THEME]:
            matrix[(typology, theme, s.access_class)] += 1
        for role in s.partner_roles:
            by_role[role] += 1
        org_key = s.organization or ""
        producer = producers.setdefault(org_key, {
            "name": s.organization, "title": s.organization_title,
            "partner_roles": s.partner_roles, "count": 0,
            "by_access_class": Counter(), "by_typology": Counter()})
        producer["count"] += 1
        producer["by_access_class"][s.access_class] += 1
        producer["by_typology"][typology] += 1
        completeness_by_producer[org_key].append(s.completeness)
        visible = s.id in visible_ids
        days = overdue_days(s, now)
        if typologies.frequency_period(s.frequency) is None:
            no_schedule += 1
        elif days is None:
            fresh += 1
        else:
            overdue.append({**_entry(s, visible), "frequency": s.frequency,
                            "last_update": s.last_update.isoformat() if s.last_update else None,
                            "days_late": days})
        datasets.append({
            **_entry(s, visible), "typology": s.typology, "themes": s.themes,
            "frequency": s.frequency,
            "last_update": s.last_update.isoformat() if s.last_update else None,
            "overdue_days": days,
            "completeness": round(s.completeness, 3),
            "missing": s.missing if visible else [],
        })
    for key, producer in producers.items():
        scores = completeness_by_producer[key]
        producer["completeness"] = round(sum(scores) / len(scores), 3)
        producer["by_access_class"] = dict(producer["by_access_class"])
        producer["by_typology"] = dict(producer["by_typology"])
    scores = [s.completeness for s in summaries]
    return {
        "generated": now.isoformat(timespec="seconds"),
        "total": len(summaries),
        "by_typology": dict(by_typology),
        "by_access_class": dict(by_access),
        "by_partner_role": dict(by_role),
        "matrix": [{"typology": t, "theme": th, "access_class": a, "count": n}
                   for (t, th, a), n in sorted(matrix.items())],
        "producers": sorted(producers.values(), key=lambda p: (-p["count"], p["name"] or "")),
        "freshness": {"fresh": fresh, "overdue": len(overdue), "no_schedule": no_schedule,
                      "overdue_list": sorted(overdue, key=lambda o: -o["days_late"])},
        "completeness": {"average": round(sum(scores) / len(scores), 3) if scores else None,
                         "datasets": datasets},
    }


DATASET_COLUMNS = ("organization", "name", "title", "access_class", "typology", "themes",
                   "frequency", "last_update", "overdue_days", "completeness")
MATRIX_COLUMNS = ("typology", "theme", "access_class", "count")
PRODUCER_COLUMNS = ("name", "title", "partner_roles", "count", "completeness")


def to_csv(result: dict[str, Any], table: str) -> str:
    """One table of the map as CSV: ``datasets``, ``matrix`` or ``producers``."""
    if table == "matrix":
        columns, rows = MATRIX_COLUMNS, result["matrix"]
    elif table == "producers":
        columns, rows = PRODUCER_COLUMNS, result["producers"]
    else:
        columns, rows = DATASET_COLUMNS, result["completeness"]["datasets"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["|".join(v) if isinstance(v, list) else ("" if v is None else v)
                         for v in (row.get(c) for c in columns)])
    return out.getvalue()


def bars(counts: dict[str, int], width: int = 300) -> list[dict[str, Any]]:
    """Horizontal bar geometry for the page's SVG charts."""
    top = max(counts.values(), default=0) or 1
    return [{"key": key, "count": n, "width": round(width * n / top)}
            for key, n in sorted(counts.items(), key=lambda kv: -kv[1])]
