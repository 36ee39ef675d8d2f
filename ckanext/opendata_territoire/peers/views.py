"""The peers' comparison on the observatory's page (the section "Among
comparable territories", see :func:`section`) and its CSV export
(``/observatory/peers.csv``, same ``years`` and ``cpv`` parameters)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.opendata_territoire import csv_export

blueprint = Blueprint("territoire_peers", __name__)

# The figures drawn on a scale of 0 to 100 %; the others (counts, amounts)
# are in the table only.
SHARES = (
    "territory_amount_share",
    "territory_contracts_share",
    "departement_amount_share",
    "departement_contracts_share",
    "small_amount_share",
    "small_contracts_share",
    "single_offer_share",
    "unknown_amount_share",
)
# The CSV's column names, in French like the observatory's.
CSV_HEADER = [
    "indicateur",
    "libelle",
    "valeur",
    "rang",
    "classes",
    "pairs",
    "premier_quartile_pairs",
    "mediane_pairs",
    "troisieme_quartile_pairs",
    "minimum_pairs",
    "maximum_pairs",
    "mediane_nationale",
    "epci_nationaux",
]
PARAMETERS = ("years", "cpv")


def figure_labels() -> dict[str, str]:
    return {
        "territory_amount_share": tk._(
            "Share of the amount won by firms of the territory"
        ),
        "territory_contracts_share": tk._(
            "Share of the contracts won by firms of the territory"
        ),
        "departement_amount_share": tk._(
            "Share of the amount won elsewhere in the département"
        ),
        "departement_contracts_share": tk._(
            "Share of the contracts won elsewhere in the département"
        ),
        "small_amount_share": tk._(
            "Share of the amount won by small and medium firms (PME)"
        ),
        "small_contracts_share": tk._(
            "Share of the contracts won by small and medium firms (PME)"
        ),
        "single_offer_share": tk._(
            "Share of single-offer contracts (of those that give the number of offers)"
        ),
        "unknown_amount_share": tk._(
            "Share of the amount whose titulaire's commune is unknown"
        ),
        "contracts": tk._("Contracts"),
        "amount": tk._("Amount"),
    }


def kind_labels() -> dict[str, str]:
    return {
        "CC": tk._("communautés de communes"),
        "CA": tk._("communautés d'agglomération"),
        "CU": tk._("communautés urbaines"),
        "METRO": tk._("métropoles"),
    }


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user else None}


def _parameters(source: Any) -> dict[str, str]:
    found = {key: str(source.get(key) or "").strip() for key in PARAMETERS}
    return {key: value for key, value in found.items() if value}


def section(filters: dict[str, str]) -> dict[str, Any]:
    """What the observatory page's section shows: the comparison (None
    when it cannot be made, with the reason in ``error``), the labels and
    the CSV link's parameters."""
    parameters = _parameters(filters)
    comparison = None
    error = None
    try:
        comparison = tk.get_action("territoire_procurement_peers")(
            _context(), dict(parameters)
        )
    except tk.ValidationError as failure:
        error = " ".join(
            " ".join(str(m) for m in messages)
            for messages in failure.error_dict.values()
        )
    figures = {f["key"]: f for f in comparison["figures"]} if comparison else {}
    return {
        "comparison": comparison,
        "error": error,
        "figures": figures,
        "shares": [key for key in SHARES if key in figures],
        "labels": figure_labels(),
        "kinds": kind_labels(),
        "csv_args": parameters,
    }


def _filename(comparison: dict[str, Any]) -> str:
    parts = ["observatoire-pairs", comparison["epci"]["siren"]]
    filters = comparison["filters"]
    if filters["years"]:
        parts += ["annees", *[str(y) for y in filters["years"]]]
    if filters["cpv"]:
        parts += ["cpv", *filters["cpv"]]
    return "-".join(parts)[:180] + ".csv"


@blueprint.route("/observatory/peers.csv")
def peers_csv() -> Response:
    try:
        comparison = tk.get_action("territoire_procurement_peers")(
            _context(), _parameters(tk.request.args)
        )
    except tk.ValidationError as error:
        return tk.abort(400, str(error.error_dict))
    labels = figure_labels()

    def cell(value: Any) -> Any:
        return "" if value is None else value

    return csv_export.response(
        _filename(comparison),
        CSV_HEADER,
        (
            [
                f["key"],
                labels.get(f["key"], f["key"]),
                cell(f["value"]),
                cell(f["rank"]),
                f["ranked"],
                f["peers"],
                cell(f["peers_q1"]),
                cell(f["peers_median"]),
                cell(f["peers_q3"]),
                cell(f["peers_min"]),
                cell(f["peers_max"]),
                cell(f["national_median"]),
                f["national"],
            ]
            for f in comparison["figures"]
        ),
    )
