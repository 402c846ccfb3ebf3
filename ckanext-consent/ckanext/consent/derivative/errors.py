"""Errors of the open derivative (no CKAN import: shared by the pure module)."""
from __future__ import annotations


class DerivativeInputError(ValueError):
    """The stored rows or the dataset's settings cannot be aggregated.

    Deterministic: retrying the same input gives the same error, so jobs
    record it and stop instead of retrying. The message names the field,
    row or column and the reason, never a person's values.
    """
