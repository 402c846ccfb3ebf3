"""Fixtures of the catalogue suite."""
from __future__ import annotations

import pytest


@pytest.fixture
def catalogue_site(clean_db: None, clean_index: None, with_plugins: None) -> None:
    """An empty site with the spmd plugin and its schemas."""
