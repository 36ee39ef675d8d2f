"""Supplier locality: the EPCI's register of local firms (a CSV dataset of
the catalogue, which wins) and the SIRENE search service (cached in
``territoire_supplier``), copied onto the awards.

The register is the dataset named by ``ckanext.territoire.suppliers_register``
(an uploaded CSV, comma or semicolon separated, UTF-8) with the columns
``siret``, ``denomination``, ``code_commune`` (INSEE code) and ``categorie``
(TPE, PME, ETI or GE; TPE and micro count as PME, as in SIRENE).

A refresh asks the service only the SIRETs of the awards that the register
does not hold and whose answer is missing, failed or older than
``ckanext.territoire.sirene_max_age_days``; each answer is saved at once, so
an interrupted refresh resumes where it stopped. A SIRET the service does
not know, or an identifier that is no SIRET, stays of unknown locality.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import uploader

from ckanext.opendata_territoire.observatory.model import (
    ERROR,
    FOUND,
    Award,
    RegisterFirm,
    Supplier,
    now,
)
from ckanext.opendata_territoire.observatory.sirene import Answer, Client

REGISTER_COLUMNS = ("siret", "denomination", "code_commune", "categorie")
SMALL = {"TPE": "PME", "MICRO": "PME", "PME": "PME", "ETI": "ETI", "GE": "GE"}


class RegisterError(Exception):
    """The register dataset cannot be read."""


def category(value: Any) -> str | None:
    return SMALL.get(str(value or "").strip().upper())


def is_siret(value: str) -> bool:
    return len(value) == 14 and value.isdigit()


# The register


def register_dataset() -> dict[str, Any] | None:
    name = tk.config.get("ckanext.territoire.suppliers_register")
    if not name:
        return None
    try:
        return dict(tk.get_action("package_show")({"ignore_auth": True}, {"id": name}))
    except tk.ObjectNotFound:
        return None


def _register_text(dataset: dict[str, Any]) -> str:
    for resource in dataset.get("resources", []):
        if resource.get("url_type") != "upload":
            continue
        if str(resource.get("format") or "").upper() not in ("CSV", ""):
            continue
        path = uploader.get_resource_uploader(resource).get_path(resource["id"])
        try:
            with open(path, "rb") as stream:
                return stream.read().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise RegisterError(str(error)) from error
    raise RegisterError(
        tk._("The dataset {name} has no uploaded CSV file.").format(
            name=dataset["name"]
        )
    )


def read_register(text: str) -> list[dict[str, Any]]:
    """The firms of the register's CSV text (rows without a SIRET skipped)."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = reader.fieldnames or []
    missing = [c for c in ("siret", "code_commune") if c not in columns]
    if missing:
        raise RegisterError(
            tk._("The register lacks the columns: {columns}.").format(
                columns=", ".join(missing)
            )
        )
    firms: dict[str, dict[str, Any]] = {}
    for row in reader:
        siret = "".join(ch for ch in str(row.get("siret") or "") if ch.isdigit())
        if not is_siret(siret):
            continue
        firms[siret] = {
            "siret": siret,
            "name": (row.get("denomination") or "").strip() or None,
            "commune": (row.get("code_commune") or "").strip() or None,
            "category": category(row.get("categorie")),
        }
    return list(firms.values())


def load_register() -> int | None:
    """Replaces the register table with the register dataset's firms;
    None when there is no register dataset (the table is then emptied)."""
    dataset = register_dataset()
    firms = read_register(_register_text(dataset)) if dataset else []
    session = model.Session
    session.query(RegisterFirm).delete(synchronize_session=False)
    if firms:
        session.bulk_insert_mappings(RegisterFirm, firms)
    session.commit()
    return len(firms) if dataset else None


