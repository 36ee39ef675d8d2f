"""The territory's public buyers in the catalogue: every organization with a
SIREN, and the procurement dataset each one has (told apart by its field
``decp_buyer_siren``).

What the DECP publication (decp/publish.py), the DECP harvester, the
source form's presets and the observatory all ask; here, so that none of
them asks another feature.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

# The field of a buyer's procurement dataset that holds the buyer's SIREN.
DATASET_FIELD = "decp_buyer_siren"


def territory_buyers() -> dict[str, dict[str, Any]]:
    """SIREN -> organization, for every active organization of the catalogue
    that has a SIREN (the oldest when several share one)."""
    query = (
        model.Session.query(model.GroupExtra.value, model.Group.id)
        .join(model.Group, model.GroupExtra.group_id == model.Group.id)
        .filter(model.Group.is_organization.is_(True))
        .filter(model.Group.state == "active")
        .filter(model.GroupExtra.state == "active")
        .filter(model.GroupExtra.key == "siren")
        .filter(model.GroupExtra.value != "")
        .order_by(model.Group.created.asc(), model.Group.id)
    )
    found: dict[str, str] = {}
    for siren, group_id in query.all():
        found.setdefault(str(siren), group_id)
    return {siren: _organization(group_id) for siren, group_id in found.items()}


def _organization(group_id: str) -> dict[str, Any]:
    return dict(
        tk.get_action("organization_show")(
            {"ignore_auth": True},
            {"id": group_id, "include_datasets": False, "include_users": False},
        )
    )


def find_dataset(siren: str, org_id: str) -> dict[str, Any] | None:
    """The buyer's procurement dataset in its organization, if any: the
    published one, else the draft an interrupted import left (see
    decp/publish.py ``_publish_buyer``)."""
    query = (
        model.Session.query(model.Package.id)
        .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
        .filter(model.Package.state.in_(["active", "draft"]))
        .filter(model.Package.owner_org == org_id)
        .filter(model.PackageExtra.key == DATASET_FIELD)
        .filter(model.PackageExtra.value == siren)
        .order_by(
            (model.Package.state == "active").desc(),
            model.Package.metadata_created.asc(),
        )
    )
    row = query.first()
    if row is None:
        return None
    return dict(tk.get_action("package_show")({"ignore_auth": True}, {"id": row[0]}))
