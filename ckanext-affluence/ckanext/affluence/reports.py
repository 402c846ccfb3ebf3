"""Travellers' crowding reports: checks and the per-client rate limit.

The rate limit counts reports per client in Redis under a key derived from
an HMAC of the client's IP address and the day, with a secret: the address
is never stored, the key means nothing without the secret, changes every
day and expires after an hour. Reports themselves hold no personal data.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from . import ckan_internals, settings
from .model import records

LEVELS = {"low": 1, "medium": 2, "high": 3, "1": 1, "2": 2, "3": 3}
RATE_KEY = "affluence:rate:{}"
RATE_WINDOW = 3600


def client_key(address: str, day: str | None = None) -> str:
    day = day or datetime.now(UTC).date().isoformat()
    digest = hmac.new(settings.report_secret(), f"{address}|{day}".encode(), hashlib.sha256)
    return RATE_KEY.format(digest.hexdigest()[:32])


def hit_rate_limit(address: str) -> bool:
    """Count one report for this client; True when it goes over the limit."""
    limit = settings.integer("report_rate_limit")
    if limit <= 0:
        return False
    redis = ckan_internals.redis()
    key = client_key(address)
    count = redis.incr(key)
    if count == 1:
        redis.expire(key, RATE_WINDOW)
    return int(count) > limit


def parse_time(value: Any) -> datetime | None:
    if value in (None, ""):
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def time_is_now(moment: datetime) -> bool:
    tolerance = timedelta(minutes=settings.integer("report_tolerance_minutes"))
    return abs(datetime.now(UTC) - moment) <= tolerance


def aggregated_csv(package_id: str) -> str:
    """Open aggregate: counts per day, hour, line, direction, stop and level."""
    counts: Counter[tuple[str, int, str, int, str, int]] = Counter()
    for report in records.all_reports(package_id, days=365):
        moment = datetime.fromisoformat(report["reported_at"])
        counts[(moment.date().isoformat(), moment.hour, report["route_id"],
                report["direction_id"], report["stop_id"], report["level"])] += 1
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "hour_utc", "route_id", "direction_id", "stop_id",
                     "crowding_level", "reports"])
    for key in sorted(counts):
        writer.writerow([*key, counts[key]])
    return out.getvalue()
