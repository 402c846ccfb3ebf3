"""The three data typologies, the access classes and the partner roles.

Plain Python (no CKAN import): the vocabularies and the fields each
typology requires, shared by the validators, the catalogue map, the qualify
command and the templates. Labels are English msgids; French comes from the
package's translations (``_()`` at display time).
"""
from __future__ import annotations

from datetime import timedelta

REFERENCE = "reference"
TERRITORIAL_INTEREST = "territorial-interest"
TERRITORY = "territory"
TYPOLOGIES: dict[str, str] = {
    REFERENCE: "Reference data",
    TERRITORIAL_INTEREST: "Territorial-interest data",
    TERRITORY: "Territory data",
}

# Fields each typology requires (beyond the typology itself), in form order.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    REFERENCE: ("certifying_authority", "reference_scope", "frequency",
                "service_commitment", "continuity_contact"),
    TERRITORIAL_INTEREST: ("public_service", "producer_status", "legal_basis",
                           "served_authority"),
    TERRITORY: ("production_mode", "method_notes"),
}

ACCESS_CLASSES: dict[str, str] = {
    "open": "Open",
    "restricted": "Restricted",
    "personal": "Personal",
}
DEFAULT_ACCESS_CLASS = "open"

PARTNER_ROLES: dict[str, str] = {
    "producer": "Data producer",
    "project-holder": "Project holder",
    "resource": "Resource",
    "service-producer": "Service producer",
    "observer": "Observer",
    "animator": "Animator",
}

# EU Publications Office frequency authority table: code -> (label, period).
# The period is how old the last update may be before a dataset is overdue;
# None for frequencies that promise no schedule.
FREQUENCIES: dict[str, tuple[str, timedelta | None]] = {
    "CONT": ("Continuous", timedelta(days=1)),
    "UPDATE_CONT": ("Continuously updated", timedelta(days=1)),
    "HOURLY": ("Hourly", timedelta(hours=1)),
    "DAILY": ("Daily", timedelta(days=1)),
    "WEEKLY": ("Weekly", timedelta(weeks=1)),
    "BIWEEKLY": ("Every two weeks", timedelta(weeks=2)),
    "MONTHLY": ("Monthly", timedelta(days=31)),
    "QUARTERLY": ("Quarterly", timedelta(days=92)),
    "ANNUAL_2": ("Semi-annual", timedelta(days=183)),
    "ANNUAL": ("Annual", timedelta(days=366)),
    "BIENNIAL": ("Biennial", timedelta(days=731)),
    "TRIENNIAL": ("Triennial", timedelta(days=1096)),
    "QUINQUENNIAL": ("Every five years", timedelta(days=1827)),
    "IRREG": ("Irregular", None),
    "NEVER": ("Never", None),
    "UNKNOWN": ("Unknown", None),
}

# Metadata whose presence makes a dataset's description complete.
COMPLETENESS_FIELDS: tuple[str, ...] = (
    "notes", "license_id", "territorial_typology", "frequency", "spatial",
    "temporal_start", "maintainer", "tags", "groups", "resources",
)


def required_fields(typology: str | None) -> tuple[str, ...]:
    return REQUIRED_FIELDS.get(typology or "", ())


def access_class(pkg: dict) -> str:
    """A dataset's access class; missing means open (datasets from before)."""
    return pkg.get("access_class") or DEFAULT_ACCESS_CLASS


def frequency_period(code: str | None) -> timedelta | None:
    return FREQUENCIES.get(code or "", ("", None))[1]


def completeness(pkg: dict) -> tuple[float, list[str]]:
    """Share of ``COMPLETENESS_FIELDS`` present, and the missing ones; a
    typology's own required fields count too."""
    wanted = COMPLETENESS_FIELDS + required_fields(pkg.get("territorial_typology"))
    wanted = tuple(dict.fromkeys(wanted))
    missing = [name for name in wanted if not pkg.get(name)]
    return (len(wanted) - len(missing)) / len(wanted), missing
