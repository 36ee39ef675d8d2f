"""A small forecast for the demo portal: planned purchases of the EPCI and
of its first three member communes (by title), several of them works (CPV
division 45), in the coming quarters, published.

Idempotent: an organization that already has a forecast keeps it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire.future import entries, renewals
from ckanext.opendata_territoire.future.model import ForecastEntry
from ckanext.opendata_territoire.territory import roles

SERVICE = "Service de la commande publique"
MAIL = "marches@{name}.example"
PHONE = "04 76 95 10 {number:02d}"


@dataclass(frozen=True)
class DemoEntry:
    owner: int  # 0: the EPCI; 1, 2, 3: its first member communes
    object: str
    cpv_division: str
    amount_band: str
    quarters_ahead: int  # from the current quarter
    procedure: str
    notes: str = ""


ENTRIES = (
    DemoEntry(
        0,
        "Réfection de la voirie de la zone d'activités intercommunale",
        "45",
        "large",
        1,
        "Appel d'offres ouvert",
        "Deux lots : chaussée, signalisation.",
    ),
    DemoEntry(
        0,
        "Collecte et transport des ordures ménagères",
        "90",
        "very_large",
        3,
        "Appel d'offres ouvert",
    ),
    DemoEntry(
        0,
        "Entretien des sentiers de randonnée et des pistes nordiques",
        "77",
        "medium",
        2,
        "Procédure adaptée",
        "Allotissement par massif : les petites entreprises peuvent répondre.",
    ),
    DemoEntry(
        1,
        "Rénovation énergétique de l'école maternelle",
        "45",
        "medium",
        1,
        "Procédure adaptée",
        "Lots menuiseries, isolation, chauffage ; visite du site prévue.",
    ),
    DemoEntry(
        1,
        "Fourniture de repas pour la cantine scolaire",
        "15",
        "medium",
        2,
        "Procédure adaptée",
    ),
    DemoEntry(
        2,
        "Réfection de la toiture de l'église",
        "45",
        "small",
        1,
        "Marché passé sans publicité ni mise en concurrence préalable",
    ),
    DemoEntry(
        2,
        "Aménagement d'un parking au départ des pistes",
        "45",
        "large",
        4,
        "Procédure adaptée",
    ),
    DemoEntry(
        3,
        "Maintenance de l'éclairage public",
        "50",
        "small",
        3,
        "Procédure adaptée",
    ),
)


class DemoError(Exception):
    pass


def _owners(epci_siren: str) -> list[model.Group]:
    epci = roles.organization_by_siren(epci_siren)
    if epci is None:
        raise DemoError(
            tk._(
                "No EPCI {siren} in the catalogue: run ckan territoire init "
                "--epci {siren} first."
            ).format(siren=epci_siren)
        )
    members = (
        model.Session.query(model.Group)
        .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
        .filter(model.Group.is_organization.is_(True))
        .filter(model.Group.state == "active")
        .filter(model.GroupExtra.key == "epci_siren")
        .filter(model.GroupExtra.value == epci_siren)
        .order_by(model.Group.title)
        .limit(3)
        .all()
    )
    return [epci, *members]


def _quarter(today: dt.date, ahead: int) -> tuple[int, int]:
    day = renewals.add_months(dt.date(today.year, today.month, 1), 3 * ahead)
    return day.year, (day.month - 1) // 3 + 1


def seed(epci_siren: str, today: dt.date | None = None) -> int:
    """Writes the demo forecast; returns the entries added."""
    today = today or dt.date.today()
    owners = _owners(epci_siren)
    added = 0
    for index, owner in enumerate(owners):
        has_forecast = (
            model.Session.query(ForecastEntry.id)
            .filter(ForecastEntry.organization_id == owner.id)
            .first()
        )
        if has_forecast:
            continue
        planned = []
        for number, spec in enumerate(ENTRIES):
            if spec.owner != index:
                continue
            year, quarter = _quarter(today, spec.quarters_ahead)
            planned.append(
                {
                    "object": spec.object,
                    "cpv_division": spec.cpv_division,
                    "amount_band": spec.amount_band,
                    "year": year,
                    "quarter": quarter,
                    "procedure": spec.procedure,
                    "contact_name": SERVICE,
                    "contact_email": MAIL.format(name=owner.name),
                    "contact_phone": PHONE.format(number=number),
                    "notes": spec.notes,
                }
            )
        if planned:
            added += entries.add_all(owner, planned)
    return added
