"""Data files shipped with ckanext-affluence (see the NOTICE.md of each folder)."""
from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent


def gtfs_path(name: str = "cairns_gtfs.zip") -> Path:
    """Path of a GTFS feed shipped in ``data/gtfs`` (MIT, see NOTICE.md)."""
    path = DATA_DIR / "gtfs" / name
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


STAR_LEVELS_CSV = DATA_DIR / "star" / "crowding-levels-by-line.csv"
