"""Outputs on disk: one folder per run, a ``current`` link to the last good one.

``<root>/<package id>/runs/<run id>/`` holds what a run wrote (the engine's
files and the page's precomputed slices). A run writes into
``staging/<run id>`` and, only when everything is written, the folder is
renamed into ``runs/`` and ``current`` is replaced by a new symbolic link
with ``os.replace``: readers see either the previous run or the new one,
never a half-written one. A failed run never touches ``current``.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import settings

CURRENT = "current"

# Files of a run that the routes serve, by output role.
OUTPUT_FILES = {
    "forecast-csv": "forecast.csv",
    "forecast-json": "forecast.json",
    "model-card": "model_card.md",
    "model-card-json": "model_card.json",
    "forecast-schema": "forecast.schema.json",
}


def dataset_dir(package_id: str) -> Path:
    return settings.storage_root() / package_id


def staging_dir(package_id: str, run_id: str) -> Path:
    path = dataset_dir(package_id) / "staging" / run_id
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def current_dir(package_id: str) -> Path | None:
    link = dataset_dir(package_id) / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def current_run_id(package_id: str) -> str | None:
    current = current_dir(package_id)
    return current.name if current else None


def publish(package_id: str, run_id: str, staged: Path) -> Path:
    """Move a fully written run into place and point ``current`` at it."""
    runs = dataset_dir(package_id) / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    final = runs / run_id
    if final.exists():
        shutil.rmtree(final)
    os.rename(staged, final)
    link = dataset_dir(package_id) / CURRENT
    tmp_link = link.with_name(f".{CURRENT}-{run_id}")
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(Path("runs") / run_id, tmp_link)
    os.replace(tmp_link, link)
    return final


def discard(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)


def prune(package_id: str, keep: int) -> None:
    """Remove old run folders, never the current one."""
    runs = dataset_dir(package_id) / "runs"
    if not runs.is_dir():
        return
    current = current_run_id(package_id)
    folders = sorted((p for p in runs.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for folder in folders[: max(0, len(folders) - max(keep, 1))]:
        if folder.name != current:
            shutil.rmtree(folder, ignore_errors=True)


def output_file(package_id: str, name: str) -> Path | None:
    current = current_dir(package_id)
    if current is None:
        return None
    path = current / name
    return path if path.is_file() else None
