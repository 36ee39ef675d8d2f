"""Wiring only: which CKAN interfaces the extension implements and where the
code behind each one lives."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.opendata_territoire import commands, logic, request_guard, views
from ckanext.opendata_territoire.datagouv import exposed
from ckanext.opendata_territoire.interfaces import IProcurementListener, ISupplierNames
from ckanext.opendata_territoire.licences import dataset as licensed
from ckanext.opendata_territoire.licences import register
from ckanext.opendata_territoire.metadata import facets, rdf_charset
from ckanext.opendata_territoire.observatory import contracts as observatory_contracts
from ckanext.opendata_territoire.observatory import suppliers
from ckanext.opendata_territoire.peers import refresh as peers_refresh
from ckanext.opendata_territoire.quality import jobs, publication
from ckanext.opendata_territoire.quality import search as quality_search
from ckanext.opendata_territoire.territory import visibility
from ckanext.opendata_territoire.usage import counting


@tk.blanket.config_declarations
@tk.blanket.helpers(logic.all_helpers)
@tk.blanket.validators(logic.all_validators)
@tk.blanket.actions(logic.all_actions)
@tk.blanket.auth_functions(logic.all_auth_functions)
@tk.blanket.cli(commands.get_commands)
@tk.blanket.blueprints(views.get_blueprints)
class OpendataTerritoirePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IPermissionLabels)
    p.implements(p.IOrganizationController, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(IProcurementListener)
    p.implements(ISupplierNames)

    # IConfigurer

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "territoire")

    # IConfigurable

    def configure(self, config: Any) -> None:
        register.install()

    # IMiddleware

    def make_middleware(self, app: Any, config: Any) -> Any:
        app.before_request(request_guard.refuse_nul)
        app.after_request(counting.count_request)
        app.after_request(rdf_charset.declare_utf8)
        return app

    # IFacets

    def dataset_facets(self, facets_dict: dict, package_type: str) -> dict:
        return {**facets.facet_titles(), **quality_search.facet_titles()}

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        facets.index_themes(pkg_dict)
        quality_search.index_quality(pkg_dict)
        return pkg_dict

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        publication.check_dataset(context, pkg_dict["id"])
        jobs.schedule_dataset(pkg_dict["id"])

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        publication.check_dataset(context, pkg_dict["id"])
        jobs.schedule_dataset(pkg_dict["id"])

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        facets.label_facet_items(search_results.get("search_facets", {}))
        quality_search.label_facet_items(search_results.get("search_facets", {}))
        return search_results

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        # The search index stores the raw dict (validate=False), which has no
        # top-level schema fields to mirror.
        if context.get("validate", True):
            exposed.make_harvestable(pkg_dict)
            licensed.describe(pkg_dict)

    # IPermissionLabels

    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return visibility.dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return visibility.user_labels(user_obj)

    # IOrganizationController

    def edit(self, entity: Any) -> None:
        visibility.reindex_private_datasets(entity)

    # IResourceController

    def before_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        publication.keep_upload_head(context, resource)

    # IProcurementListener (interfaces.py): the DECP publication's news

    def buyer_contracts_changed(self, organization: dict[str, Any], siren: str) -> None:
        observatory_contracts.sync_buyer(siren, organization)

    def decp_files_read(self, files: list[Any]) -> None:
        peers_refresh.after_harvest(files)

    # ISupplierNames (interfaces.py)

    def supplier_names(self, sirets: set[str]) -> tuple[dict[str, str], dict[str, str]]:
        return suppliers.names(sirets)
