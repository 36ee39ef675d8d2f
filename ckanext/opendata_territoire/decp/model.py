"""One contract model for both formats, marchés and concessions alike.

A :class:`Contract` keeps the cleaned DECP record (``record``, in the layout
of its format, for the DECP JSON export) and the values read from it: the
initial values, the modifications in date order and the current state they
lead to (duration, amount, titulaires). :meth:`Contract.row` flattens it into
one row per contract (DataStore, CSV).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ckanext.opendata_territoire.decp import formats as f
from ckanext.opendata_territoire.decp.formats import parse_date
from ckanext.opendata_territoire.i18n_markers import N_


@dataclass(frozen=True)
class Issue:
    """One thing a rule did to a contract."""

    rule: str
    field: str
    before: Any
    after: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "field": self.field,
            "before": _jsonable(self.before),
            "after": _jsonable(self.after),
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


@dataclass
class Cleaned:
    version: str
    kind: str
    record: dict[str, Any]
    issues: list[Issue]


@dataclass(frozen=True)
class Holder:
    """A titulaire (marché) or concessionnaire (concession)."""

    id: str
    type_identifiant: str | None = None
    name: str | None = None  # denominationSociale (2019), SIRENE's (tabular)
    # What the tabular consolidation joined from SIRENE: the size category
    # (PME, ETI, GE), the commune's INSEE code, the distance to the buyer.
    category: str | None = None
    commune: str | None = None
    distance_km: float | None = None


@dataclass
class Modification:
    """One modification, as published: only the values it changes are set."""

    number: int  # rank in date order, from 1
    id: int | None
    date: dt.date | None  # notified (marché) or signed (concession)
    publication_date: dt.date | None
    objet: str | None = None
    duree_mois: int | None = None
    montant: float | None = None
    holders: list[Holder] | None = None


@dataclass
class Contract:
    version: str
    kind: str
    id: str
    buyer_siret: str
    record: dict[str, Any]
    buyer_name: str | None = None
    nature: str | None = None
    objet: str | None = None
    cpv: str | None = None
    procedure: str | None = None
    place_code: str | None = None
    place_type: str | None = None
    notification_date: dt.date | None = None  # signature for a concession
    publication_date: dt.date | None = None
    execution_start: dt.date | None = None  # concessions
    initial_duree_mois: int | None = None
    initial_montant: float | None = None
    initial_holders: list[Holder] = field(default_factory=list)
    modifications: list[Modification] = field(default_factory=list)
    # The current state, once the modifications are applied in date order.
    duree_mois: int | None = None
    montant: float | None = None
    holders: list[Holder] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def uid(self) -> str:
        """The buyer's SIRET followed by the contract's id: unique across
        buyers (the id alone is only unique within one buyer)."""
        return self.buyer_siret + self.id

    @property
    def buyer_siren(self) -> str:
        return self.buyer_siret[:9]

    @property
    def last_modified(self) -> dt.date | None:
        dates = [m.date or m.publication_date for m in self.modifications]
        known = [d for d in dates if d is not None]
        return max(known) if known else None

    def dedup_key(self) -> bytes:
        """uid, titulaires and notification date: two records with the same
        key are the same contract published twice."""
        holders = ",".join(sorted(h.id for h in self.initial_holders))
        date = self.notification_date.isoformat() if self.notification_date else ""
        text = f"{self.uid}\x1f{holders}\x1f{date}"
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()

    def row(self) -> dict[str, Any]:
        """The contract as one flat row (see :data:`COLUMNS`), with the
        ``empreinte`` (hash) of its content."""
        value = self.record.get
        row: dict[str, Any] = {
            "uid": self.uid,
            "id": self.id,
            "type": TYPE_LABELS[self.kind],
            "format": self.version,
            "acheteur_id": self.buyer_siret,
            "acheteur_siren": self.buyer_siren,
            "acheteur_nom": self.buyer_name,
            "nature": self.nature,
            "objet": self.objet,
            "codeCPV": self.cpv,
            "procedure": self.procedure,
            "lieuExecution_code": self.place_code,
            "lieuExecution_typeCode": self.place_type,
            "dateNotification": _iso(self.notification_date),
            "datePublicationDonnees": _iso(self.publication_date),
            "dateDebutExecution": _iso(self.execution_start),
            "dureeMois": self.duree_mois,
            "dureeMoisInitiale": self.initial_duree_mois,
            "montant": self.montant,
            "montantInitial": self.initial_montant,
            "montantSubventionPublique": value("montantSubventionPublique"),
            "formePrix": value("formePrix"),
            "titulaires_id": _joined(h.id for h in self.holders),
            "titulaires_typeIdentifiant": _joined(
                h.type_identifiant or "" for h in self.holders
            ),
            "titulaires_denominationSociale": _joined(
                h.name or "" for h in self.holders
            ),
            "titulaires_categorie": _joined(h.category or "" for h in self.holders),
            "titulaires_commune": _joined(h.commune or "" for h in self.holders),
            "titulaires_distance_km": _joined(
                "" if h.distance_km is None else f"{h.distance_km:g}"
                for h in self.holders
            ),
            "titulaires_nombre": len(self.holders),
            "modifications_nombre": len(self.modifications),
            "dateDerniereModification": _iso(self.last_modified),
            "idAccordCadre": value("idAccordCadre"),
            "ccag": value("ccag"),
            "offresRecues": value("offresRecues"),
            "marcheInnovant": value("marcheInnovant"),
            "attributionAvance": value("attributionAvance"),
            "tauxAvance": value("tauxAvance"),
            "typeGroupementOperateurs": value("typeGroupementOperateurs"),
            "sousTraitanceDeclaree": value("sousTraitanceDeclaree"),
            "origineUE": value("origineUE"),
            "origineFrance": value("origineFrance"),
            "techniques": _values(self.record, "techniques"),
            "modalitesExecution": _values(self.record, "modalitesExecution"),
            "typesPrix": _values(self.record, "typesPrix"),
            "considerationsSociales": _values(self.record, "considerationsSociales"),
            "considerationsEnvironnementales": _values(
                self.record, "considerationsEnvironnementales"
            ),
            **_subcontracting(self.record),
            "anomalies": _joined(sorted({i.rule for i in self.issues})),
            "decp": self.record,
        }
        row["empreinte"] = row_hash(row)
        return row


TYPE_LABELS = {f.MARCHE: "Marché", f.CONCESSION: "Contrat de concession"}

# The flat row: (column, DataStore type, what it holds). The DataStore's
# primary key is ``uid``.
COLUMNS: list[tuple[str, str, str]] = [
    ("uid", "text", N_("SIRET of the buyer followed by the contract id")),
    ("id", "text", N_("contract id given by the buyer")),
    ("type", "text", N_("Marché or Contrat de concession")),
    ("format", "text", N_("DECP format of the source record: 2019 or 2022")),
    ("acheteur_id", "text", N_("buyer's SIRET (autorité concédante of a concession)")),
    ("acheteur_siren", "text", N_("buyer's SIREN")),
    (
        "acheteur_nom",
        "text",
        N_("buyer's name: the source's, else its organization's in the catalogue"),
    ),
    ("nature", "text", N_("nature of the contract")),
    ("objet", "text", N_("object of the contract")),
    ("codeCPV", "text", N_("CPV code")),
    ("procedure", "text", N_("award procedure")),
    ("lieuExecution_code", "text", N_("place of execution: code")),
    ("lieuExecution_typeCode", "text", N_("place of execution: kind of code")),
    ("dateNotification", "date", N_("notification date (signature of a concession)")),
    ("datePublicationDonnees", "date", N_("publication date of the data")),
    ("dateDebutExecution", "date", N_("start of execution (concessions)")),
    ("dureeMois", "int", N_("current duration in months, modifications applied")),
    ("dureeMoisInitiale", "int", N_("initial duration in months")),
    (
        "montant",
        "numeric",
        N_("current amount (global value of a concession), in euros"),
    ),
    ("montantInitial", "numeric", N_("initial amount, in euros")),
    ("montantSubventionPublique", "numeric", N_("public subsidy of a concession")),
    ("formePrix", "text", N_("price form")),
    ("titulaires_id", "text", N_("current titulaires' identifiers, separated by ; ")),
    ("titulaires_typeIdentifiant", "text", N_("their identifier types")),
    (
        "titulaires_denominationSociale",
        "text",
        N_(
            "their names, separated by ; (the source's, else the EPCI's register "
            "of local firms, else SIRENE; empty where none knows the firm)"
        ),
    ),
    (
        "titulaires_categorie",
        "text",
        N_(
            "their size categories (PME, ETI, GE), separated by ; , as the source "
            "gives them (the tabular consolidation joins SIRENE)"
        ),
    ),
    (
        "titulaires_commune",
        "text",
        N_("INSEE codes of their communes, separated by ; , as the source gives them"),
    ),
    (
        "titulaires_distance_km",
        "text",
        N_(
            "their distances to the buyer in km, separated by ; , as the source "
            "gives them"
        ),
    ),
    ("titulaires_nombre", "int", N_("number of current titulaires")),
    ("modifications_nombre", "int", N_("number of modifications")),
    ("dateDerniereModification", "date", N_("date of the latest modification")),
    ("idAccordCadre", "text", N_("framework agreement id")),
    ("ccag", "text", N_("general administrative conditions of reference")),
    ("offresRecues", "int", N_("number of offers received")),
    ("marcheInnovant", "bool", N_("innovative contract")),
    ("attributionAvance", "bool", N_("advance payment granted")),
    ("tauxAvance", "numeric", N_("advance payment rate")),
    ("typeGroupementOperateurs", "text", N_("kind of group of economic operators")),
    ("sousTraitanceDeclaree", "bool", N_("subcontracting declared")),
    ("origineUE", "numeric", N_("share of EU origin")),
    ("origineFrance", "numeric", N_("share of French origin")),
    ("techniques", "text", N_("purchasing techniques, separated by ; ")),
    ("modalitesExecution", "text", N_("execution terms, separated by ; ")),
    ("typesPrix", "text", N_("price types, separated by ; ")),
    ("considerationsSociales", "text", N_("social considerations, separated by ; ")),
    (
        "considerationsEnvironnementales",
        "text",
        N_("environmental considerations, separated by ; "),
    ),
    (
        "actesSousTraitance_nombre",
        "int",
        N_("number of special subcontracting acts (DECP 2.0.4)"),
    ),
    (
        "actesSousTraitance_montant",
        "numeric",
        N_("total amount of the subcontracting acts, in euros"),
    ),
    (
        "sousTraitants_id",
        "text",
        N_("the subcontractors' identifiers, separated by ; "),
    ),
    ("anomalies", "text", N_("cleaning rules applied to the record, separated by ; ")),
    ("decp", "json", N_("the cleaned DECP record")),
    ("empreinte", "text", N_("hash of the row, to skip unchanged contracts")),
]
# Their labels in the data dictionary (tables' headers, previews).
LABELS: dict[str, str] = {
    "uid": N_("Unique id"),
    "id": N_("Contract id"),
    "type": N_("Type"),
    "format": N_("DECP format"),
    "acheteur_id": N_("Buyer's SIRET"),
    "acheteur_siren": N_("Buyer's SIREN"),
    "acheteur_nom": N_("Buyer"),
    "nature": N_("Nature"),
    "objet": N_("Object"),
    "codeCPV": N_("CPV code"),
    "procedure": N_("Procedure"),
    "lieuExecution_code": N_("Place of execution"),
    "lieuExecution_typeCode": N_("Kind of place code"),
    "dateNotification": N_("Notification date"),
    "datePublicationDonnees": N_("Publication date"),
    "dateDebutExecution": N_("Start of execution"),
    "dureeMois": N_("Duration (months)"),
    "dureeMoisInitiale": N_("Initial duration (months)"),
    "montant": N_("Amount (€)"),
    "montantInitial": N_("Initial amount (€)"),
    "montantSubventionPublique": N_("Public subsidy (€)"),
    "formePrix": N_("Price form"),
    "titulaires_id": N_("Titulaires' identifiers"),
    "titulaires_typeIdentifiant": N_("Kinds of identifier"),
    "titulaires_denominationSociale": N_("Titulaires"),
    "titulaires_categorie": N_("Titulaires' categories"),
    "titulaires_commune": N_("Titulaires' communes"),
    "titulaires_distance_km": N_("Distance to the buyer (km)"),
    "titulaires_nombre": N_("Number of titulaires"),
    "modifications_nombre": N_("Number of modifications"),
    "dateDerniereModification": N_("Latest modification"),
    "idAccordCadre": N_("Framework agreement"),
    "ccag": N_("CCAG"),
    "offresRecues": N_("Offers received"),
    "marcheInnovant": N_("Innovative"),
    "attributionAvance": N_("Advance payment"),
    "tauxAvance": N_("Advance rate"),
    "typeGroupementOperateurs": N_("Group of operators"),
    "sousTraitanceDeclaree": N_("Subcontracting declared"),
    "origineUE": N_("EU origin"),
    "origineFrance": N_("French origin"),
    "techniques": N_("Techniques"),
    "modalitesExecution": N_("Execution terms"),
    "typesPrix": N_("Price types"),
    "considerationsSociales": N_("Social considerations"),
    "considerationsEnvironnementales": N_("Environmental considerations"),
    "actesSousTraitance_nombre": N_("Subcontracting acts"),
    "actesSousTraitance_montant": N_("Subcontracted amount (€)"),
    "sousTraitants_id": N_("Subcontractors"),
    "anomalies": N_("Anomalies"),
    "decp": N_("DECP record"),
    "empreinte": N_("Fingerprint"),
}
COLUMN_NAMES = [name for name, _type, _info in COLUMNS]
# The CSV leaves out the JSON record and the hash.
CSV_COLUMNS = [name for name in COLUMN_NAMES if name not in ("decp", "empreinte")]


def row_hash(row: dict[str, Any]) -> str:
    content = {k: v for k, v in row.items() if k != "empreinte"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


def _joined(values: Any) -> str | None:
    items = [str(v) for v in values]
    return "; ".join(items) if any(items) else None


def _subcontracting(record: dict[str, Any]) -> dict[str, Any]:
    """The special subcontracting acts of a 2.0.4 marché, summed up: how
    many, their total amount (None when none gives one), the
    subcontractors."""
    acts: list[dict[str, Any]] = []
    for item in record.get("actesSousTraitance") or []:
        act = item.get("acteSousTraitance") if isinstance(item, dict) else None
        if isinstance(act, dict):
            acts.append(act)
    amounts = [
        act["montant"]
        for act in acts
        if isinstance(act.get("montant"), int | float)
        and not isinstance(act.get("montant"), bool)
    ]
    holders = []
    for act in acts:
        holder = act.get("sousTraitant")
        if isinstance(holder, dict) and holder.get("id"):
            holders.append(holder["id"])
    return {
        "actesSousTraitance_nombre": len(acts) or None,
        "actesSousTraitance_montant": sum(amounts) if amounts else None,
        "sousTraitants_id": _joined(holders) if holders else None,
    }


def _values(record: dict[str, Any], key: str) -> str | None:
    holder = record.get(key)
    if not isinstance(holder, dict):
        return None
    item = f.VALUE_LISTS_2022[key]
    values = holder.get(item)
    return _joined(values) if isinstance(values, list) else None


def contract_from(cleaned: Cleaned) -> Contract:
    """The contract a cleaned record describes."""
    record, kind, version = cleaned.record, cleaned.kind, cleaned.version
    buyer = record[f.BUYER_KEY[kind]]
    place = record.get("lieuExecution")
    place = place if isinstance(place, dict) else {}
    holders = _holders(record, kind, version)
    contract = Contract(
        version=version,
        kind=kind,
        id=record["id"],
        buyer_siret=buyer["id"],
        buyer_name=_str(buyer.get("nom")),
        record=record,
        nature=_str(record.get("nature")),
        objet=_str(record.get("objet")),
        cpv=_str(record.get("codeCPV")),
        procedure=_str(record.get("procedure")),
        place_code=_str(place.get("code")),
        place_type=_str(place.get("typeCode")),
        notification_date=parse_date(record.get(f.START_DATE_KEY[kind])),
        publication_date=parse_date(record.get("datePublicationDonnees")),
        execution_start=parse_date(record.get("dateDebutExecution")),
        initial_duree_mois=_int(record.get("dureeMois")),
        initial_montant=_number(record.get(f.AMOUNT_KEY[kind])),
        initial_holders=holders,
        issues=cleaned.issues,
    )
    contract.modifications = _modifications(record, kind, version)
    _apply_modifications(contract)
    return contract


def _apply_modifications(contract: Contract) -> None:
    """The current state: each modification, in date order, replaces the
    duration, the amount or the titulaires it gives."""
    duree, montant, holders = (
        contract.initial_duree_mois,
        contract.initial_montant,
        list(contract.initial_holders),
    )
    for modification in contract.modifications:
        if modification.duree_mois is not None:
            duree = modification.duree_mois
        if modification.montant is not None:
            montant = modification.montant
        if modification.holders:
            holders = list(modification.holders)
    contract.duree_mois, contract.montant, contract.holders = duree, montant, holders


def _modifications(
    record: dict[str, Any], kind: str, version: str
) -> list[Modification]:
    items = record.get("modifications")
    if not isinstance(items, list):
        return []
    found = []
    for position, item in enumerate(items):
        if version == f.V2022 and isinstance(item, dict) and "modification" in item:
            item = item["modification"]
        if not isinstance(item, dict):
            continue
        found.append(
            (
                position,
                Modification(
                    number=0,
                    id=_int(item.get("id")),
                    date=parse_date(item.get(f.MODIFICATION_DATE_KEY[kind])),
                    publication_date=parse_date(
                        item.get("datePublicationDonneesModification")
                    ),
                    objet=_str(item.get("objetModification")),
                    duree_mois=_int(item.get("dureeMois")),
                    montant=_number(item.get(f.AMOUNT_KEY[kind])),
                    holders=_holders(item, f.MARCHE, version)
                    if "titulaires" in item
                    else None,
                ),
            )
        )

    def order(entry: tuple[int, Modification]) -> tuple[Any, ...]:
        position, m = entry
        date = m.date or m.publication_date or dt.date.max
        return (date, m.id if m.id is not None else position, position)

    ordered = [m for _p, m in sorted(found, key=order)]
    for number, modification in enumerate(ordered, start=1):
        modification.number = number
    return ordered


def _holders(node: dict[str, Any], kind: str, version: str) -> list[Holder]:
    items = node.get(f.HOLDERS_KEY[kind])
    if not isinstance(items, list):
        return []
    item_key = f.HOLDER_ITEM[kind]
    holders = []
    for item in items:
        if version == f.V2022 and isinstance(item, dict) and item_key in item:
            item = item[item_key]
        if isinstance(item, dict) and item.get("id") is not None:
            holders.append(
                Holder(
                    id=str(item["id"]),
                    type_identifiant=_str(item.get("typeIdentifiant")),
                    name=_str(item.get("denominationSociale")),
                )
            )
    return holders


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == int(value):
        return int(value)
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value
