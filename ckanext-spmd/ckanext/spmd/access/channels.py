"""Every channel through which a dataset's data could leave, masked.

- ``package_show``: ``after_dataset_show`` masks in place (``resource_show``
  picks its resource from ``package_show``, and is chained too);
- ``package_search``: chained action, masks full results and raw ``fl``
  fields; the index itself never holds the URLs of non-open datasets
  (``res_url``/``urls`` emptied in ``before_dataset_index``) so that no
  query can probe them (``data_dict``/``validated_data_dict`` stay intact:
  ``package_show`` serves them as its cache, and updates start from it);
- the activity stream: every read action of ckanext-activity chained (the
  stored package dicts are masked on the way out, also for activities
  recorded while the dataset was still open);
- resource views: ``resource_view_list`` is empty and ``resource_view_show``
  refused (a view's config holds the resource URL);
- the datastore: its read auth functions refused (the dump route goes
  through ``datastore_search``);
- RDF/DCAT: ckanext-dcat builds from ``package_show``/``package_search``;
- the download route: :mod:`ckanext.spmd.access.views`.
"""
from __future__ import annotations

import difflib
import json
import re
from typing import Any

from ckan import model
from ckan.plugins import toolkit

from . import ckan_internals, masking

Context = dict[str, Any]
ActivityDict = dict[str, Any]
VIEW_URL_FIELDS = ("image_url", "page_url", "url")
URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def blank_urls(value: Any) -> Any:
    """A resource view's data with every URL emptied (its config too)."""
    if isinstance(value, dict):
        return {k: "" if k in VIEW_URL_FIELDS and isinstance(v, str) else blank_urls(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [blank_urls(v) for v in value]
    if isinstance(value, str) and URL_RE.match(value):
        return ""
    return value


def user_of(context: Context | None) -> str | None:
    return (context or {}).get("user") or None


def package_probe(package_id: str) -> dict[str, Any] | None:
    """A light dataset dict (id, name, type, owner_org, access_class) from
    the database, for decisions about activities, views and resources."""
    pkg = model.Package.get(package_id)
    if pkg is None:
        return None
    return {
        "id": pkg.id, "name": pkg.name, "type": pkg.type, "owner_org": pkg.owner_org,
        masking.ACCESS_CLASS_FIELD: pkg.extras.get(masking.ACCESS_CLASS_FIELD) or masking.OPEN,
    }


def package_allowed(user_name: str | None, package_id: str | None) -> bool:
    if not package_id:
        return True
    probe = package_probe(package_id)
    return probe is None or masking.data_access_allowed(user_name, probe)


def resource_allowed(user_name: str | None, resource_id: str | None) -> bool:
    resource = model.Resource.get(resource_id or "")
    return resource is None or package_allowed(user_name, resource.package_id)


# -- package_show / resource_show ------------------------------------------

def after_dataset_show(context: Context, pkg_dict: dict[str, Any]) -> None:
    masking.mask_if_needed(user_of(context), pkg_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def resource_show(next_action: Any, context: Context, data_dict: dict[str, Any]) -> Any:
    result = next_action(context, data_dict)
    if not result.get(masking.MASKED_FLAG) and not resource_allowed(
        user_of(context), result.get("id")
    ):
        masking.mask_resource(result)
    return result


# -- search -----------------------------------------------------------------

def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    if not masking.is_open(pkg_dict):
        for field in ("res_url", "urls"):
            if field in pkg_dict:
                pkg_dict[field] = masking.blank_values(pkg_dict[field])
    return pkg_dict


def _mask_search_row(user_name: str | None, row: dict[str, Any]) -> None:
    if "resources" in row or masking.ACCESS_CLASS_FIELD in row or "extras" in row:
        masking.mask_if_needed(user_name, row)
    for field in ("data_dict", "validated_data_dict"):
        if isinstance(row.get(field), str):
            row[field] = masking.mask_json_package(user_name, row[field])
    if "res_url" in row or "urls" in row:
        # raw index fields (``fl``): decide on the stored dataset
        if not package_allowed(user_name, row.get("id")):
            for field in ("res_url", "urls"):
                if field in row:
                    row[field] = masking.blank_values(row[field])


@toolkit.chained_action
@toolkit.side_effect_free
def package_search(next_action: Any, context: Context, data_dict: dict[str, Any]) -> Any:
    result = next_action(context, data_dict)
    user_name = user_of(context)
    for row in result.get("results", []):
        if isinstance(row, dict):
            _mask_search_row(user_name, row)
    return result


# -- activity stream --------------------------------------------------------

def mask_activity(user_name: str | None, activity: ActivityDict) -> ActivityDict:
    data = activity.get("data")
    if not isinstance(data, dict):
        return activity
    pkg = data.get("package")
    if isinstance(pkg, dict):
        current = package_probe(pkg.get("id") or activity.get("object_id") or "")
        # the stricter of the class recorded then and the class now
        for candidate in (pkg, current):
            if candidate and not masking.is_open(candidate):
                probe = dict(candidate, id=pkg.get("id") or candidate.get("id"))
                if not masking.data_access_allowed(user_name, probe):
                    masking.mask_package(pkg)
                    break
    elif data.get("resource_id") and not resource_allowed(user_name, data["resource_id"]):
        activity["data"] = blank_urls(data)  # a resource view
    return activity


def _activity_list_action(name: str) -> Any:
    def action(next_action: Any, context: Context, data_dict: dict[str, Any]) -> Any:
        result = next_action(context, data_dict)
        user_name = user_of(context)
        for activity in result:
            mask_activity(user_name, activity)
        return result

    action.__name__ = name
    action.__doc__ = f"ckanext-activity's ``{name}``, with non-open datasets masked."
    return toolkit.side_effect_free(toolkit.chained_action(action))


ACTIVITY_LIST_ACTIONS = (
    "package_activity_list", "group_activity_list", "organization_activity_list",
    "user_activity_list", "dashboard_activity_list",
    "recently_changed_packages_activity_list",
)


@toolkit.chained_action
@toolkit.side_effect_free
def activity_show(next_action: Any, context: Context, data_dict: dict[str, Any]) -> Any:
    return mask_activity(user_of(context), next_action(context, data_dict))


@toolkit.chained_action
@toolkit.side_effect_free
def activity_data_show(next_action: Any, context: Context, data_dict: dict[str, Any]) -> Any:
    activity = model.Session.get(ckan_internals.activity_model(), data_dict.get("id"))
    result = next_action(context, data_dict)
    if activity is None or not isinstance(result, dict):
        return result
    wrapped = {"object_id": activity.object_id,
               "data": result if data_dict.get("object_type") is None
               else {data_dict["object_type"]: result}}
    mask_activity(user_of(context), wrapped)
    return result


def _diff(objects: list[Any], diff_type: str) -> str:
    lines = [json.dumps(o, indent=2, sort_keys=True).split("\n") for o in objects]
    if diff_type == "html":
        return difflib.HtmlDiff().make_table(*lines)
    make = difflib.context_diff if diff_type == "context" else difflib.unified_diff
    return "\n".join(make(*lines))


@toolkit.chained_action
@toolkit.side_effect_free
def activity_diff(next_action: Any, context: Context, data_dict: dict[str, Any]) -> Any:
    result = next_action(context, data_dict)
    user_name = user_of(context)
    before = json.dumps(result["activities"], sort_keys=True, default=str)
    for activity in result["activities"]:
        mask_activity(user_name, activity)
    if json.dumps(result["activities"], sort_keys=True, default=str) != before:
        object_type = data_dict.get("object_type") or "package"
        result["diff"] = _diff(
            [a["data"].get(object_type) for a in result["activities"]],
            data_dict.get("diff_type", "unified"),
        )
    return result


def activity_actions() -> dict[str, Any]:
    actions: dict[str, Any] = {name: _activity_list_action(name) for name in ACTIVITY_LIST_ACTIONS}
    actions.update(activity_show=activity_show, activity_data_show=activity_data_show,
                   activity_diff=activity_diff)
    return actions


# -- resource views -----------------------------------------------------------

@toolkit.chained_action
@toolkit.side_effect_free
def resource_view_list(next_action: Any, context: Context, data_dict: dict[str, Any]) -> Any:
    result = next_action(context, data_dict)
    if not resource_allowed(user_of(context), data_dict.get("id")):
        return []
    return result


@toolkit.chained_action
@toolkit.side_effect_free
def resource_view_show(next_action: Any, context: Context, data_dict: dict[str, Any]) -> Any:
    result = next_action(context, data_dict)
    if not resource_allowed(user_of(context), result.get("resource_id")):
        raise toolkit.NotAuthorized(toolkit._("The data of this dataset is restricted"))
    return result


# -- updates from masked dicts ---------------------------------------------------

def _refuse_masked(data_dict: dict[str, Any], resources: list[Any]) -> None:
    """A masked dict written back would empty the URLs for good: refuse it."""
    if data_dict.get(masking.MASKED_FLAG) or any(
            isinstance(r, dict) and r.get(masking.MASKED_FLAG) for r in resources):
        raise toolkit.ValidationError({masking.MASKED_FLAG: [toolkit._(
            "This dataset was shown with its data masked: update it as a user who "
            "may have its data, or leave the resources out")]})


@toolkit.chained_action
def package_update(next_action: Any, context: Context, data_dict: dict[str, Any]) -> Any:
    _refuse_masked(data_dict, list(data_dict.get("resources") or []))
    return next_action(context, data_dict)


@toolkit.chained_action
def resource_update(next_action: Any, context: Context, data_dict: dict[str, Any]) -> Any:
    _refuse_masked({}, [data_dict])
    return next_action(context, data_dict)


def actions() -> dict[str, Any]:
    out: dict[str, Any] = {
        "package_update": package_update, "resource_update": resource_update,
        "package_search": package_search, "resource_show": resource_show,
        "resource_view_list": resource_view_list, "resource_view_show": resource_view_show,
    }
    from ckan import plugins

    if plugins.plugin_loaded("activity"):
        out.update(activity_actions())
    return out


# -- datastore ------------------------------------------------------------------

def _datastore_auth(name: str) -> Any:
    def auth(next_auth: Any, context: Context, data_dict: dict[str, Any] | None) -> Any:
        data_dict = data_dict or {}
        resource_ids = [data_dict.get("resource_id") or data_dict.get("id")]
        resource_ids += list(context.get("table_names") or [])  # datastore_search_sql
        for resource_id in resource_ids:
            if resource_id and not resource_allowed(user_of(context), resource_id):
                return {"success": False,
                        "msg": toolkit._("The data of this dataset is restricted")}
        return next_auth(context, data_dict)

    auth.__name__ = name
    return toolkit.chained_auth_function(auth)


DATASTORE_READ_AUTH = ("datastore_search", "datastore_search_sql", "datastore_info")


def auth_functions() -> dict[str, Any]:
    from ckan import plugins

    if not plugins.plugin_loaded("datastore"):
        return {}
    return {name: _datastore_auth(name) for name in DATASTORE_READ_AUTH}
