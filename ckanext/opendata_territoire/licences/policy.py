"""The licence policy of the catalogue.

A public dataset of an organization (every organization of the catalogue is
a public body: a commune, the EPCI, a syndicate...) uses a homologated
licence: one of the list fixed by decree (CRPA, art. D.323-2-1: Licence
Ouverte 2.0, ODbL) or one homologated under D.323-2-2 and added to the
register. The exceptions, each of which the configuration can switch off
(``ckanext.territoire.licence_exceptions``):

- ``harvested``: a dataset harvested from another portal keeps the licence
  its producer chose (even one outside the register), marked as such;
- ``third_party_rights``: data on which third parties hold rights is not
  public information (CRPA, art. L.321-2); the licence they impose applies.

Private datasets (drafts included) may carry any licence of the register:
the rule applies when they are made public. Reuse is free (CRPA, art.
L.324-1); a fee needs its legal basis and a licence that provides for it
(L.323-1), which the licences of the decree's list do not (both grant reuse
free of charge).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire.licences import register

EXCEPTIONS = ("harvested", "third_party_rights")

# Values of licence_status (package_show).
HOMOLOGATED = "homologated"
HARVESTED = "harvested"
THIRD_PARTY_RIGHTS = "third_party_rights"
NOT_HOMOLOGATED = "not_homologated"
UNKNOWN = "unknown"


def exceptions() -> set[str]:
    """The exceptions the configuration allows (other words are ignored)."""
    configured = tk.aslist(tk.config.get("ckanext.territoire.licence_exceptions"))
    return {word for word in configured if word in EXCEPTIONS}


def harvested(package_id: str | None) -> bool:
    """Whether ckanext-harvest links a harvest object to the dataset. Its
    harvesters link the object to the new dataset's id before they call
    package_create, so this holds while a harvested dataset is validated."""
    if not package_id or not p.plugin_loaded("harvest"):
        return False
    from ckanext.harvest.model import HarvestObject

    query = model.Session.query(HarvestObject.id).filter(
        HarvestObject.package_id == package_id
    )
    return query.first() is not None


def charges_a_fee(value: Any) -> bool:
    return value == "fee"


def licence_status(dataset: dict[str, Any]) -> str:
    """How the dataset's licence stands with the policy (package_show's
    ``licence_status``): ``homologated``; ``harvested`` or
    ``third_party_rights`` (another licence, which the exception allows);
    ``not_homologated`` (another licence of the register, on a private
    dataset or one without organization); ``unknown`` (not in the register)."""
    entry = register.licence(dataset.get("license_id"))
    if entry and entry.homologated:
        return HOMOLOGATED
    allowed = exceptions()
    if "harvested" in allowed and harvested(dataset.get("id")):
        return HARVESTED
    if entry is None:
        return UNKNOWN
    if "third_party_rights" in allowed and tk.asbool(
        dataset.get("third_party_rights") or False
    ):
        return THIRD_PARTY_RIGHTS
    return NOT_HOMOLOGATED
