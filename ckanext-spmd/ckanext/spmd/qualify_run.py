"""``ckan spmd qualify``: apply the qualify rules to unqualified datasets."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from ckan.plugins import toolkit

from . import qualify
from .logic.action import search_all, site_context

UNQUALIFIED = "+dataset_type:dataset -territorial_typology:[* TO *]"
Progress = Callable[[list[dict[str, Any]]], AbstractContextManager[Iterable[dict[str, Any]]]]


def unqualified() -> list[dict[str, Any]]:
    return search_all(site_context(), UNQUALIFIED)


def backfill(rules: qualify.Rules, dry_run: bool, progress: Progress,
             echo: Callable[[str], None]) -> Counter[str]:
    """Qualify every unqualified dataset a rule matches; with ``dry_run``
    only say what would be done. Returns counts per typology (and
    ``unmatched``). Each dataset is its own update: a failure leaves the
    others done and is reported."""
    counts: Counter[str] = Counter()
    plan = list(_plan(unqualified(), rules))
    with progress([pkg for pkg, _t, _r in plan]) as bar:
        for (pkg, typology, _reason), _item in zip(plan, bar, strict=True):
            if typology is None:
                counts["unmatched"] += 1
                continue
            if not dry_run:
                try:
                    toolkit.get_action("package_patch")(
                        {**site_context(), "spmd_backfill": True},
                        {"id": pkg["id"], "territorial_typology": typology})
                except toolkit.ValidationError as e:
                    counts["failed"] += 1
                    echo(f"{pkg['name']}: not qualified: {e.error_summary}")
                    continue
            counts[typology] += 1
    for pkg, typology, reason in plan:
        verb = "would be" if dry_run else "is"
        echo(f"{pkg['name']}: {verb} {typology} ({reason})" if typology
             else f"{pkg['name']}: no rule matches, still to be qualified")
    return counts


def _plan(pkgs: list[dict[str, Any]], rules: qualify.Rules
          ) -> Iterator[tuple[dict[str, Any], str | None, str]]:
    for pkg in pkgs:
        typology, reason = qualify.typology_for(pkg, rules)
        yield pkg, typology, reason
