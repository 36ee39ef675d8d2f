"""What both harvesters (decp/harvester.py, datagouv/harvester.py) do the
same way: register the chained ckanext-harvest actions and auth functions,
read a source's JSON configuration, and make a harvest object the current
one of its dataset.

The paging of data.gouv.fr's API, which both also follow, is the client's
(datagouv/client.py: :func:`pages`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ckan import model

from ckanext.harvest.model import HarvestObject
from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.harvesters import actions, auth
from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.language import portal_text

# The modules that register the chained ckanext-harvest actions and auth
# functions (registry.harvest_action, registry.harvest_auth), which the
# harvester plugins hand to CKAN.
HARVEST_MODULES = (actions, auth)

UNKNOWN_KEYS = N_("Unknown configuration keys: {keys}. Known: {known}.")


def json_config(
    text: str | None, known: Iterable[str], unknown: str = UNKNOWN_KEYS
) -> dict[str, Any] | None:
    """The source's configuration as a JSON object, None when it is empty.

    Raises ValueError, in the portal's language, when it is not JSON, not an
    object, or has keys outside ``known``; ``unknown`` is the message for the
    last case (a msgid formatted with ``keys`` and ``known``). Each harvester
    then checks its own keys' values."""
    if not text or not text.strip():
        return None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ValueError(
            portal_text(N_("The configuration is not JSON: {error}")).format(
                error=error
            )
        ) from error
    if not isinstance(data, dict):
        raise ValueError(portal_text(N_("The configuration must be a JSON object.")))
    keys = list(known)
    extra = sorted(set(data) - set(keys))
    if extra:
        raise ValueError(
            portal_text(unknown).format(keys=", ".join(extra), known=", ".join(keys))
        )
    return data


def make_current(
    harvest_object: Any, package_id: str, current: bool = True, commit: bool = True
) -> None:
    """The object becomes the current one of its guid in its source: the
    others stop being current, and the object is linked to ``package_id``
    (with ``current=False``, none is current: the dataset was withdrawn).

    ``commit=False`` leaves the change in the session, so that a write that
    fails afterwards rolls it back; ckanext-harvest indexes a dataset with its
    source from its current object, so the link is made before the dataset is
    written when it must be indexed with it."""
    model.Session.query(HarvestObject).filter(
        HarvestObject.harvest_source_id == harvest_object.harvest_source_id
    ).filter(HarvestObject.guid == harvest_object.guid).filter(
        HarvestObject.current.is_(True)
    ).filter(HarvestObject.id != harvest_object.id).update(
        {"current": False}, synchronize_session=False
    )
    harvest_object.package_id = package_id
    harvest_object.current = current
    if commit:
        harvest_object.save()
    else:
        harvest_object.add()


def chained_actions() -> dict[str, Any]:
    """ckanext-harvest's and CKAN's actions as the portal chains them
    (harvesters/actions.py), for a harvester plugin's ``get_actions``."""
    return registry.harvest_action.registered()


def chained_auth_functions() -> dict[str, Any]:
    """Who may manage harvest sources and run them (harvesters/auth.py), for
    a harvester plugin's ``get_auth_functions``."""
    return registry.harvest_auth.registered()
