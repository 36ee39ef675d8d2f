"""A buyer's contracts in the Open Contracting Data Standard (OCDS 1.1).

Each contract of the buyer's table is one contracting process (one ``ocid``:
the configured prefix, ``ckanext.territoire.ocds.ocid_prefix``, then the
contract's ``uid``, the buyer's SIRET followed by its id). Its first release
(tags ``award`` and ``contract``) is the contract as notified; each of its
DECP modifications, in date order, is a further release of the same ocid
(tag ``contractAmendment``, with ``awardUpdate`` when it changes the
titulaires) repeating the whole state the modifications lead to, with the
amendments so far. Merging the releases (ocdskit, ocdsmerge) gives the
contract's current state, as its row in the table shows it.

The mapping, field by field, is in the README, section "OCDS". Everything
here is built from the table's rows (the DECP record of column ``decp``, the
names the portal resolved), so the package is the same whenever the table
is: ``publishedDate`` is the latest date of the data, not the time of
writing, and a file written again from an unchanged table is identical.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire.decp import formats as f
from ckanext.opendata_territoire.decp.cleaning import Cleaned
from ckanext.opendata_territoire.decp.model import Contract, Holder, contract_from

log = logging.getLogger(__name__)

OCDS_VERSION = "1.1"
PREFIX_OPTION = "ckanext.territoire.ocds.ocid_prefix"
CURRENCY = "EUR"
LANGUAGE = "fr"
# org-id.guide has no list of SIRET numbers: its list for French companies
# and establishments (SIREN, SIRET) is FR-RCS, the former FR-INSEE list being
# deprecated in its favour. The identifier's id is the SIRET as published.
SIRET_SCHEME = "FR-RCS"
# tender.items[].deliveryLocation and deliveryAddress (the place of
# execution) come from the Location extension.
LOCATION_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_location_extension/v1.1.5/extension.json"
)
EXTENSIONS = [LOCATION_EXTENSION]
PARIS = ZoneInfo("Europe/Paris")

# DECP procedure -> OCDS procurementMethod (closed codelist: open,
# selective, limited, direct), as the OCDS guidance for the EU directives
# maps them (a negotiated procedure without prior call is ``limited``). The
# "procédure adaptée" (MAPA) may be open or not: it gets no method, only its
# procurementMethodDetails (the question is open in
# 139bercy/format-commande-publique issue 24).
PROCUREMENT_METHODS = {
    "Appel d'offres ouvert": "open",
    "Appel d'offres restreint": "selective",
    "Procédure avec négociation": "selective",
    "Dialogue compétitif": "selective",
    "Marché passé sans publicité ni mise en concurrence préalable": "limited",
    "Procédure négociée ouverte": "open",
    "Procédure non négociée ouverte": "open",
    "Procédure négociée restreinte": "selective",
    "Procédure non négociée restreinte": "selective",
}
CONCESSION_CATEGORIES = {
    "Concession de travaux": "works",
    "Concession de service": "services",
    "Concession de service public": "services",
    "Délégation de service public": "services",
}
_CPV = re.compile(r"^(\d{8})(?:-\d)?$")


class NoContracts(ValueError):
    """A package needs one release at least: the table holds no contract."""


def ocid_prefix() -> str:
    return str(tk.config.get(PREFIX_OPTION) or "ocds-xxxxxx").strip()


# Dates


def _datetime(date: dt.date | None) -> str | None:
    """A DECP date (a day, in France) as the OCDS date-time: its midnight in
    Paris."""
    if date is None:
        return None
    return dt.datetime.combine(date, dt.time(), PARIS).isoformat()


def _add_months(date: dt.date, months: int) -> dt.date:
    month = date.month - 1 + months
    year = date.year + month // 12
    month = month % 12 + 1
    day = min(date.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def _period(start: dt.date | None, months: int | None) -> dict[str, Any] | None:
    """The contract's period: its start (the notification, the start of
    execution of a concession) and the duration in months the DECP give, as
    an end date and a number of days; without a start, the days of the
    months at 30.4375 days each (365.25 / 12)."""
    if start is None and months is None:
        return None
    period: dict[str, Any] = {}
    if start is not None:
        period["startDate"] = _datetime(start)
    if months is not None and months >= 0:
        if start is not None:
            end = _add_months(start, months)
            period["endDate"] = _datetime(end)
            period["durationInDays"] = (end - start).days
        else:
            period["durationInDays"] = round(months * 365.25 / 12)
    return period


# Organizations


def _party_id(identifier: str, kind: str | None) -> str:
    if kind in (None, "SIRET"):
        return f"{SIRET_SCHEME}-{identifier}"
    return f"{kind}-{identifier}"


def _organization(
    identifier: str, kind: str | None, name: str | None, roles: list[str]
) -> dict[str, Any]:
    party: dict[str, Any] = {"id": _party_id(identifier, kind)}
    if name:
        party["name"] = name
    ident: dict[str, Any] = {"id": identifier}
    if kind in (None, "SIRET"):
        ident["scheme"] = SIRET_SCHEME
    if name:
        ident["legalName"] = name
    party["identifier"] = ident
    if kind not in (None, "SIRET"):
        # The DECP kind of identifier (TVA, TAHITI, RIDET, HORS-UE...): no
        # org-id.guide list matches them all.
        party["details"] = {"typeIdentifiant": kind}
    party["roles"] = roles
    return party


def _reference(party: dict[str, Any]) -> dict[str, Any]:
    reference = {"id": party["id"]}
    if party.get("name"):
        reference["name"] = party["name"]
    return reference


def _holder_names(row: dict[str, Any]) -> dict[str, str]:
    """The titulaires' names the portal resolved (register of local firms,
    source, SIRENE), by identifier."""
    ids = str(row.get("titulaires_id") or "").split("; ")
    names = str(row.get("titulaires_denominationSociale") or "").split("; ")
    if len(ids) != len(names):
        return {}
    return {i: n for i, n in zip(ids, names, strict=True) if i and n}


# Releases


def _contract_of(row: dict[str, Any]) -> Contract | None:
    record = row.get("decp")
    if not isinstance(record, dict):
        return None
    kind = f.CONCESSION if row.get("type") == "Contrat de concession" else f.MARCHE
    try:
        return contract_from(
            Cleaned(version=str(row.get("format")), kind=kind, record=record, issues=[])
        )
    except (KeyError, TypeError, ValueError):
        log.warning("OCDS: contract %s left out, its record is unreadable", row["uid"])
        return None


def _main_category(contract: Contract) -> str | None:
    """works, goods or services: a concession's from its nature, a marché's
    from its CPV division (45: works; 03 to 44 and 48: supplies; the others
    services, as the CPV regulation splits them)."""
    if contract.kind == f.CONCESSION:
        return CONCESSION_CATEGORIES.get(contract.nature or "")
    match = _CPV.match(contract.cpv or "")
    if not match:
        return None
    division = int(match[1][:2])
    if division == 45:
        return "works"
    if division <= 44 or division == 48:
        return "goods"
    return "services"


def _item(contract: Contract) -> dict[str, Any]:
    item: dict[str, Any] = {"id": "1"}
    if contract.objet:
        item["description"] = contract.objet
    match = _CPV.match(contract.cpv or "")
    if match:
        item["classification"] = {
            "scheme": "CPV",
            "id": match[1],
            "uri": f"http://purl.org/cpv/2008/code-{match[1]}",
        }
    elif contract.cpv:
        item["classification"] = {"scheme": "CPV", "id": contract.cpv}
    if contract.place_code:
        kind = contract.place_type or ""
        if kind == "Code postal":
            item["deliveryAddress"] = {
                "postalCode": contract.place_code,
                "countryName": "France",
            }
        elif kind == "Code pays":
            item["deliveryAddress"] = {"countryName": contract.place_code}
        else:
            # An INSEE code (commune, département, région...): no gazetteer
            # of the Location extension's codelist holds them.
            label = f"{kind} {contract.place_code}" if kind else contract.place_code
            item["deliveryLocation"] = {"description": label}
    return item


def _award(
    award_id: str,
    contract: Contract,
    amount: float | None,
    start: dt.date | None,
    months: int | None,
    suppliers: list[dict[str, Any]],
    date: dt.date | None = None,
) -> dict[str, Any]:
    """An award: the contract as notified to its titulaires (or, after a
    modification changing them, to the new ones)."""
    award: dict[str, Any] = {"id": award_id, "status": "active"}
    if contract.objet:
        award["title"] = contract.objet
    if date or contract.notification_date:
        award["date"] = _datetime(date or contract.notification_date)
    value = _value(amount)
    if value:
        award["value"] = value
    if suppliers:
        award["suppliers"] = [_reference(p) for p in suppliers]
    period = _period(start, months)
    if period:
        award["contractPeriod"] = period
    return award


def _value(amount: float | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    return {"amount": amount, "currency": CURRENCY}


def contract_releases(
    row: dict[str, Any], prefix: str, buyer_name: str | None = None
) -> list[dict[str, Any]]:
    """The releases of one contract (a row of the buyer's table): its
    initial state, then one per modification."""
    contract = _contract_of(row)
    if contract is None:
        return []
    ocid = f"{prefix}-{contract.uid}"
    names = _holder_names(row)
    buyer = _organization(
        contract.buyer_siret,
        "SIRET",
        contract.buyer_name or row.get("acheteur_nom") or buyer_name,
        ["buyer", "procuringEntity"],
    )

    def holders_parties(holders: list[Holder]) -> list[dict[str, Any]]:
        """Each titulaire once (a record may list one twice)."""
        parties: dict[str, dict[str, Any]] = {}
        for h in holders:
            party = _organization(
                h.id, h.type_identifiant, names.get(h.id) or h.name, ["supplier"]
            )
            parties.setdefault(party["id"], party)
        return list(parties.values())

    start = contract.execution_start or contract.notification_date
    tender: dict[str, Any] = {"id": contract.uid, "status": "complete"}
    if contract.objet:
        tender["title"] = contract.objet
    tender["procuringEntity"] = _reference(buyer)
    tender["items"] = [_item(contract)]
    if contract.procedure:
        method = PROCUREMENT_METHODS.get(contract.procedure)
        if method:
            tender["procurementMethod"] = method
        tender["procurementMethodDetails"] = contract.procedure
    category = _main_category(contract)
    if category:
        tender["mainProcurementCategory"] = category
    offers = contract.record.get("offresRecues")
    if isinstance(offers, int) and not isinstance(offers, bool):
        tender["numberOfTenderers"] = offers

    initial_date = (
        contract.publication_date
        or contract.notification_date
        or contract.execution_start
        or _first_modification_date(contract)
    )
    releases: list[dict[str, Any]] = []
    amount, months, holders = (
        contract.initial_montant,
        contract.initial_duree_mois,
        list(contract.initial_holders),
    )
    amendments: list[dict[str, Any]] = []
    date = initial_date
    awards = [
        _award(
            contract.id,
            contract,
            contract.initial_montant,
            start,
            months,
            holders_parties(holders),
        )
    ]
    award_parties = {awards[0]["id"]: holders_parties(holders)}
    for number in range(len(contract.modifications) + 1):
        release_id = f"{ocid}-{number:02d}"
        tags = ["award", "contract"]
        if number:
            modification = contract.modifications[number - 1]
            if modification.montant is not None:
                amount = modification.montant
            if modification.duree_mois is not None:
                months = modification.duree_mois
            # Never before the release it amends (a dirty record may date a
            # modification before the notification): merging orders the
            # releases by date.
            published = modification.publication_date or modification.date
            if published and (date is None or published > date):
                date = published
            tags = ["contractAmendment"]
            if modification.holders:
                # New titulaires: a new award, to which the contract now
                # refers (merging releases never takes a supplier out of an
                # award, so the first award keeps the first titulaires).
                holders = list(modification.holders)
                award = _award(
                    f"{contract.id}-{number}",
                    contract,
                    amount,
                    start,
                    months,
                    holders_parties(holders),
                    modification.date,
                )
                awards = [*awards, award]
                award_parties[award["id"]] = holders_parties(holders)
                tags = ["awardUpdate", "contractAmendment"]
            amendment: dict[str, Any] = {
                "id": str(modification.id if modification.id is not None else number)
            }
            if modification.date or modification.publication_date:
                amendment["date"] = _datetime(
                    modification.date or modification.publication_date
                )
            if modification.objet:
                amendment["description"] = modification.objet
            amendment["amendsReleaseID"] = releases[-1]["id"]
            amendment["releaseID"] = release_id
            amendments = [*amendments, amendment]
        ocds_contract: dict[str, Any] = {"id": contract.id, "awardID": awards[-1]["id"]}
        if contract.objet:
            ocds_contract["title"] = contract.objet
        if contract.nature:
            ocds_contract["description"] = contract.nature
        period = _period(start, months)
        if period:
            ocds_contract["period"] = period
        current_value = _value(amount)
        if current_value:
            ocds_contract["value"] = current_value
        if contract.notification_date:
            ocds_contract["dateSigned"] = _datetime(contract.notification_date)
        if amendments:
            ocds_contract["amendments"] = amendments
        suppliers = [p for a in awards for p in award_parties[a["id"]]]
        release: dict[str, Any] = {
            "ocid": ocid,
            "id": release_id,
            "date": _datetime(date),
            "tag": tags,
            "initiationType": "tender",
            "language": LANGUAGE,
            "parties": _parties(buyer, suppliers),
            "buyer": _reference(buyer),
            "tender": tender,
            "awards": awards,
            "contracts": [ocds_contract],
        }
        if release["date"] is None:
            del release["date"]  # filled in by release_package
        releases.append(release)
    return releases


def _parties(
    buyer: dict[str, Any], suppliers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The buyer and the suppliers, each once: a buyer that is its own
    titulaire (a contract between two services of one body) has both
    roles."""
    parties: dict[str, dict[str, Any]] = {buyer["id"]: buyer}
    for supplier in suppliers:
        if supplier["id"] == buyer["id"]:
            parties[buyer["id"]] = {**buyer, "roles": [*buyer["roles"], "supplier"]}
        else:
            parties.setdefault(supplier["id"], supplier)
    return list(parties.values())


def _first_modification_date(contract: Contract) -> dt.date | None:
    dates = [m.publication_date or m.date for m in contract.modifications]
    known = [d for d in dates if d]
    return min(known) if known else None


def releases_of(
    rows: Iterable[dict[str, Any]], prefix: str, buyer_name: str | None = None
) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield from contract_releases(row, prefix, buyer_name)


def release_package(
    rows: Iterable[dict[str, Any]],
    *,
    uri: str,
    publisher: dict[str, Any],
    license_url: str | None = None,
    prefix: str | None = None,
) -> dict[str, Any]:
    """The release package of a buyer's contracts (rows of its table)."""
    releases = list(releases_of(rows, prefix or ocid_prefix(), publisher.get("name")))
    if not releases:
        raise NoContracts(uri)
    dates = [r["date"] for r in releases if "date" in r]
    # The date of the latest change of the data (the release schema asks
    # it of a package made on demand); a contract with no date at all takes
    # it too (a release must have one).
    published = max(dates, key=dt.datetime.fromisoformat) if dates else None
    if published is None:
        published = _datetime(dt.date.today())
    for release in releases:
        release.setdefault("date", published)
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": EXTENSIONS,
        "publishedDate": published,
        "publisher": publisher,
    }
    if license_url:
        package["license"] = license_url
    package["releases"] = releases
    return package


