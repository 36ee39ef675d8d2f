"""A past contract of the territory, by its uid, as the renewals show it
(future/listing.py ``item``), with the few fields more its page shows and
the procurement dataset it comes from.

Read from the same DataStore table as the renewals, of a buyer the
observatory counts: a buyer whose procurement dataset is private or deleted
has no contract to show.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire.future import listing, renewals
from ckanext.opendata_territoire.observatory import contracts, stats

MORE_FIELDS = ["datePublicationDonnees", "dureeMoisInitiale", "montantInitial"]


def past_contract(uid: str) -> dict[str, Any] | None:
    """The contract ``uid`` (the buyer's SIRET, then the contract's id), or
    None when no published buyer has it."""
    siren = uid[:9]
    if not siren.isdigit():
        return None
    organizations = stats.organizations()
    for org_id, buyer_siren in listing.published_buyers():
        org = organizations.get(org_id)
        if buyer_siren != siren or org is None:
            continue
        table_id = contracts.table_of(buyer_siren, org)
        if table_id is None:
            continue
        records = tk.get_action("datastore_search")(
            {"ignore_auth": True},
            {
                "resource_id": table_id,
                "fields": listing.FIELDS + MORE_FIELDS,
                "filters": {"uid": uid},
                "limit": 1,
                "include_total": False,
            },
        )["records"]
        if not records:
            continue
        row = records[0]
        found = listing.item(row, org, renewals.expected_end(row))
        dataset = tk.get_action("resource_show")(
            {"ignore_auth": True}, {"id": table_id}
        )["package_id"]
        found.update(
            cpv_code=row.get("codeCPV"),
            published=row.get("datePublicationDonnees"),
            initial_months=row.get("dureeMoisInitiale"),
            initial_amount=row.get("montantInitial"),
            dataset=dataset,
            resource=table_id,
        )
        return found
    return None