def names(sirets: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The firms' names we know, by SIRET: the register's, and the SIRENE
    service's saved answers."""
    if not sirets:
        return {}, {}
    register = {
        siret: name
        for siret, name in model.Session.query(
            RegisterFirm.siret, RegisterFirm.name
        ).filter(RegisterFirm.siret.in_(sirets))
        if name
    }
    sirene = {
        siret: name
        for siret, name in model.Session.query(Supplier.siret, Supplier.name)
        .filter(Supplier.siret.in_(sirets))
        .filter(Supplier.status == FOUND)
        if name
    }
    return register, sirene


# The service


def to_ask(max_age_days: int | None = None) -> list[str]:
    """The SIRETs of the awards to ask the service, in order."""
    if max_age_days is None:
        max_age_days = tk.config.get("ckanext.territoire.sirene_max_age_days")
    limit = now() - dt.timedelta(days=int(max_age_days))
    session = model.Session
    # A titulaire the source already places (commune and category) is not
    # asked: the source's answer comes before SIRENE's.
    sirets = {
        s
        for (s,) in session.query(Award.siret)
        .filter(sa.or_(Award.source_commune.is_(None), Award.source_category.is_(None)))
        .distinct()
        if is_siret(s or "")
    }
    registered = {s for (s,) in session.query(RegisterFirm.siret)}
    fresh = {
        s
        for (s,) in session.query(Supplier.siret)
        .filter(Supplier.status != ERROR)
        .filter(Supplier.checked >= limit)
    }
    return sorted(sirets - registered - fresh)


def save(answer: Answer) -> None:
    supplier = model.Session.get(Supplier, answer.siret)
    if supplier is None:
        supplier = Supplier(siret=answer.siret)
        model.Session.add(supplier)
    elif answer.status == ERROR and supplier.status == FOUND:
        # A failed request does not erase a known answer; asked again later.
        supplier.checked = dt.datetime(2000, 1, 1)
        model.Session.commit()
        return
    supplier.status = answer.status
    supplier.name = answer.name
    supplier.commune = answer.commune
    supplier.commune_name = answer.commune_name
    supplier.category = category(answer.category)
    supplier.checked = now()
    model.Session.commit()


@dataclass
class Refresh:
    register: int | None = None  # firms in the register, None: no register
    asked: int = 0
    found: int = 0
    not_found: int = 0
    errors: int = 0
    remaining: int = 0  # not asked (limit reached)
    error_sirets: list[str] = field(default_factory=list)


def refresh(
    client: Client | None = None,
    max_age_days: int | None = None,
    limit: int | None = None,
    progress: Callable[[int, int, Answer], None] | None = None,
    ask_service: bool = True,
) -> Refresh:
    """Loads the register, asks the service what it must (unless
    ``ask_service`` is false), then copies the localities onto the awards."""
    result = Refresh(register=load_register())
    sirets = to_ask(max_age_days) if ask_service else []
    if limit is not None:
        result.remaining = max(0, len(sirets) - limit)
        sirets = sirets[:limit]
    if sirets:
        client = client or Client()
    for number, siret in enumerate(sirets, start=1):
        assert client is not None
        answer = client.lookup(siret)
        save(answer)
        result.asked += 1
        if answer.status == FOUND:
            result.found += 1
        elif answer.status == ERROR:
            result.errors += 1
            result.error_sirets.append(siret)
        else:
            result.not_found += 1
        if progress:
            progress(number, len(sirets), answer)
    resolve()
    return result


# The awards


# Where a titulaire is placed from, in this order: the EPCI's register of
# local firms (its own knowledge, final even where it leaves the category
# empty), then what the contract's source says (the tabular consolidation
# joins SIRENE when it is made), then the SIRENE service's saved answer.
RESOLVE = """
UPDATE territoire_procurement_award a SET
  commune = COALESCE(
    (SELECT r.commune FROM territoire_supplier_register r WHERE r.siret = a.siret),
    a.source_commune,
    (SELECT s.commune FROM territoire_supplier s
     WHERE s.siret = a.siret AND s.status = 'found')),
  category = CASE
    WHEN EXISTS (SELECT 1 FROM territoire_supplier_register r WHERE r.siret = a.siret)
    THEN (SELECT r.category FROM territoire_supplier_register r WHERE r.siret = a.siret)
    ELSE COALESCE(a.source_category,
      (SELECT s.category FROM territoire_supplier s
       WHERE s.siret = a.siret AND s.status = 'found'))
  END,
  origin = CASE
    WHEN EXISTS (SELECT 1 FROM territoire_supplier_register r
                 WHERE r.siret = a.siret AND r.commune IS NOT NULL) THEN 'register'
    WHEN a.source_commune IS NOT NULL THEN 'source'
    WHEN EXISTS (SELECT 1 FROM territoire_supplier s WHERE s.siret = a.siret
                 AND s.status = 'found' AND s.commune IS NOT NULL) THEN 'sirene'
    ELSE NULL
  END
"""

LOCALITY = """
UPDATE territoire_procurement_award SET locality = CASE
  WHEN commune IS NULL THEN 'unknown'
  WHEN commune = ANY(:communes) THEN 'territory'
  WHEN (CASE WHEN commune LIKE '97%' THEN left(commune, 3) ELSE left(commune, 2) END)
       = ANY(:departements) THEN 'departement'
  ELSE 'elsewhere'
END
"""


def resolve(buyer_siren: str | None = None) -> None:
    """Copies each award's titulaire locality and size (register first,
    then the service's answer; else unknown), and places the locality
    against the territory's communes (those of the catalogue now)."""
    from ckanext.opendata_territoire.observatory import stats

    communes = stats.territory_communes()
    params: dict[str, Any] = {
        "communes": communes or [""],
        "departements": sorted({stats.departement(c) for c in communes}) or [""],
    }
    where = ""
    if buyer_siren is not None:
        where = " WHERE buyer_siren = :siren"
        params["siren"] = buyer_siren
    model.Session.execute(
        sa.text(RESOLVE + where.replace("buyer_siren", "a.buyer_siren")), params
    )
    model.Session.execute(sa.text(LOCALITY + where), params)
    model.Session.commit()
