"""Where a harvest source may publish: into the organization that owns it
and, when that organization is the EPCI, into its member communes. A source
without an owner (only a sysadmin can make one) publishes anywhere. Both
harvesters ask here, so a source can never write into an organization its
managers do not answer for."""

from __future__ import annotations

from typing import Any

from ckan import model

from ckanext.opendata_territoire.territory import roles


def source_owner(source: Any) -> str | None:
    """The id of the organization that owns a harvest source (a dataset of
    type harvest with the source's id)."""
    package = model.Package.get(source.id) if source is not None else None
    return package.owner_org if package is not None else None


def may_publish(org: model.Group | None, owner_id: str | None) -> bool:
    """Whether a source owned by ``owner_id`` may publish in ``org``."""
    if org is None:
        return False
    if not owner_id or org.id == owner_id:
        return True
    owner = roles.organization(owner_id)
    if not roles.is_epci(owner):
        return False
    epci = roles.epci_of(org)
    return epci is not None and epci.id == owner_id
