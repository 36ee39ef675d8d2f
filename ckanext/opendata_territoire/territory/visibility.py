"""Who sees a private dataset (CKAN's permission labels, used by package_show
and by search): CKAN's rules (the owner organization's members, the creator)
plus the administrators of the EPCI the owner commune belongs to, who follow
every member's work before it is published. They read; editing stays with the
commune (package_update is not concerned by labels).

Search stores a dataset's labels when it indexes it: when an organization
changes (a commune joins an EPCI, an EPCI's SIREN is corrected), the private
datasets whose labels depend on it are indexed again."""

from __future__ import annotations

from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels

from ckanext.opendata_territoire import search_index
from ckanext.opendata_territoire.territory import roles

_default = DefaultPermissionLabels()


def epci_label(epci_id: str) -> str:
    return f"epci-{epci_id}"


def dataset_labels(dataset: model.Package) -> list[str]:
    labels = _default.get_dataset_labels(dataset)
    if dataset.private and dataset.owner_org:
        owner = roles.organization(dataset.owner_org)
        epci = roles.epci_of(owner) if owner is not None else None
        if epci is not None and epci.id != dataset.owner_org:
            labels.append(epci_label(epci.id))
    return labels


def user_labels(user: object) -> list[str]:
    labels = _default.get_user_dataset_labels(user)
    # Anonymous visitors come as None or as Flask-Login's AnonymousUser.
    if isinstance(user, model.User):
        labels.extend(
            epci_label(org.id)
            for org in user.get_groups("organization", "admin")
            if roles.is_epci(org)
        )
    return labels


def reindex_private_datasets(org: model.Group) -> None:
    """Index again the private datasets of ``org`` and, for an EPCI, of its
    member communes (public datasets carry no EPCI label)."""
    owners = [org.id]
    siren = org.extras.get("siren")
    if roles.is_epci(org) and siren:
        owners += [
            group_id
            for (group_id,) in model.Session.query(model.GroupExtra.group_id)
            .filter(model.GroupExtra.key == "epci_siren")
            .filter(model.GroupExtra.value == siren)
            .filter(model.GroupExtra.state == "active")
        ]
    query = (
        model.Session.query(model.Package.id)
        .filter(model.Package.owner_org.in_(owners))
        .filter(model.Package.private.is_(True))
        .filter(model.Package.state != "deleted")
    )
    for (package_id,) in query:
        search_index.reindex(package_id)
