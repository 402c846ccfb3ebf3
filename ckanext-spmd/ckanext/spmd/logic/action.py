"""Actions of ckanext-spmd (usable from ckanapi)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ckan.plugins import toolkit

from .. import catalogue_map, roles, typologies, use_cases

_ = toolkit._
PAGE = 1000


def site_context() -> dict[str, Any]:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"user": site_user, "ignore_auth": True}


def search_all(context: dict[str, Any], fq: str, **extra: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = toolkit.get_action("package_search")(
            dict(context), {"fq": fq, "rows": PAGE, "start": len(found),
                            "include_private": True, "sort": "name asc", **extra})
        found.extend(page["results"])
        if len(found) >= page["count"] or not page["results"]:
            return found


def _visible_ids(context: dict[str, Any], fq: str) -> set[str]:
    """Ids of the datasets the caller may read (search applies CKAN's
    permission labels: public ones, and private ones of their organisations)."""
    user_context = {"user": context.get("user")}
    return {pkg["id"] for pkg in search_all(user_context, fq, fl="id")}


def spmd_partner_roles_update(context: dict[str, Any], data_dict: dict[str, Any]) -> list[str]:
    """Set the partner roles of an organisation.

    :param id: the organisation's id or name
    :param partner_roles: list of roles (producer, project-holder, resource,
        service-producer, observer, animator)
    :returns: the organisation's roles
    Only sysadmins and members of an animator organisation may call it.
    """
    toolkit.check_access("spmd_partner_roles_update", context, data_dict)
    org_id = toolkit.get_or_bust(data_dict, "id")
    wanted = data_dict.get("partner_roles") or []
    if isinstance(wanted, str):
        wanted = wanted.replace(",", " ").split()
    unknown = [r for r in wanted if r not in typologies.PARTNER_ROLES]
    if unknown:
        raise toolkit.ValidationError({"partner_roles": [
            _("Unknown role(s): %s") % ", ".join(unknown)]})
    toolkit.get_action("organization_patch")(
        {**site_context(), "user": context.get("user") or site_context()["user"],
         "ignore_auth": True},
        {"id": org_id, "partner_roles": wanted})
    return roles.organization_roles(org_id)


# Every dataset type that holds data (use cases describe projects, not data).
# Personal-data datasets are named explicitly: ckanext-consent leaves them out
# of searches that do not ask for their type, and the map counts them too.
MAPPED_DATASETS = '(*:* -dataset_type:"use-case") OR dataset_type:"personal-data"'


@toolkit.side_effect_free
def spmd_catalogue_map(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Map of everything the territory holds, open or not: counts by
    typology x theme x access class, by producer and partner role; freshness
    (last update against the declared frequency, overdue list); metadata
    completeness per dataset and per producer.

    Every dataset is counted, private ones included; names and titles are
    given only for datasets the caller may read (``hidden: true`` otherwise).
    """
    toolkit.check_access("spmd_catalogue_map", context, data_dict)
    fq = MAPPED_DATASETS
    everything = search_all(site_context(), fq)
    visible = _visible_ids(context, fq)
    org_roles = roles.organizations_by_role()
    summaries = [catalogue_map.summarise(pkg, org_roles.get(pkg.get("owner_org") or "", []))
                 for pkg in everything]
    return catalogue_map.build(summaries, visible, dt.datetime.now(dt.UTC).replace(tzinfo=None))


@toolkit.side_effect_free
def spmd_to_be_qualified(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Datasets without a territorial typology (created before the plugin or
    harvested), that the caller administers: name, title, organisation."""
    toolkit.check_access("spmd_to_be_qualified", context, data_dict)
    fq = "+dataset_type:dataset -territorial_typology:[* TO *]"
    user = context.get("user")
    pkgs = search_all({"user": user}, fq)
    if not roles.may_manage_roles(user):
        admin_orgs = {org["id"] for org in toolkit.get_action("organization_list_for_user")(
            {"user": user}, {"permission": "admin"})}
        pkgs = [p for p in pkgs if p.get("owner_org") in admin_orgs]
    return [{"id": p["id"], "name": p["name"], "title": p["title"],
             "organization": (p.get("organization") or {}).get("name"),
             "tags": [t["name"] for t in p.get("tags", [])]} for p in pkgs]


@toolkit.side_effect_free
def spmd_use_cases_of_dataset(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Use cases that use a dataset.

    :param id: the dataset's id or name
    """
    toolkit.check_access("spmd_use_cases_of_dataset", context, data_dict)
    pkg = toolkit.get_action("package_show")(
        {"user": context.get("user")}, {"id": toolkit.get_or_bust(data_dict, "id")})
    return [{"name": uc["name"], "title": uc["title"], "status": uc.get("status"),
             "organization": (uc.get("organization") or {}).get("name")}
            for uc in use_cases.use_cases_of(context, pkg["name"])]


@toolkit.side_effect_free
def spmd_partner_list(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Partner organisations with their roles, datasets and use cases.

    :param role: only the partners holding this role (optional)
    """
    toolkit.check_access("spmd_partner_list", context, data_dict)
    role = data_dict.get("role")
    if role and role not in typologies.PARTNER_ROLES:
        raise toolkit.ValidationError({"role": [_("Unknown role: %s") % role]})
    by_org = roles.organizations_by_role()
    orgs = toolkit.get_action("organization_list")(
        {"user": context.get("user")}, {"all_fields": True, "limit": 1000})
    user_context = {"user": context.get("user")}
    partners = []
    for org in orgs:
        org_roles = by_org.get(org["id"], [])
        if not org_roles or (role and role not in org_roles):
            continue
        found = search_all(user_context, f'+owner_org:"{org["id"]}" +dataset_type:(dataset OR "use-case")',
                            fl="name,title,dataset_type")
        partners.append({
            "name": org["name"], "title": org["title"], "partner_roles": org_roles,
            "datasets": [{"name": p["name"], "title": p["title"]}
                         for p in found if p.get("dataset_type") == "dataset"],
            "use_cases": [{"name": p["name"], "title": p["title"]}
                          for p in found if p.get("dataset_type") == use_cases.USE_CASE],
        })
    return partners


def get_actions() -> dict[str, Any]:
    return {
        "spmd_partner_roles_update": spmd_partner_roles_update,
        "spmd_catalogue_map": spmd_catalogue_map,
        "spmd_to_be_qualified": spmd_to_be_qualified,
        "spmd_use_cases_of_dataset": spmd_use_cases_of_dataset,
        "spmd_partner_list": spmd_partner_list,
    }
