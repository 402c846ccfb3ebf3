"""Helpers of the CKAN-side tests of ckanext-affluence (fixtures: conftest.py)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

PLUGINS = "spmd_search scheming_datasets scheming_organizations spmd affluence affluence_view"
plugins_mark = pytest.mark.ckan_config("ckan.plugins", PLUGINS)

# The engine's synthetic network is valid in 2025: counts end on a Sunday.
COUNTS_END = date(2025, 3, 30)


def upload(create_with_upload: Callable[..., Any], dataset: dict[str, Any], path: Path,
           role: str, user: dict[str, Any], content: bytes | None = None) -> dict[str, Any]:
    return create_with_upload(
        content if content is not None else path.read_bytes(), path.name,
        context={"user": user["name"]}, package_id=dataset["id"], name=path.name, role=role,
        url=path.name,
    )


def work() -> None:
    """Run every queued job with CKAN's worker, in this process, until the queue is empty."""
    from ckanext.affluence import ckan_internals, jobs

    ckan_internals.worker([jobs.queue_name()]).work(burst=True)




