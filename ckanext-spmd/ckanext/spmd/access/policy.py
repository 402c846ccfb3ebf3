"""Who gets the data of a ``restricted`` dataset (ckanext-spmd's own
``IDataAccess`` decision): members of the owner organisation (any capacity),
dataset collaborators who may edit it, and members of organisations holding
an active grant (not expired, not revoked: checked now, on every request).
Two or three small queries per decision, memoised per request by masking."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit

from .. import roles
from . import clock
from .model import AccessGrant


def owner_org_id(pkg_dict: dict[str, Any]) -> str | None:
    owner = pkg_dict.get("owner_org") or (pkg_dict.get("organization") or {}).get("id")
    if owner:
        return str(owner)
    pkg = model.Package.get(pkg_dict.get("id") or pkg_dict.get("name") or "")
    return pkg.owner_org if pkg else None


def active_grant_orgs(package_id: str, org_ids: list[str]) -> list[str]:
    """Which of ``org_ids`` hold an active grant on the dataset right now."""
    if not org_ids:
        return []
    rows = (model.Session.query(AccessGrant.organization_id)
            .filter(AccessGrant.package_id == package_id,
                    AccessGrant.organization_id.in_(org_ids),
                    AccessGrant.revoked_at.is_(None),
                    AccessGrant.expires_at > clock.now())
            .distinct().all())
    return [row[0] for row in rows]


def _is_editing_collaborator(user_name: str, package_id: str) -> bool:
    if not toolkit.asbool(toolkit.config.get("ckan.auth.allow_dataset_collaborators")):
        return False
    user = model.User.get(user_name)
    if user is None:
        return False
    return model.Session.query(
        sa.exists().where(sa.and_(
            model.PackageMember.package_id == package_id,
            model.PackageMember.user_id == user.id,
            model.PackageMember.capacity.in_(("admin", "editor")),
        ))
    ).scalar()


def restricted_access(user_name: str | None, pkg_dict: dict[str, Any]) -> bool:
    if not user_name:
        return False
    org_ids = roles.user_organizations(user_name)
    owner = owner_org_id(pkg_dict)
    if owner and owner in org_ids:
        return True
    package_id = pkg_dict.get("id")
    if not package_id:
        pkg = model.Package.get(pkg_dict.get("name") or "")
        package_id = pkg.id if pkg else None
    if not package_id:
        return False
    if active_grant_orgs(package_id, org_ids):
        return True
    return _is_editing_collaborator(user_name, package_id)
