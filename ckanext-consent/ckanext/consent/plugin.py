"""Plugin of ckanext-consent. Interface methods only delegate."""
from __future__ import annotations

from typing import Any

from ckan import plugins as p
from ckan.lib.plugins import DefaultTranslation
from ckan.plugins import toolkit

from ckanext.spmd.interfaces import IDataAccess

from . import (
    access,
    cli,
    helpers,
    hooks,
    model,  # noqa: F401  (declares the registry tables)
    views,
)
from .logic import action, auth, validators

SCHEMA = "ckanext.consent:schemas/personal_data.yaml"
MASKING_PLUGIN = "spmd_access"


def _with_derivative(name: str, own: dict[str, Any]) -> dict[str, Any]:
    """Our functions plus the open derivative's (``derivative/logic.py``),
    once that module exists."""
    try:
        from .derivative import logic as derivative_logic
    except ImportError:
        return own
    return {**own, **getattr(derivative_logic, name)()}


def get_actions() -> dict[str, Any]:
    return _with_derivative("get_actions", action.get_actions())


def get_auth_functions() -> dict[str, Any]:
    return _with_derivative("get_auth_functions", auth.get_auth_functions())


def require_masking(config: Any) -> None:
    """The rows are public unless ``spmd_access`` masks them: refuse to run
    without it."""
    if not p.plugin_loaded(MASKING_PLUGIN):
        raise RuntimeError(
            "ckanext-consent: the plugin `consent` needs the plugin `spmd_access` "
            "(ckanext-spmd), which masks personal rows in every channel. Add "
            "`spmd_access` to ckan.plugins (before `consent`)."
        )


@toolkit.blanket.config_declarations
@toolkit.blanket.cli(cli.get_commands)
@toolkit.blanket.validators(validators.get_validators)
@toolkit.blanket.helpers(helpers.get_helpers)
@toolkit.blanket.auth_functions(get_auth_functions)
@toolkit.blanket.actions(get_actions)
@toolkit.blanket.blueprints(views.get_blueprints)
class ConsentPlugin(p.SingletonPlugin, DefaultTranslation):
    """Consent-gated personal-data datasets."""

    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(IDataAccess, inherit=True)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        from ckanext.spmd import scheming_setup

        toolkit.add_template_directory(config, "templates")
        scheming_setup.register(config, dataset=[SCHEMA])

    def configure(self, config: toolkit.CKANConfig) -> None:
        hooks.check_start_up(config, require_masking)
        hooks.check_start_up(config, hooks.require_safe_storage)

    # IDataAccess
    def data_access_classes(self) -> list[str]:
        return [access.PERSONAL]

    def can_access_data(self, user_name: str | None, pkg_dict: dict[str, Any]) -> bool | None:
        return access.can_access_data(user_name, pkg_dict)

    # IPackageController
    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return access.search_params(search_params)

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        hooks.after_dataset_change(pkg_dict)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        hooks.after_dataset_change(pkg_dict)

    # IResourceController
    def before_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        hooks.check_upload(resource, resource.get("package_id"))

    def before_resource_update(self, context: Any, current: dict[str, Any],
                               resource: dict[str, Any]) -> None:
        hooks.check_upload(resource, current.get("package_id"))

    def after_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        hooks.after_upload(resource)

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        hooks.after_upload(resource)
