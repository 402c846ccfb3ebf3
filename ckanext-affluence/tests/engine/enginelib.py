"""Helpers of the engine tests (a module of its own: several conftest.py exist)."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

START, END = date(2008, 1, 7), date(2008, 3, 2)  # inside sample_gtfs.zip's validity


def make_zip(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return path


def gtfs_members(src: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(src) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path
