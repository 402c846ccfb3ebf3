"""ckanext-affluence: transit crowding forecasts. Interface methods only delegate."""
from __future__ import annotations

from typing import Any

from ckan import plugins as p
from ckan.lib.plugins import DefaultTranslation
from ckan.plugins import toolkit

from . import cli, helpers, model, scheming_registry, views  # noqa: F401 (model: tables)
from .logic import action, auth


@toolkit.blanket.config_declarations
@toolkit.blanket.cli(cli.get_commands)
@toolkit.blanket.actions(action.get_actions)
@toolkit.blanket.auth_functions(auth.get_auth_functions)
@toolkit.blanket.helpers(helpers.get_helpers)
@toolkit.blanket.blueprints(views.get_blueprints)
class AffluencePlugin(p.SingletonPlugin, DefaultTranslation):
    """The transit-occupancy dataset type, its jobs, page, feed and reports."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IPackageController, inherit=True)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        toolkit.add_resource("assets", "affluence")
        scheming_registry.register(config)

    def after_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        from . import triggers

        triggers.input_changed(context, resource)

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        from . import triggers

        triggers.input_changed(context, resource)

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        from . import triggers

        return triggers.add_validation(pkg_dict)


class AffluenceViewPlugin(p.SingletonPlugin):
    """Resource view of the forecast resource: the public page's charts."""

    p.implements(p.IResourceView, inherit=True)

    def info(self) -> dict[str, Any]:
        return {"name": "affluence_view", "title": toolkit._("Crowding forecast"),
                "icon": "bar-chart", "iframed": True, "default_title": toolkit._("Crowding forecast"),
                "always_available": False}

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return data_dict["resource"].get("role") == "forecast-csv"

    def setup_template_variables(self, context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
        from . import page

        args = dict(toolkit.request.args) if toolkit.request else {}
        return {"affluence": page.context(data_dict["package"]["id"], args)}

    def view_template(self, context: Any, data_dict: dict[str, Any]) -> str:
        return "affluence/view.html"
