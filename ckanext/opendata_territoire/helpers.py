"""Template helpers that belong to no one feature (each registered with
``@registry.helper``; the features register their own where they define
them). Every public name starts with ``territoire_`` so that a template
author knows where it comes from, but CKAN's own helpers chained here."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.harvesters import notes as _harvest_notes
from ckanext.opendata_territoire.metadata import choices
from ckanext.opendata_territoire.quality import measure, publication
from ckanext.opendata_territoire.quality.model import latest_checks, validations
from ckanext.opendata_territoire.usage import feedback


# CKAN's own helpers, chained: dates with hours in the French order; an
# organization read once a request.
@registry.helper
@tk.chained_helper
def render_datetime(
    next_helper: Any,
    datetime_: Any,
    date_format: str | None = None,
    with_hours: bool = False,
    with_seconds: bool = False,
) -> str:
    """CKAN writes a date with hours in the English order whatever the
    language ("décembre 4, 2026, 05:31 (UTC)"): in French, "4 décembre
    2026 à 05:31 (UTC)". Other uses go on to CKAN's helper."""
    from flask_babel import format_datetime, get_locale

    locale = get_locale()
    if date_format or with_seconds or not with_hours or not locale:
        return next_helper(datetime_, date_format, with_hours, with_seconds)
    if locale.language != "fr":
        return next_helper(datetime_, date_format, with_hours, with_seconds)
    from ckan.lib.helpers import _datestamp_to_datetime

    value = _datestamp_to_datetime(datetime_)
    if not value:
        return ""
    return str(format_datetime(value, "d MMMM y 'à' HH:mm (z)"))


@registry.helper
@tk.chained_helper
def get_organization(
    next_helper: Any, org: str | None = None, include_datasets: bool = False
) -> dict[str, Any]:
    """CKAN's helper (the publisher's box beside a dataset), read once a
    request for each organization (the dataset page asked twice) and
    without the members and followers the box does not show: a third of
    the dataset page's time went there (bench/RESULTS.md)."""
    if org is None or include_datasets:
        return next_helper(org, include_datasets)
    from flask import g

    memo: dict[str, dict[str, Any]] = g.setdefault("territoire_organizations", {})
    if org not in memo:
        try:
            memo[org] = tk.get_action("organization_show")(
                {},
                {
                    "id": org,
                    "include_datasets": False,
                    "include_users": False,
                    "include_followers": False,
                },
            )
        except (tk.ObjectNotFound, tk.ValidationError, tk.NotAuthorized):
            memo[org] = {}
    return memo[org]


@registry.helper
def territoire_name() -> str:
    """Name of the territory the catalogue serves, as set in the configuration."""
    return tk.config["ckanext.territoire.name"]


# The common nouns a territory's name may start with, and the article they
# take after "de"; a name starting otherwise is a proper noun ("de
# Grenoble-Alpes Métropole", "d'Annecy").
ARTICLES = {
    "communauté": "de la ",
    "métropole": "de la ",
    "ville": "de la ",
    "commune": "de la ",
    "collectivité": "de la ",
    "région": "de la ",
    "pays": "du ",
    "syndicat": "du ",
    "département": "du ",
    "agglomération": "de l'",
    "établissement": "de l'",
    "eurométropole": "de l'",
}


@registry.helper
def territoire_name_of() -> str:
    """The territory's name after "de" (after "of" in English), with its
    article: "de la Communauté de Communes du Massif du Vercors", "de
    l'Agglomération...", "du Pays...", "de Grenoble-Alpes Métropole";
    ``ckanext.territoire.name_of`` when set."""
    name = territoire_name()
    if tk.h.lang() != "fr":
        return f"of {name}"
    configured = str(tk.config.get("ckanext.territoire.name_of") or "")
    if configured:
        return configured
    first = name.split(" ", 1)[0].casefold()
    if first in ARTICLES:
        return ARTICLES[first] + name
    vowel = first[:1] in tuple("aeiouyhéèêîôâ")
    return ("d'" if vowel else "de ") + name


@registry.helper
def territoire_logo() -> str | None:
    """The territory's logo for the header: ``ckanext.territoire.logo``, else
    the image uploaded for the EPCI's organization; None when there is none
    on this portal (an image on another host is never shown)."""
    from urllib.parse import urlsplit

    from ckan import model

    from ckanext.opendata_territoire.territory.organizations import (
        organization_rows,
    )

    configured = str(tk.config.get("ckanext.territoire.logo") or "")
    if configured:
        return configured if not urlsplit(configured).netloc else None
    siren = str(tk.config.get("ckanext.territoire.epci_siren") or "")
    # On every page: the EPCI's image read from its row (organization_show
    # took a sixth of a dataset page's time).
    rows = organization_rows("siren", {siren}) if siren else []
    epci = model.Group.get(rows[0][1]) if rows else None
    image = str((epci.image_url if epci else "") or "")
    if not image:
        return None
    if urlsplit(image).netloc:
        site = urlsplit(str(tk.config.get("ckan.site_url") or ""))
        return image if urlsplit(image).netloc == site.netloc else None
    # An upload: its file name, served under /uploads/group/.
    return str(tk.h.url_for_static(f"/uploads/group/{image}"))


