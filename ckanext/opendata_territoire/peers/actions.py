"""The peers' action (registered with @registry.action). Public data: anyone
reads it."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.peers import figures


@registry.action
@tk.side_effect_free
def territoire_procurement_peers(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Where the territory (``ckanext.territoire.epci_siren``) stands among
    the EPCIs of the same kind and a similar population, from the national
    tabular consolidation of the DECP (refreshed after each harvest of it,
    or by ``ckan territoire peers refresh``).

    :param years: years of notification (a list, or comma-separated)
    :param cpv: CPV divisions or codes (their two first digits count)
    :returns: ``available`` (False before the first refresh), ``refreshed``,
        ``source``; ``epci`` (``siren``, ``name``, ``kind``, ``population``,
        ``contracts``, ``amount``); the peer ``rule`` (``kind``,
        ``population_ratio``, ``population_min``, ``population_max``);
        ``filters``; ``peers_total`` (peers in the reference data),
        ``peers_with_data``, ``national_epcis``; ``figures``, each with
        ``key`` (``territory_amount_share``, ``territory_contracts_share``,
        ``departement_amount_share``, ``departement_contracts_share``,
        ``small_amount_share``, ``small_contracts_share``,
        ``single_offer_share``, ``unknown_amount_share``, ``contracts``,
        ``amount``), ``value``, ``rank`` (1: the highest) among ``ranked``,
        ``peers`` (peers with a value), ``peers_q1``, ``peers_median``,
        ``peers_q3``, ``peers_min``, ``peers_max``, ``national_median`` and
        ``national`` (EPCIs of France with a value); ``peer_list``
        (``siren``, ``name``, ``population``, ``contracts``)
    """
    tk.check_access("territoire_procurement_peers", context, data_dict)
    try:
        return figures.comparison(data_dict)
    except figures.PeersUnavailable as error:
        raise tk.ValidationError({"epci": [str(error)]}) from error
