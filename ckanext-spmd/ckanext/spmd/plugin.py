"""Plugins of ckanext-spmd. Interface methods only delegate."""
from __future__ import annotations

from typing import Any

from ckan import plugins as p
from ckan.lib.plugins import DefaultTranslation
from ckan.plugins import toolkit

from ckanext.dcat.interfaces import IDCATRDFHarvester

from . import cli, model  # noqa: F401  (registers the index tables)
from . import facets as catalogue_facets
from . import helpers as catalogue_helpers
from . import views as catalogue_views
from .access import channels as access_channels
from .access import ckan_internals as access_internals
from .access import helpers as access_helpers
from .access import masking as access_masking
from .access import policy as access_policy
from .access import views as access_views
from .access.logic import action as access_actions
from .access.logic import auth as access_auth
from .dcat import api_output as dcat_api_output
from .dcat import logic as dcat_logic
from .dcat import views as dcat_views
from .harvest import cli as harvest_cli
from .harvest import logic as harvest_logic
from .interfaces import IDataAccess
from .logic import action as catalogue_action
from .logic import auth as catalogue_auth
from .logic import validators as catalogue_validators
from .scheming_setup import register as register_schemas
from .search import ckan_internals


@toolkit.blanket.config_declarations
@toolkit.blanket.cli(cli.get_commands)
@toolkit.blanket.validators(catalogue_validators.get_validators)
@toolkit.blanket.helpers(catalogue_helpers.get_helpers)
@toolkit.blanket.auth_functions(catalogue_auth.get_auth_functions)
@toolkit.blanket.actions(catalogue_action.get_actions)
@toolkit.blanket.blueprints(catalogue_views.get_blueprints)
class SpmdPlugin(p.SingletonPlugin, DefaultTranslation):
    """The metropolitan public data service: typologies, partners, use cases,
    the catalogue map (the schemas come with it: see ``schemas/``)."""

    p.implements(p.IConfigurer)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.ITranslation)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        register_schemas(config, **catalogue_facets.SCHEMAS)

    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        return catalogue_facets.dataset_facets(facets_dict, package_type)

    def organization_facets(self, facets_dict: dict[str, Any], organization_type: str,
                            package_type: str | None) -> dict[str, Any]:
        return catalogue_facets.organization_facets(facets_dict, package_type or "dataset")

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return catalogue_facets.before_dataset_index(pkg_dict)

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        return catalogue_facets.label_facets(search_results)


@toolkit.blanket.config_declarations("search/config_declaration.yaml")
@toolkit.blanket.cli(cli.get_search_commands)
class SpmdSearchPlugin(p.SingletonPlugin):
    """CKAN's search index in PostgreSQL (or Solr, by configuration)."""

    p.implements(p.IConfigurer)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        # Before CKAN's start-up check of the Solr schema, which follows.
        ckan_internals.install()


@toolkit.blanket.config_declarations("dcat/config_declaration.yaml")
@toolkit.blanket.blueprints(lambda: [dcat_views.vocabulary])
@toolkit.blanket.actions(dcat_logic.get_actions)
class SpmdDcatPlugin(p.SingletonPlugin):
    """DCAT-AP 3 output of ckanext-dcat completed with our vocabularies
    (profile ``spmd_dcat_ap``), the published concept schemes, a catalogue
    without personal data, and the API output national harvesters read.
    Load after ``dcat``."""

    p.implements(p.IPackageController, inherit=True)

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        if not dcat_api_output.is_api_read(context):
            return pkg_dict
        return dcat_api_output.mirror_extras(pkg_dict)

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        for pkg_dict in search_results.get("results", []):
            dcat_api_output.mirror_extras(pkg_dict)
        return search_results


@toolkit.blanket.config_declarations("access/config_declaration.yaml")
@toolkit.blanket.actions(access_actions.get_actions)
@toolkit.blanket.auth_functions(access_auth.get_auth_functions)
@toolkit.blanket.blueprints(access_views.get_blueprints)
@toolkit.blanket.helpers(access_helpers.get_helpers)
class SpmdAccessPlugin(p.SingletonPlugin, DefaultTranslation):
    """Access classes: the data of non-open datasets masked in every channel,
    access requests tied to use cases, grants and their audit log."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(IDataAccess, inherit=True)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        access_internals.install()

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        access_channels.after_dataset_show(context, pkg_dict)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return access_channels.before_dataset_index(pkg_dict)

    def data_access_classes(self) -> list[str]:
        return [access_masking.RESTRICTED]

    def can_access_data(self, user_name: str | None, pkg_dict: dict[str, Any]) -> bool | None:
        return access_policy.restricted_access(user_name, pkg_dict)


@toolkit.blanket.cli(harvest_cli.get_commands)
@toolkit.blanket.actions(harvest_logic.get_actions)
class SpmdHarvestPlugin(p.SingletonPlugin):
    """Harvesting national catalogues in: per-source typology, defaults and
    local-edits rule for ckanext-dcat's RDF harvester. Load after
    ``harvest dcat_rdf_harvester``."""

    p.implements(IDCATRDFHarvester, inherit=True)

    # The hooks import ckanext-harvest's model: only when a harvest runs.
    def after_parsing(self, rdf_parser: Any, harvest_job: Any) -> tuple[Any, list[str]]:
        from .harvest import hooks

        return hooks.after_parsing(rdf_parser, harvest_job)

    def before_create(self, harvest_object: Any, dataset_dict: dict[str, Any],
                      temp_dict: dict[str, Any]) -> None:
        from .harvest import hooks

        hooks.before_create(harvest_object, dataset_dict, temp_dict)

    def before_update(self, harvest_object: Any, dataset_dict: dict[str, Any],
                      temp_dict: dict[str, Any]) -> None:
        from .harvest import hooks

        hooks.before_update(harvest_object, dataset_dict, temp_dict)

    def after_create(self, harvest_object: Any, dataset_dict: dict[str, Any],
                     temp_dict: dict[str, Any]) -> None:
        from .harvest import hooks

        hooks.after_import(harvest_object, dataset_dict, temp_dict)

    def after_update(self, harvest_object: Any, dataset_dict: dict[str, Any],
                     temp_dict: dict[str, Any]) -> None:
        from .harvest import hooks

        hooks.after_import(harvest_object, dataset_dict, temp_dict)
