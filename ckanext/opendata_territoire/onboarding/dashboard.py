"""The territory dashboard: for every member commune of an EPCI, its
readiness score, its public datasets and their average quality score, which
priority datasets it has, when it last updated one, and whether the law
obliges it to publish."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire.onboarding import checklist, starters
from ckanext.opendata_territoire.onboarding import model as answers
from ckanext.opendata_territoire.quality import measure

# Loi pour une République numérique (CRPA L.312-1-1, décret 2016-1922): the
# communes of more than 3,500 inhabitants with at least 50 agents.
OBLIGATION_POPULATION = 3500
OBLIGATION_AGENTS = 50

CSV_COLUMNS = (
    "title",
    "insee_code",
    "siren",
    "population",
    "agents_count",
    "obliged",
    "checklist_score",
    "public_datasets",
    "quality_score",
    "priority_datasets",
    "last_update",
)
# Their headers in the CSV file (French, as the page).
CSV_HEADERS = (
    "commune",
    "code_insee",
    "siren",
    "population",
    "agents",
    "obligee_de_publier",
    "score_demarche",
    "jeux_publics",
    "score_qualite",
    "jeux_prioritaires",
    "derniere_mise_a_jour",
)


def obliged(org: dict[str, Any]) -> bool | None:
    """True or False when population and agents are known, else None."""
    population, agents = org.get("population"), org.get("agents_count")
    if population is None or agents is None or "" in (population, agents):
        return None
    return int(population) > OBLIGATION_POPULATION and int(agents) >= OBLIGATION_AGENTS


def member_row(org: dict[str, Any]) -> dict[str, Any]:
    search = tk.get_action("package_search")(
        {"ignore_auth": True},
        {
            "fq": f'owner_org:"{org["id"]}"',
            "rows": 1000,
            "sort": "metadata_modified desc",
            "include_private": False,
        },
    )
    datasets = search["results"]
    schemas = {d.get("schema_name") for d in datasets}
    current = answers.current(org["id"])
    return {
        "name": org["name"],
        "title": org["title"],
        "insee_code": org.get("insee_code"),
        "siren": org.get("siren"),
        "population": org.get("population"),
        "agents_count": org.get("agents_count"),
        "agents_count_date": org.get("agents_count_date"),
        "agents_count_source": org.get("agents_count_source"),
        "obliged": obliged(org),
        "checklist_score": checklist.score(
            {q: str(row.answer) for q, row in current.items()}
        )["score"],
        "public_datasets": search["count"],
        "quality_score": measure.average_score(datasets),
        "priority_datasets": [
            s["id"] for s in starters.starters() if s["schema_name"] in schemas
        ],
        "last_update": max(
            (d.get("data_updated") or d["metadata_modified"][:10] for d in datasets),
            default=None,
        ),
    }


def dashboard(epci: dict[str, Any]) -> dict[str, Any]:
    organizations = tk.get_action("organization_list")(
        {"ignore_auth": True},
        {"all_fields": True, "include_extras": True, "limit": 1000},
    )
    members = sorted(
        (o for o in organizations if o.get("epci_siren") == epci.get("siren")),
        key=lambda o: o["title"],
    )
    rows = [member_row(org) for org in members]
    scored = [r for r in rows if r["quality_score"] is not None]
    return {
        "epci": epci["name"],
        "members": rows,
        "average_checklist_score": (
            round(sum(r["checklist_score"] for r in rows) / len(rows)) if rows else 0
        ),
        "public_datasets": sum(r["public_datasets"] for r in rows),
        # Each member weighs by its number of public datasets.
        "average_quality_score": (
            round(
                sum(r["quality_score"] * r["public_datasets"] for r in scored)
                / sum(r["public_datasets"] for r in scored)
            )
            if scored
            else None
        ),
    }
