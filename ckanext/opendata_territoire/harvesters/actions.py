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
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import auth_audit_exempt

from ckanext.opendata_territoire import outbound
from ckanext.opendata_territoire.harvesters.auth import HARVEST_TYPE

__all__ = [
    "harvest_source_patch",
    "harvest_source_reindex",
    "package_create",
    "package_update",
]

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


@tk.chained_action
def package_create(
    next_action: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    _check_texts(data_dict or {}, CKAN_TEXTS)
    _check_source_url(data_dict or {})
    return next_action(context, data_dict)


@tk.chained_action
def package_update(
    next_action: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    # CKAN looks the dataset up by ``id`` before any validation.
    _check_texts(data_dict or {}, CKAN_TEXTS)
    _check_source_url(data_dict or {})
    return next_action(context, data_dict)


@auth_audit_exempt  # ckanext-harvest's own calls check nothing, as before
@tk.chained_action
def harvest_source_reindex(
    next_action: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    if "api_version" in context:
        _check_texts(data_dict, ("id",))
        tk.check_access("harvest_source_reindex", context, data_dict)
    return next_action(context, data_dict)


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


def actions() -> dict[str, Any]:
    return {name: globals()[name] for name in __all__}