def dataset_package(dataset: dict[str, Any], rows: list[dict[str, Any]]) -> dict:
    """The release package of a procurement dataset, from its table's rows:
    the dataset's organization is the publisher, its licence the package's,
    and its URI the action that returns it."""
    site = str(tk.config.get("ckan.site_url") or "").rstrip("/")
    organization = dataset.get("organization") or {}
    publisher: dict[str, Any] = {
        "name": organization.get("title") or dataset.get("title") or dataset["name"]
    }
    siren = dataset.get("decp_buyer_siren")
    if siren:
        publisher["scheme"] = SIRET_SCHEME
        publisher["uid"] = str(siren)
    if organization.get("name") and site:
        publisher["uri"] = f"{site}/organization/{organization['name']}"
    return release_package(
        rows,
        uri=f"{site}/api/3/action/territoire_contracts_ocds?id={dataset['name']}",
        publisher=publisher,
        license_url=dataset.get("license_url") or None,
    )


def write_package(package: dict[str, Any], out: TextIO) -> None:
    """The package as JSON, one release a line."""
    head = {k: v for k, v in package.items() if k != "releases"}
    text = json.dumps(head, ensure_ascii=False)
    out.write(text[:-1] + ', "releases": [')
    for number, release in enumerate(package["releases"]):
        out.write(("," if number else "") + "\n")
        out.write(json.dumps(release, ensure_ascii=False))
    out.write("\n]}\n")
