"""The observatory's actions (registered with @registry.action). The data is
public: anyone reads the figures."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.observatory import stats


def _group(data_dict: dict[str, Any]) -> str | None:
    group = str(data_dict.get("group_by") or "").strip() or None
    if group is not None and group not in stats.GROUPS:
        raise tk.ValidationError(
            {
                "group_by": [
                    tk._("Must be one of: {values}.").format(
                        values=", ".join(stats.GROUPS)
                    )
                ]
            }
        )
    return group


def _bounded(
    data_dict: dict[str, Any], key: str, default: float, low: float, high: float
) -> float:
    value = data_dict.get(key)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        raise tk.ValidationError(
            {
                key: [
                    tk._("Must be a number from {low} to {high}.").format(
                        low=low, high=high
                    )
                ]
            }
        )
    return number


@registry.action
@tk.side_effect_free
def territoire_procurement_stats(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The procurement figures of the territory, or of one buyer.

    :param commune: a buyer organization (name or id); default: every buyer
        of the territory
    :param years: years of notification (a list, or comma-separated)
    :param cpv: CPV divisions or codes (their two first digits count)
    :param procedure: procedures, as published
    :param nature: natures, as published
    :param group_by: ``year``, ``commune``, ``cpv``, ``procedure`` or
        ``nature``; default: the total only
    :returns: ``total`` and ``groups`` (each with ``key`` and ``label``):
        ``contracts``, ``amount``, per locality (``territory``,
        ``departement``, ``elsewhere``, ``unknown``) the contracts, amount
        and their shares, ``small`` (firms of SIRENE category PME),
        ``size_unknown``, ``offers_average``, ``single_offer``, ``origins``
        (contracts whose titulaire is placed by the ``register`` of local
        firms, the contracts' ``source``, ``sirene``); and the
        ``filters``, ``data_date``, ``territory_communes``, ``departements``
    """
    tk.check_access("territoire_procurement_stats", context, data_dict)
    group = _group(data_dict)
    return stats.procurement_stats(stats.scope(data_dict), group)


@registry.action
@tk.side_effect_free
def territoire_procurement_gaps(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The CPV divisions where firms of the territory win nothing or almost
    nothing, by amount spent (largest first): the domains to target.

    :param commune: a buyer organization (name or id); default: all
    :param years: years of notification
    :param procedure: procedures
    :param nature: natures
    :param max_local_share: the largest share of the amount won in the
        territory that still counts as a gap, from 0 to 1 (default 0.05)
    :param limit: at most this many divisions, 1 to 100 (default 20)
    """
    tk.check_access("territoire_procurement_gaps", context, data_dict)
    share = _bounded(data_dict, "max_local_share", stats.GAP_SHARE, 0, 1)
    limit = _bounded(data_dict, "limit", stats.GAPS_LIMIT, 1, 100)
    if limit != int(limit):
        raise tk.ValidationError(
            {"limit": [tk._("Must be a whole number from 1 to 100.")]}
        )
    return stats.procurement_gaps(
        stats.scope(data_dict, with_cpv=False), share, int(limit)
    )