@registry.helper
def territoire_home() -> dict[str, Any]:
    """What the home page shows: the member communes (the EPCI first) with
    their public datasets, the newest datasets, the themes in use, and the
    observatory's headline figure (None without contracts)."""
    try:
        territory = tk.get_action("territoire_territory_show")({}, {})
    except (tk.ObjectNotFound, tk.ValidationError):
        territory = {"epci": None, "members": []}
    bodies = ([territory["epci"]] if territory.get("epci") else []) + list(
        territory.get("members") or []
    )
    search = tk.get_action("package_search")(
        {},
        {
            "rows": 5,
            "sort": "metadata_created desc",
            "facet.field": ["vocab_territoire_theme"],
            "facet.limit": 20,
        },
    )
    translate = tk._  # the labels are msgids of choices.yaml
    labels = {
        str(entry["value"]): translate(str(entry["label"]))
        for entry in choices.choice_list("themes")
    }
    themes = [
        {
            "name": item["name"],
            "label": labels.get(item["name"], item["name"]),
            "count": item["count"],
        }
        for item in search["search_facets"]
        .get("vocab_territoire_theme", {})
        .get("items", [])
    ]
    themes.sort(key=lambda t: (-t["count"], t["label"]))
    headline = None
    try:
        stats = tk.get_action("territoire_procurement_stats")({}, {})
        total = stats.get("total") or {}
        if total.get("contracts"):
            headline = {
                "share": (total.get("territory") or {}).get("amount_share"),
                "contracts": total["contracts"],
            }
    except (tk.ValidationError, tk.ObjectNotFound):
        headline = None
    return {
        "bodies": bodies,
        "newest": search["results"],
        "count": search["count"],
        "themes": themes,
        "headline": headline,
    }


@registry.helper
def territoire_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Scheming ``choices_helper``: the entries of the field's ``choice_list``
    (labels are gettext msgids; scheming translates them when rendering)."""
    return [
        {"value": str(entry["value"]), "label": entry["label"]}
        for entry in choices.choice_list(field["choice_list"])
    ]


@registry.helper
def territoire_harvest_job_notes(job_id: str) -> list[dict[str, Any]]:
    """The notes of a harvest job (harvesters/notes.py), for its page (which
    ckanext-harvest shows to those who may read the job only)."""
    return _harvest_notes.job_notes(job_id)


@registry.helper
def territoire_quality(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The quality score of a dataset, as territoire_quality_show computes it
    (criteria untranslated)."""
    return measure.quality_of(pkg_dict)


@registry.helper
def territoire_dataset_reuses(dataset_id: str) -> list[dict[str, Any]]:
    """The published reuses of a dataset the current user may see."""
    user = tk.current_user.name if tk.current_user else None
    return tk.get_action("territoire_reuse_list")(
        {"user": user}, {"dataset": dataset_id}
    )


@registry.helper
def territoire_dataset_feedback(dataset_id: str) -> dict[str, Any]:
    """The questions and problems on a dataset the current user may see, and
    whether they may answer them."""
    user = tk.current_user.name if tk.current_user else None
    return {
        "messages": tk.get_action("territoire_feedback_list")(
            {"user": user}, {"dataset": dataset_id}
        ),
        "can_answer": tk.h.check_access(
            "territoire_reuse_moderate", {"dataset": dataset_id}
        ),
        "kinds": feedback.kind_labels(),
    }


@registry.helper
def territoire_personal_data_blocked(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The files of a dataset the personal-data guard blocks (``resources``:
    their ``id`` and ``name``), and whether it made the dataset private
    (``suspended``)."""
    resources = {r["id"]: r for r in pkg_dict.get("resources") or []}
    blocked = publication.blocking(resources)
    checks = latest_checks(list(blocked))
    return {
        "resources": [
            {"id": rid, "name": resources[rid].get("name") or rid} for rid in blocked
        ],
        "suspended": any(check.suspended for check in checks.values()),
    }


@registry.helper
def territoire_personal_data(resource_id: str) -> dict[str, Any]:
    """territoire_personal_data_show for the current user."""
    return tk.get_action("territoire_personal_data_show")(
        {"user": tk.current_user.name if tk.current_user else None},
        {"id": resource_id},
    )


@registry.helper
def territoire_validation(resource_id: str) -> dict[str, Any]:
    """territoire_validation_show for the current user."""
    return tk.get_action("territoire_validation_show")(
        {"user": tk.current_user.name if tk.current_user else None},
        {"id": resource_id},
    )


@registry.helper
def territoire_schema_badge(pkg_dict: dict[str, Any]) -> str | None:
    """``invalid`` when a file of the dataset does not conform to its national
    schema, else ``valid`` when one does, else None (nothing validated)."""
    ids = [str(r["id"]) for r in pkg_dict.get("resources") or [] if r.get("id")]
    statuses = {str(row.status) for row in validations(ids).values()}
    if "invalid" in statuses:
        return "invalid"
    return "valid" if "valid" in statuses else None
