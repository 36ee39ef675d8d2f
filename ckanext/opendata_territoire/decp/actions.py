"""The procurement datasets' actions (registered with @registry.action)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.decp import ocds, publish


@registry.action
@tk.side_effect_free
def territoire_contracts_ocds(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The contracts of a procurement dataset as an OCDS 1.1 release package:
    one release per contract (tags ``award``, ``contract``), then one per
    modification (``contractAmendment``, with ``awardUpdate`` when it changes
    the titulaires), the ocid being the prefix
    ``ckanext.territoire.ocds.ocid_prefix`` followed by the contract's uid.
    The same package as the dataset's file "OCDS (release package)".

    :param id: the procurement dataset (id or name)
    :returns: the release package (``uri``, ``version``, ``extensions``,
        ``publishedDate``, ``publisher``, ``license``, ``releases``)
    """
    tk.check_access("territoire_contracts_ocds", context, data_dict)
    dataset_id = tk.get_or_bust(data_dict, "id")
    reader = {"ignore_auth": True, "user": context.get("user")}
    dataset = tk.get_action("package_show")(dict(reader), {"id": dataset_id})
    siren = dataset.get(publish.DATASET_FIELD)
    table = publish._resources(dataset, siren).get("table") if siren else None
    if table is None:
        raise tk.ValidationError(
            {"id": [tk._("Not a procurement dataset: it has no table of contracts.")]}
        )
    rows = list(publish._stored_rows(dict(reader), table["id"]))
    try:
        return ocds.dataset_package(dataset, rows)
    except ocds.NoContracts:
        raise tk.ValidationError(
            {"id": [tk._("This procurement dataset has no contract yet.")]}
        ) from None
