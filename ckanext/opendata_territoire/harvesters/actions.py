"""ckanext-harvest's actions, chained with the portal's rules (registered by
the harvester plugins, which load only beside ckanext-harvest).

- A harvest source's URL is fetched by the portal's workers: one that leads
  to an internal address is refused on input (outbound.py checks every
  connection again at harvest time).
- ``harvest_source_patch`` sent back everything ``package_show`` gives,
  the configuration's keys and extras among them, which its own update
  refuses: any configured source answered 409. The patch is made of the
  source's own fields instead.
- ``harvest_source_reindex`` has no access check of its own in
  ckanext-harvest 1.6.3 (anyone could call it through the API): calls from
  the action API are checked against ``harvest_source_reindex``'s auth
  function, which ours chains (the source's managers only). ckanext-harvest
  calls it itself after a clear or a job, with contexts of its own: those
  stay as they are.
- ``harvest_source_clear`` purges the source's datasets with SQL of its own
  and leaves behind what only they owned: their activities, the tags no
  dataset uses any more, the DataStore tables of their files (the DECP
  contracts tables) and their search documents. Those go too.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model, plugins
from ckan.logic import auth_audit_exempt

from ckanext.opendata_territoire import outbound, registry
from ckanext.opendata_territoire.harvesters.auth import HARVEST_TYPE

log = logging.getLogger(__name__)

# Fields CKAN's package_create and package_update use before validating them
# (a list or a number there was a server error).
CKAN_TEXTS = ("id", "type", "name", "owner_org")
# What a harvest source is made of (ckanext-harvest's source schema).
SOURCE_FIELDS = (
    "id",
    "name",
    "title",
    "url",
    "notes",
    "source_type",
    "frequency",
    "config",
    "owner_org",
    "private",
)


def _check_texts(data_dict: dict[str, Any], keys: tuple[str, ...]) -> None:
    """ckanext-harvest's validators fail with a server error on a value that
    is not a text (a list for ``config``, an object for ``owner_org``...)."""
    errors = {
        key: [tk._("Must be a text.")]
        for key in keys
        if data_dict.get(key) is not None and not isinstance(data_dict[key], str)
    }
    if errors:
        raise tk.ValidationError(errors)


def _check_source_url(data_dict: dict[str, Any]) -> None:
    if data_dict.get("type") != HARVEST_TYPE:
        return
    _check_texts(data_dict, SOURCE_FIELDS[:-1])
    if not data_dict.get("url"):
        return
    try:
        outbound.check_url(str(data_dict["url"]))
    except outbound.AddressRefused as error:
        raise tk.ValidationError({"url": [str(error)]}) from None


@registry.harvest_action
@tk.chained_action
def package_create(
    next_action: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    _check_texts(data_dict or {}, CKAN_TEXTS)
    _check_source_url(data_dict or {})
    return next_action(context, data_dict)


@registry.harvest_action
@tk.chained_action
def package_update(
    next_action: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    # CKAN looks the dataset up by ``id`` before any validation.
    _check_texts(data_dict or {}, CKAN_TEXTS)
    _check_source_url(data_dict or {})
    return next_action(context, data_dict)


@registry.harvest_action
@auth_audit_exempt  # ckanext-harvest's own calls check nothing, as before
@tk.chained_action
def harvest_source_reindex(
    next_action: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    if "api_version" in context:
        _check_texts(data_dict, ("id",))
        tk.check_access("harvest_source_reindex", context, data_dict)
    return next_action(context, data_dict)


@registry.harvest_action
@tk.chained_action
def harvest_source_patch(
    next_action: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    _check_texts(data_dict, SOURCE_FIELDS[:-1])
    tk.check_access("harvest_source_patch", context, data_dict)
    source = tk.get_action("harvest_source_show")(
        {"user": context.get("user"), "ignore_auth": context.get("ignore_auth")},
        {"id": tk.get_or_bust(data_dict, "id")},
    )
    patched = {
        key: source[key]
        for key in SOURCE_FIELDS
        if key in source and source[key] is not None
    }
    patched.update(data_dict)
    return tk.get_action("harvest_source_update")(context, patched)


@registry.harvest_action
@tk.chained_action
def harvest_source_clear(
    next_action: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    _check_texts(data_dict, ("id",))
    tk.check_access("harvest_source_clear", context, data_dict)
    source = model.Package.get(str(tk.get_or_bust(data_dict, "id")))
    owned = _owned_by(source.id) if source is not None else None
    result = next_action(context, data_dict)
    if owned is not None:
        _remove_leftovers(*owned)
    return result


Owned = tuple[list[str], list[str], list[str], list[tuple[str, str]]]


def _owned_by(source_id: str) -> Owned:
    """The datasets the source harvested, their files, their tags, and the
    DECP buyers (organization, SIREN) they publish."""
    packages = [
        row[0]
        for row in model.Session.execute(
            sa.text(
                "SELECT DISTINCT o.package_id FROM harvest_object o "
                "JOIN package p ON p.id = o.package_id "
                "WHERE o.harvest_source_id = :source"
            ),
            {"source": source_id},
        )
    ]
    if not packages:
        return [], [], [], []
    buyers = [
        (str(owner), str(siren))
        for owner, siren in model.Session.execute(
            sa.text(
                "SELECT p.owner_org, x.value FROM package p JOIN package_extra x "
                "ON x.package_id = p.id AND x.key = 'decp_buyer_siren' "
                "WHERE p.id = ANY(:packages)"
            ),
            {"packages": packages},
        )
    ]
    resources = [
        row[0]
        for row in model.Session.query(model.Resource.id).filter(
            model.Resource.package_id.in_(packages)
        )
    ]
    tags = [
        row[0]
        for row in model.Session.query(model.PackageTag.tag_id)
        .filter(model.PackageTag.package_id.in_(packages))
        .distinct()
    ]
    return packages, resources, tags, buyers


def _remove_leftovers(
    packages: list[str],
    resources: list[str],
    tags: list[str],
    buyers: list[tuple[str, str]],
) -> None:
    """What only the cleared datasets owned (they are gone from the
    database), the observatory's copy of the DECP buyers' contracts too."""
    from ckan.lib import search

    if not packages:
        return
    params = {"packages": packages, "tags": tags}
    statements = [
        "DELETE FROM activity WHERE object_id = ANY(:packages)",
        "DELETE FROM tag t WHERE t.id = ANY(:tags) AND t.vocabulary_id IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM package_tag pt WHERE pt.tag_id = t.id)",
    ]
    for statement in statements:
        if "activity" in statement and not _table_exists("activity"):
            continue
        model.Session.execute(sa.text(statement), params)
    for owner, siren in buyers:
        model.Session.execute(
            sa.text(
                "DELETE FROM territoire_procurement_award "
                "WHERE organization_id = :owner AND buyer_siren = :siren"
            ),
            {"owner": owner, "siren": siren},
        )
    model.Session.commit()
    index = search.index_for(model.Package)
    for package_id in packages:
        index.remove_dict({"id": package_id})
    if resources and plugins.plugin_loaded("datastore"):
        from ckanext.datastore.backend import DatastoreBackend

        backend = DatastoreBackend.get_active_backend()
        for resource_id in resources:
            if backend.resource_exists(resource_id):
                backend.delete({}, {"resource_id": resource_id})
    log.info(
        "harvest source cleared: %d datasets' activities, tags and %d files' "
        "DataStore tables removed",
        len(packages),
        len(resources),
    )


def _table_exists(name: str) -> bool:
    return bool(sa.inspect(model.meta.engine).has_table(name))
