"""The observatory's pages: the territory's (``/observatory``) and a buyer's
(``/organization/<id>/observatory``), with their CSV export. Plain HTML: the
filters are a GET form and the charts are bars drawn in HTML, readable
without JavaScript and by screen readers (each bar carries its figures)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.opendata_territoire import csv_export
from ckanext.opendata_territoire.observatory import cpv, stats
from ckanext.opendata_territoire.peers import views as peers_views

blueprint = Blueprint("territoire_observatory", __name__)

FILTERS = ("commune", "years", "cpv", "procedure")
# The CSV's column names, in French like the DECP's.
CSV_GROUPS = {
    "year": "annee",
    "commune": "acheteur",
    "cpv": "division_cpv",
    "procedure": "procedure",
    "nature": "nature",
}
CSV_LOCALITIES = {
    "territory": "territoire",
    "departement": "departement",
    "elsewhere": "ailleurs",
    "unknown": "inconnue",
}
DOMAINS_SHOWN = 12


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user else None}


def group_labels() -> dict[str, str]:
    return {
        "year": tk._("Year"),
        "commune": tk._("Buyer"),
        "cpv": tk._("Domain (CPV division)"),
        "procedure": tk._("Procedure"),
        "nature": tk._("Nature"),
    }


def locality_labels() -> dict[str, str]:
    return {
        "territory": tk._("Firms of the territory"),
        "departement": tk._("Elsewhere in the département"),
        "elsewhere": tk._("Elsewhere"),
        "unknown": tk._("Unknown locality"),
    }


def euros(value: float | None) -> str:
    """An amount in euros, French style: 1 234 567 €."""
    if value is None:
        return "—"
    return f"{round(value):,}".replace(",", "\u202f") + "\u00a0€"


def number(value: float | None) -> str:
    """A count, French style (a decimal comma when it is not whole)."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.0f}\u00a0%"


def _filters(commune: str | None) -> dict[str, str]:
    args = tk.request.args
    found = {key: str(args.get(key) or "").strip() for key in FILTERS}
    if commune is not None:
        found["commune"] = commune
    return {key: value for key, value in found.items() if value}


def _group() -> str:
    group = str(tk.request.args.get("group_by") or "year")
    return group if group in stats.GROUPS else "year"


def _organization(id: str) -> dict[str, Any]:
    try:
        org = dict(
            tk.get_action("organization_show")(
                {"ignore_auth": True}, {"id": id, "include_datasets": False}
            )
        )
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    if org["id"] not in stats.organizations():
        return tk.abort(404, tk._("This organization is not a public buyer."))
    return org


def _stats(filters: dict[str, str], group: str | None) -> dict[str, Any]:
    return dict(
        tk.get_action("territoire_procurement_stats")(
            _context(), {**filters, "group_by": group}
        )
    )


def _page(commune: str | None) -> Any:
    org = _organization(commune) if commune else None
    filters = _filters(org["name"] if org else None)
    group = _group()
    errors: dict[str, str] = {}
    try:
        table = _stats(filters, group)
    except tk.ValidationError as error:
        errors = {
            key: " ".join(str(m) for m in value)
            for key, value in error.error_dict.items()
        }
        filters = {"commune": org["name"]} if org else {}
        table = _stats(filters, group)
    by_year = table if group == "year" else _stats(filters, "year")
    by_domain = table if group == "cpv" else _stats(filters, "cpv")
    domains = sorted(by_domain["groups"], key=lambda g: -g["amount"])
    gaps = tk.get_action("territoire_procurement_gaps")(
        _context(), {k: v for k, v in filters.items() if k != "cpv"}
    )
    found = stats.options()
    organizations = stats.organizations()
    # Among comparable territories: the whole EPCI's, on its page only.
    peers = None if org else peers_views.section(filters)
    return tk.render(
        "observatory/index.html",
        {
            "organization": org,
            "filters": filters,
            "errors": errors,
            "group": group,
            "groups": group_labels(),
            "localities": locality_labels(),
            "table": table,
            "by_year": by_year["groups"],
            "domains": domains[:DOMAINS_SHOWN],
            "domains_hidden": max(0, len(domains) - DOMAINS_SHOWN),
            "gaps": gaps["gaps"],
            "gap_share": gaps["max_local_share"],
            "options": {
                "years": found["years"],
                "cpv": [(code, cpv.label(code)) for code in found["cpv"]],
                "procedures": found["procedures"],
                "buyers": sorted(
                    (
                        organizations[o]
                        for o in found["organizations"]
                        if o in organizations
                    ),
                    key=lambda o: o["title"],
                ),
            },
            "csv_args": {**filters, "group_by": group},
            "peers": peers,
            "euros": euros,
            "number": number,
            "percent": percent,
        },
    )


# A cell starting with one of these is a formula to a spreadsheet: labels
# (an organization's title is edited by its admins) are written after a quote.
def _csv(commune: str | None) -> Response:
    org = _organization(commune) if commune else None
    filters = _filters(org["name"] if org else None)
    group = _group()
    try:
        table = _stats(filters, group)
    except tk.ValidationError as error:
        return tk.abort(400, str(error.error_dict))
    localities = list(stats.LOCALITIES)
    header = [
        CSV_GROUPS[group],
        "libelle",
        "contrats",
        "montant",
        *[f"contrats_{CSV_LOCALITIES[name]}" for name in localities],
        *[f"montant_{CSV_LOCALITIES[name]}" for name in localities],
        "contrats_pme",
        "montant_pme",
        "offres_moyenne",
        "contrats_offre_unique",
    ]
    rows = [*table["groups"]]
    if table["total"] is not None:
        rows.append({"key": "total", "label": "", **table["total"]})
    filename = _filename(org["name"] if org else "territoire", group, table["filters"])
    return csv_export.response(
        filename,
        header,
        (
            [
                row["key"],
                row["label"],
                row["contracts"],
                row["amount"],
                *[row[name]["contracts"] for name in localities],
                *[row[name]["amount"] for name in localities],
                row["small"]["contracts"],
                row["small"]["amount"],
                "" if row["offers_average"] is None else row["offers_average"],
                row["single_offer"],
            ]
            for row in rows
        ),
    )


def _slug(value: Any) -> str:
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _filename(place: str, group: str, filters: dict[str, Any]) -> str:
    """``observatoire-<place>-<group>[-<filter>-<values>...].csv``: the file
    says what it holds."""
    parts = ["observatoire", place, group]
    for key, label in (
        ("years", "annees"),
        ("cpv", "cpv"),
        ("procedure", "procedures"),
        ("nature", "natures"),
    ):
        values = filters.get(key) or []
        if values:
            parts += [label, *[_slug(v) for v in values]]
    return "-".join(p for p in parts if p)[:180] + ".csv"


@blueprint.route("/observatory")
def territory_page() -> Any:
    return _page(None)


@blueprint.route("/observatory.csv")
def territory_csv() -> Response:
    return _csv(None)


@blueprint.route("/organization/<id>/observatory")
def organization_page(id: str) -> Any:
    return _page(id)


@blueprint.route("/organization/<id>/observatory.csv")
def organization_csv(id: str) -> Response:
    return _csv(id)
