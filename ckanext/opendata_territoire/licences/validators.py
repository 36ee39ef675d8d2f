"""Validators of the licence policy (policy.py): the licence of a dataset and
the fee (redevance). Messages are English gettext msgids with a French
translation; each names the value, the rule and its legal reference."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.navl.dictization_functions import StopOnError, missing

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.licences import policy, register


def _raw(data: dict, field: str) -> Any:
    """Another field of the dataset as sent: fields are validated in
    alphabetical order, so the fields after ``license_id`` are still raw."""
    value = data.get((field,))
    return None if value is missing else value


def _package_id(data: dict) -> str | None:
    """The id of the dataset being validated: package_update may name it by
    its name; a harvester gives the id of the dataset it creates."""
    value = _raw(data, "id")
    if not value:
        return None
    package = model.Package.get(str(value))
    return package.id if package else str(value)


def _bound(data: dict) -> bool:
    """The policy binds the public datasets of organizations (all of which
    are public bodies here)."""
    private = tk.asbool(_raw(data, "private") or False)
    return not private and bool(_raw(data, "owner_org"))


def _homologated_list(language: str) -> str:
    return ", ".join(
        f"{entry.short_title_in(language)} ({entry.id})"
        for entry in register.homologated()
    )


def _not_in_register(value: Any) -> str:
    return tk._(
        '"{value}" is not a licence of the catalogue\'s register. Licences: {known}.'
    ).format(value=value, known=", ".join(e.id for e in register.licences()))


def _no_fee(entry: register.Licence, language: str) -> str:
    if entry.generic:
        return tk._(
            "A fee (redevance) requires a licence that provides for it (CRPA, "
            "art. L.323-1): choose such a licence from the register."
        )
    return tk._(
        "{title} ({value}) grants reuse free of charge: it cannot go with a fee "
        "(redevance). A fee requires a licence that provides for it (CRPA, art. "
        "L.323-1), homologated when it is not in the list fixed by decree "
        "(art. D.323-2-2); the catalogue's administrator adds it to the licence "
        "register."
    ).format(title=entry.title_in(language), value=entry.id)


def _not_homologated(entry: register.Licence, language: str) -> str:
    message = tk._(
        "{title} ({value}) is not in the list of licences fixed by decree (CRPA, "
        "art. D.323-2-1): a public dataset of a public body uses one of these "
        "licences: {homologated}. Choose one of them or keep the dataset private."
    ).format(
        title=entry.title_in(language),
        value=entry.id,
        homologated=_homologated_list(language),
    )
    if "third_party_rights" in policy.exceptions():
        message += " " + tk._(
            "If third parties hold rights on the data and impose this licence, "
            "say so in the field Third-party rights (CRPA, art. L.321-2)."
        )
    return message


@registry.validator
def territoire_licence_policy(
    key: Any, data: dict, errors: dict, context: dict
) -> None:
    """The licence is in the register (except for a harvested dataset, which
    keeps its own), allows the fee when one is charged, and is homologated
    when the policy binds the dataset (see policy.py for the exceptions)."""
    value = data.get(key)
    if value is missing or value in (None, ""):
        return
    language = register.current_language()
    entry = register.licence(value)
    allowed = policy.exceptions()
    is_harvested = "harvested" in allowed and policy.harvested(_package_id(data))
    if entry is None:
        if is_harvested:
            return
        errors[key].append(_not_in_register(value))
        raise StopOnError
    if policy.charges_a_fee(_raw(data, "reuse_fee")) and not entry.allows_fee:
        errors[key].append(_no_fee(entry, language))
        raise StopOnError
    if entry.homologated or not _bound(data) or is_harvested:
        return
    if "third_party_rights" in allowed and tk.asbool(
        _raw(data, "third_party_rights") or False
    ):
        return
    errors[key].append(_not_homologated(entry, language))
    raise StopOnError


@registry.validator
def territoire_fee_basis(key: Any, data: dict, errors: dict, context: dict) -> None:
    """A fee needs its legal basis; without a fee the basis is left out."""
    value = data.get(key)
    if not policy.charges_a_fee(data.get(("reuse_fee",))):
        data.pop(key, None)
        raise StopOnError
    if value is missing or value in (None, ""):
        errors[key].append(
            tk._(
                "A fee (redevance) needs its legal basis: reuse of public "
                "information is free (CRPA, art. L.324-1) but in the cases the "
                "law lists. Choose the basis of the fee."
            )
        )
        raise StopOnError


@registry.validator
def territoire_only_with_fee(key: Any, data: dict, errors: dict, context: dict) -> None:
    """The terms of a fee are kept only when a fee is charged."""
    if not policy.charges_a_fee(data.get(("reuse_fee",))):
        data.pop(key, None)
        raise StopOnError
