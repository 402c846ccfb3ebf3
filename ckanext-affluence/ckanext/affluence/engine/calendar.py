"""Calendar features: day type, public holidays (``holidays``) and French
school holidays by zone (``vacances-scolaires-france``); no hand-written tables."""
from __future__ import annotations

from datetime import date

import holidays
import numpy as np
import pandas as pd

from .api import CalendarSettings

WEEKDAY, SATURDAY, SUNDAY_HOLIDAY = 0, 1, 2
DAY_TYPES = ("weekday", "saturday", "sunday_or_holiday")


def calendar_table(days: pd.DatetimeIndex | list[date], settings: CalendarSettings) -> pd.DataFrame:
    """One row per day: dow, day_type, public_holiday, school_holiday (NaN when
    unknown: year outside the package's data, or no school zone), doy_sin/cos."""
    idx = pd.DatetimeIndex(pd.to_datetime(list(days))).normalize()
    years = sorted(set(idx.year))
    try:
        hol = holidays.country_holidays(settings.country, subdiv=settings.subdivision, years=years)
    except NotImplementedError as exc:  # unknown country / subdivision
        raise ValueError(f"unknown country or subdivision for public holidays: {exc}")
    public = np.array([d.date() in hol for d in idx], dtype=np.float32)
    school = np.full(len(idx), np.nan, dtype=np.float32)
    if settings.country.upper() == "FR" and settings.school_zone:
        from vacances_scolaires_france import SchoolHolidayDates, UnsupportedYearException

        shd = SchoolHolidayDates()
        zone = settings.school_zone.upper()
        for i, d in enumerate(idx):
            try:
                school[i] = float(shd.is_holiday_for_zone(d.date(), zone))
            except UnsupportedYearException:
                pass
    dow = idx.dayofweek.to_numpy()
    day_type = np.where(dow == 5, SATURDAY, np.where(dow == 6, SUNDAY_HOLIDAY, WEEKDAY))
    day_type = np.where(public == 1, SUNDAY_HOLIDAY, day_type).astype(np.int8)
    doy = idx.dayofyear.to_numpy() / 365.25 * 2 * np.pi
    return pd.DataFrame({
        "dow": dow.astype(np.int8), "day_type": day_type, "public_holiday": public,
        "school_holiday": school, "doy_sin": np.sin(doy).astype(np.float32),
        "doy_cos": np.cos(doy).astype(np.float32),
    }, index=idx)
