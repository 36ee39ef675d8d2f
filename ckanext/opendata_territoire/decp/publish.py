"""Publishing a buyer's contracts in its catalogue.

Per buyer (a SIREN with an organization in the catalogue), one dataset
"Marchés publics — <buyer>" owned by the buyer's organization, told apart from
the others by its field ``decp_buyer_siren``, with:

- a DataStore table, one row per contract, upserted by ``uid``: the rows
  whose hash (``empreinte``) is unchanged are skipped before the DataStore;
- downloadable files made from the whole table: DECP JSON (2022 format, and
  2019 format when older contracts are there), CSV and the contracts in the
  Open Contracting Data Standard (OCDS release package, decp/ocds.py).

Nothing is ever deleted: rows absent from a new file stay (a monthly file
does not hold last year's contracts), and a file is replaced only by a
complete new one. A failure for one buyer is reported and the others go on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model
from ckan.lib.munge import munge_title_to_name
from ckan.lib.search import SearchIndexError
from ckan.plugins import PluginImplementations
from werkzeug.datastructures import FileStorage

from ckanext.opendata_territoire import search_index
from ckanext.opendata_territoire.decp import formats as f
from ckanext.opendata_territoire.decp import ocds
from ckanext.opendata_territoire.decp.model import COLUMNS, LABELS, Contract
from ckanext.opendata_territoire.decp.pipeline import latest_versions
from ckanext.opendata_territoire.decp.writers import write_csv_rows, write_json
from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.interfaces import (
    IProcurementListener,
    ISupplierNames,
)
from ckanext.opendata_territoire.language import portal_text
from ckanext.opendata_territoire.territory.buyers import (
    DATASET_FIELD,
    find_dataset,
    territory_buyers,
)

log = logging.getLogger(__name__)

BATCH = 1000
PAGE = 32000  # the DataStore's default maximum of rows per search
SCHEMA_NAME = "139bercy/format-commande-publique"
SCHEMA_VERSIONS = {f.V2022: "2.0.3", f.V2019: "1.5.0"}
TAGS = ("marches-publics", "commande-publique", "decp")
THEMES = ["ECON", "GOVE"]


class PublishError(Exception):
    """The contracts cannot be published (no organization, no writer...)."""


@dataclass
class BuyerResult:
    """What was done (or, in a dry run, would be done) for one buyer."""

    siren: str
    organization: str | None = None  # its name
    title: str | None = None
    dataset: str | None = None
    dataset_created: bool = False
    contracts: int = 0  # in the file, one version per uid
    superseded: int = 0  # older versions of a uid set aside
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    total: int | None = None  # rows in the table afterwards
    files: list[str] = field(default_factory=list)  # files written
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "siren": self.siren,
            "organization": self.organization,
            "title": self.title,
            "dataset": self.dataset,
            "dataset_created": self.dataset_created,
            "contracts": self.contracts,
            "superseded": self.superseded,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "total": self.total,
            "files": self.files,
            "error": self.error,
        }


# Buyers and their organizations


def writer_name(user: str | None = None) -> str:
    """The user who writes: a sysadmin, by default the site user."""
    if not user:
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        return str(site_user["name"])
    user_obj = model.User.get(user)
    if user_obj is None:
        raise PublishError(portal_text(N_('No user "{user}".')).format(user=user))
    if not authz.is_sysadmin(user):
        raise PublishError(
            portal_text(
                N_(
                    '"{user}" is not a sysadmin: only a sysadmin can import '
                    "procurement data."
                )
            ).format(user=user)
        )
    return str(user_obj.name)


# The buyer's dataset


def dataset_title(org: dict[str, Any]) -> str:
    return portal_text(N_("Public procurement — {buyer}")).format(buyer=org["title"])


def _free_name(org: dict[str, Any]) -> str:
    base = munge_title_to_name(f"marches-publics-{org['name']}")[:90]
    for candidate in [base] + [f"{base}-{n}" for n in range(2, 100)]:
        if model.Package.get(candidate) is None:
            return candidate
    raise PublishError(f"No free dataset name for {org['name']}")


def new_dataset(org: dict[str, Any], siren: str, source: str) -> dict[str, Any]:
    """The metadata of a new procurement dataset."""
    data: dict[str, Any] = {
        "name": _free_name(org),
        "title": dataset_title(org),
        "notes": portal_text(
            N_(
                "The essential data of the public contracts (DECP) of {buyer}: one row "
                "per contract, in its current state (modifications applied), with the "
                "DECP files (JSON in the official format) and a CSV. Taken from the "
                "national consolidated files, cleaned and deduplicated by the "
                "territory's portal."
            )
        ).format(buyer=org["title"]),
        "owner_org": org["id"],
        "private": False,
        "license_id": tk.config.get("ckanext.territoire.decp.license_id"),
        "theme": THEMES,
        "frequency": "monthly",
        "legal_basis": "decp",
        "schema_name": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSIONS[f.V2022],
        "tags": [{"name": tag} for tag in TAGS],
        "personal_data": "none",
        "provenance": source,
        "known_limits": portal_text(
            N_(
                "The national files have defects: the portal mends what it can (the "
                "rules applied to a contract are in its anomalies column) and removes "
                "values it cannot read (impossible dates, absurd amounts, NC). "
                "Contracts published twice are kept once."
            )
        ),
        DATASET_FIELD: siren,
    }
    if org.get("contact_email"):
        data["contact_email"] = org["contact_email"]
    if org.get("insee_code"):
        data["spatial_insee"] = [org["insee_code"]]
        data["spatial_granularity"] = "fr:commune"
    elif org.get("collectivite_type") == "epci":
        data["spatial_insee"] = [siren]
        data["spatial_granularity"] = "fr:epci"
    return data


# Resources


def _file_name(siren: str, kind: str) -> str:
    return {
        "json-2022": f"decp-{siren}-2022.json",
        "json-2019": f"decp-{siren}-2019.json",
        "csv": f"decp-{siren}.csv",
        "ocds": f"decp-{siren}-ocds.json",
    }[kind]


def _resource_names() -> dict[str, str]:
    return {
        "table": portal_text(N_("Contracts, one row each (table)")),
        "json-2022": portal_text(N_("DECP file, 2022 format (JSON)")),
        "json-2019": portal_text(N_("DECP file, 2019 format (JSON)")),
        "csv": portal_text(N_("Contracts (CSV)")),
        "ocds": portal_text(N_("OCDS (release package)")),
    }


FILE_KINDS = ("json-2022", "json-2019", "csv", "ocds")


def _resources(dataset: dict[str, Any], siren: str) -> dict[str, dict[str, Any]]:
    """The dataset's resources we manage: the DataStore table, found by its
    url type, and the files, found by their file name."""
    found: dict[str, dict[str, Any]] = {}
    for resource in dataset.get("resources", []):
        if resource.get("url_type") == "datastore" and "table" not in found:
            found["table"] = resource
            continue
        url = str(resource.get("url") or "")
        for kind in FILE_KINDS:
            if url.endswith("/" + _file_name(siren, kind)) and kind not in found:
                found[kind] = resource
    return found


def _fields() -> list[dict[str, Any]]:
    """The table's columns with their data dictionary, in the portal's
    language: the previews' headers and the API's ``info``."""
    return [
        {
            "id": name,
            "type": kind,
            "info": {
                "label": portal_text(LABELS[name]),
                "notes": portal_text(notes),
            },
        }
        for name, kind, notes in COLUMNS
    ]


# Publishing


def publish(
    groups: dict[str, list[Contract]],
    buyers: dict[str, dict[str, Any]],
    source: str,
    dry_run: bool = False,
    user: str | None = None,
    progress: Callable[[BuyerResult], None] | None = None,
) -> list[BuyerResult]:
    """Publishes each buyer's contracts (``groups``: SIREN -> contracts) in
    the dataset of its organization (``buyers``: SIREN -> organization). A
    buyer without organization, or whose publishing fails, gets an error in
    its result; the others go on."""
    writer = writer_name(user)
    results = []
    for siren in sorted(set(groups) | set(buyers)):
        contracts = groups.get(siren, [])
        org = buyers.get(siren)
        result = BuyerResult(siren=siren)
        if org is not None:
            result.organization, result.title = org["name"], org["title"]
        if org is None:
            result.contracts = len(contracts)
            result.error = portal_text(
                N_("no organization of the catalogue has the SIREN {siren}")
            ).format(siren=siren)
        elif contracts:
            try:
                _publish_retrying(result, org, contracts, source, dry_run, writer)
            except Exception as error:  # one buyer's failure stops no other
                model.Session.rollback()
                result.error = _message(error)
            else:
                if not dry_run and (result.inserted or result.updated):
                    _contracts_changed(siren, org)
        if org is not None or contracts:
            results.append(result)
            if progress:
                progress(result)
    return results


def _contracts_changed(siren: str, org: dict[str, Any]) -> None:
    """Tells the listeners (interfaces.py, IProcurementListener: the
    observatory copies the buyer's table); a listener's failure leaves the
    published contracts as they are."""
    for listener in PluginImplementations(IProcurementListener):
        try:
            listener.buyer_contracts_changed(org, siren)
        except Exception:
            model.Session.rollback()
            log.exception(
                "%r: the change of %s's contracts is not told", listener, siren
            )


def supplier_names(sirets: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The firms' names known by the plugins that know them (interfaces.py,
    ISupplierNames: the observatory's register and SIRENE's saved answers),
    the first one's first."""
    register: dict[str, str] = {}
    sirene: dict[str, str] = {}
    if not sirets:
        return register, sirene
    for directory in PluginImplementations(ISupplierNames):
        known_register, known_sirene = directory.supplier_names(sirets)
        register = {**known_register, **register}
        sirene = {**known_sirene, **sirene}
    return register, sirene


def _message(error: Exception) -> str:
    if isinstance(error, tk.ValidationError):
        return str(error.error_dict)
    return str(error) or type(error).__name__


def _publish_retrying(
    result: BuyerResult,
    org: dict[str, Any],
    contracts: list[Contract],
    source: str,
    dry_run: bool,
    writer: str,
) -> None:
    """``_publish_buyer``, tried again while the search index refuses it
    (ckanext.territoire.index_retry_seconds): a SolrCloud shard whose
    leader died takes seconds to elect another. The contracts written before
    the refusal stay; the next try writes the files and the dataset
    whatever the table says (nothing new in it any more)."""
    first: list[tuple[int, int, int]] = []

    def attempt(tries: int) -> None:
        try:
            _publish_buyer(
                result, org, contracts, source, dry_run, writer, again=tries > 0
            )
        except SearchIndexError:
            if not first:
                first.append((result.inserted, result.updated, result.unchanged))
            raise

    search_index.patiently(attempt, search_index.patience(), result.siren)
    if first and any(first[0]):
        # What the first try wrote is what this run changed.
        result.inserted, result.updated, result.unchanged = first[0]


def _publish_buyer(
    result: BuyerResult,
    org: dict[str, Any],
    contracts: list[Contract],
    source: str,
    dry_run: bool,
    writer: str,
    again: bool = False,
) -> None:
    contracts, result.superseded = latest_versions(contracts)
    result.contracts = len(contracts)
    rows = [c.row() for c in contracts]
    name_rows(rows, org)
    context = {"user": writer, "ignore_auth": True}
    siren = result.siren

    dataset = find_dataset(siren, org["id"])
    if dataset is None:
        result.dataset_created = True
        data = new_dataset(org, siren, source)
        result.dataset = data["name"]
        if dry_run:
            result.inserted = len(rows)
            return
        # A draft until its table and files are written (_update_dataset):
        # CKAN indexes a dataset before the database commits it, so a run
        # killed in between leaves a search document without a dataset; a
        # draft's document is listed nowhere, and the next run completes it.
        data["state"] = "draft"
        dataset = tk.get_action("package_create")(dict(context), data)
    result.dataset = dataset["name"]

    resources = _resources(dataset, siren)
    stored: dict[str, str] = {}
    if "table" in resources:
        if not dry_run:
            _add_new_columns(context, resources["table"]["id"])
        stored = _stored_hashes(context, resources["table"]["id"])
    new = [r for r in rows if r["uid"] not in stored]
    changed = [
        r for r in rows if r["uid"] in stored and stored[r["uid"]] != r["empreinte"]
    ]
    result.inserted, result.updated = len(new), len(changed)
    result.unchanged = len(rows) - len(new) - len(changed)
    if dry_run:
        result.total = len(stored) + len(new)
        return

    if "table" not in resources:
        table = tk.get_action("datastore_create")(
            dict(context),
            {
                "resource": {
                    "package_id": dataset["id"],
                    "name": _resource_names()["table"],
                    "description": portal_text(
                        N_(
                            "One row per contract, in its current state; the column "
                            "decp holds the DECP record. Query it with the DataStore "
                            "API (datastore_search)."
                        )
                    ),
                    "format": "CSV",
                },
                "fields": _fields(),
                "primary_key": ["uid"],
                "force": True,
            },
        )
        table_id = table["resource_id"]
    else:
        table_id = resources["table"]["id"]
    _write_rows(context, table_id, new, "insert")
    _write_rows(context, table_id, changed, "upsert")
    _table_views(context, table_id)

    files_missing = any(
        kind not in resources for kind in ("json-2022", "csv", "ocds")
    ) or ("json-2019" not in resources and any(r["format"] == f.V2019 for r in rows))
    draft = dataset.get("state") == "draft"  # left by an interrupted run
    if not (new or changed or files_missing or draft or again):
        result.total = len(stored)
        return
    stored_rows = list(_stored_rows(context, table_id))
    result.total = len(stored_rows)
    result.files = _write_files(context, dataset, siren, stored_rows, resources)
    _update_dataset(context, dataset, stored_rows)


SEPARATOR = "; "  # of the titulaires' columns (model._joined)
NAME_FIELDS = ["uid", "acheteur_nom", "titulaires_id", "titulaires_denominationSociale"]


def name_rows(rows: list[dict[str, Any]], org: dict[str, Any]) -> list[dict[str, Any]]:
    """Names for every row (the 2022 format carries SIRETs only): the
    buyer's, the source's, else its organization's title; each titulaire's,
    the EPCI's register of local firms first (its own knowledge of its
    firms), then the name already there (the source's), then SIRENE's saved
    answer (observatory); a titulaire nobody knows keeps an empty name. The
    rows are changed in place; the ones whose names changed are returned.
    The names are not in the row's ``empreinte``: a name learnt later
    changes no contract."""

    def split(value: Any) -> list[str]:
        return str(value).split(SEPARATOR) if value else []

    sirets = {siret for row in rows for siret in split(row.get("titulaires_id"))}
    register, sirene = supplier_names({s for s in sirets if s})
    changed = []
    for row in rows:
        before = (row.get("acheteur_nom"), row.get("titulaires_denominationSociale"))
        if not row.get("acheteur_nom"):
            row["acheteur_nom"] = org["title"]
        ids = split(row.get("titulaires_id"))
        given = split(row.get("titulaires_denominationSociale"))
        if len(given) != len(ids):
            given = [""] * len(ids)
        named = [
            register.get(siret) or name or sirene.get(siret, "")
            for name, siret in zip(given, ids, strict=True)
        ]
        row["titulaires_denominationSociale"] = (
            SEPARATOR.join(named) if any(named) else None
        )
        if (row["acheteur_nom"], row["titulaires_denominationSociale"]) != before:
            changed.append(row)
    return changed


def name_published(user: str | None = None) -> int:
    """The names now known written into every buyer's contracts table, and
    its files written again where they changed. Returns the rows named."""
    context = {"user": writer_name(user), "ignore_auth": True}
    named = 0
    for siren, org in territory_buyers().items():
        dataset = find_dataset(siren, org["id"])
        if dataset is None:
            continue
        resources = _resources(dataset, siren)
        if "table" not in resources:
            continue
        table_id = resources["table"]["id"]
        rows = list(_stored_rows(context, table_id, NAME_FIELDS))
        changed = name_rows(rows, org)
        if not changed:
            continue
        _write_rows(
            context,
            table_id,
            [{key: row[key] for key in NAME_FIELDS} for row in changed],
            "update",
        )
        named += len(changed)
        stored_rows = list(_stored_rows(context, table_id))
        _write_files(context, dataset, siren, stored_rows, resources)
    return named


def _add_new_columns(context: dict[str, Any], table_id: str) -> None:
    """A table made by an earlier version gets the columns added since
    (DECP 2.0.4's subcontracting...): the DataStore adds the missing ones and
    keeps the rows; their empreinte then differs once, and each contract is
    written again with the new values at this import."""
    info = tk.get_action("datastore_search")(
        dict(context), {"resource_id": table_id, "limit": 0}
    )
    present = {field["id"]: field.get("info") or {} for field in info["fields"]}
    wanted = _fields()
    if all(
        field["id"] in present and present[field["id"]] == field["info"]
        for field in wanted
    ):
        return
    tk.get_action("datastore_create")(
        dict(context),
        {
            "resource_id": table_id,
            "fields": wanted,
            "primary_key": ["uid"],
            "force": True,
        },
    )


def _table_views(context: dict[str, Any], table_id: str) -> None:
    """The table's default views (a data table preview), made once the
    DataStore holds it: CKAN makes them when the resource is created, before
    the table exists, so none is made then."""
    views = tk.get_action("resource_view_list")(dict(context), {"id": table_id})
    if views:
        return
    resource = tk.get_action("resource_show")(dict(context), {"id": table_id})
    tk.get_action("resource_create_default_resource_views")(
        dict(context), {"resource": resource, "create_datastore_views": True}
    )


def _write_rows(
    context: dict[str, Any], table_id: str, rows: list[dict[str, Any]], method: str
) -> None:
    for start in range(0, len(rows), BATCH):
        tk.get_action("datastore_upsert")(
            dict(context),
            {
                "resource_id": table_id,
                "records": rows[start : start + BATCH],
                "method": method,
                "force": True,
            },
        )


def _stored_hashes(context: dict[str, Any], table_id: str) -> dict[str, str]:
    return {
        row["uid"]: row["empreinte"]
        for row in _stored_rows(context, table_id, ["uid", "empreinte"])
    }


def _stored_rows(
    context: dict[str, Any], table_id: str, fields: list[str] | None = None
) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        query: dict[str, Any] = {
            "resource_id": table_id,
            "limit": PAGE,
            "offset": offset,
            "sort": "_id",
            "include_total": False,
        }
        if fields:
            query["fields"] = fields
        records = tk.get_action("datastore_search")(dict(context), query)["records"]
        yield from records
        if len(records) < PAGE:
            return
        offset += PAGE


@dataclass
class StoredContract:
    """A contract as the table holds it, for the JSON writer."""

    version: str
    kind: str
    record: dict[str, Any]


def _stored_contracts(rows: Iterable[dict[str, Any]]) -> list[StoredContract]:
    return [
        StoredContract(
            version=row["format"],
            kind=f.CONCESSION if row["type"] == "Contrat de concession" else f.MARCHE,
            record=row["decp"],
        )
        for row in rows
        if isinstance(row.get("decp"), dict)
    ]


def _write_files(
    context: dict[str, Any],
    dataset: dict[str, Any],
    siren: str,
    rows: list[dict[str, Any]],
    resources: dict[str, dict[str, Any]],
) -> list[str]:
    """Writes each file completely aside, then uploads it in place of the
    previous one (unless it is the same). Returns the files uploaded."""
    dataset_id = dataset["id"]
    contracts = _stored_contracts(rows)
    versions = {c.version for c in contracts}
    names = _resource_names()
    written = []
    for kind in FILE_KINDS:
        if kind == "json-2019" and f.V2019 not in versions:
            continue
        package = None
        if kind == "ocds":
            try:
                package = ocds.dataset_package(dataset, rows)
            except ocds.NoContracts:
                continue
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, _file_name(siren, kind))
            with open(path, "w", encoding="utf-8", newline="") as out:
                if kind == "csv":
                    write_csv_rows(rows, out)
                elif package is not None:
                    ocds.write_package(package, out)
                else:
                    write_json(contracts, out, kind.split("-")[1])
            digest, size = _sha256(path)
            current = resources.get(kind)
            if current is not None and current.get("hash") == digest:
                continue
            with open(path, "rb") as stream:
                data = {
                    "upload": FileStorage(
                        stream=io.BytesIO(stream.read()),
                        filename=_file_name(siren, kind),
                        content_type="text/csv"
                        if kind == "csv"
                        else "application/json",
                    ),
                    "name": names[kind],
                    "format": "CSV" if kind == "csv" else "JSON",
                    "hash": digest,
                    "size": size,
                    "last_modified": dt.datetime.now(dt.UTC)
                    .replace(tzinfo=None)
                    .isoformat(),
                }
                if kind == "ocds":
                    data["description"] = portal_text(
                        N_(
                            "The contracts in the Open Contracting Data Standard "
                            "(OCDS 1.1): one release per contract, then one per "
                            "modification. Also given by the API action "
                            "territoire_contracts_ocds."
                        )
                    )
                elif kind != "csv":
                    data["schema_name"] = SCHEMA_NAME
                    data["schema_version"] = SCHEMA_VERSIONS[kind.split("-")[1]]
                if current is None:
                    tk.get_action("resource_create")(
                        dict(context), {"package_id": dataset_id, **data}
                    )
                else:
                    tk.get_action("resource_patch")(
                        dict(context), {"id": current["id"], **data}
                    )
            written.append(_file_name(siren, kind))
    return written


def _sha256(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _update_dataset(
    context: dict[str, Any], dataset: dict[str, Any], rows: list[dict[str, Any]]
) -> None:
    """The period covered and the date of the data, from the whole table;
    a new dataset, complete now, is published (its draft state ends)."""
    notified = sorted(
        str(r["dateNotification"])[:10] for r in rows if r.get("dateNotification")
    )
    updates = [
        str(r[key])[:10]
        for r in rows
        for key in ("datePublicationDonnees", "dateDerniereModification")
        if r.get(key)
    ]
    wanted = {
        "temporal_start": notified[0] if notified else None,
        "temporal_end": notified[-1] if notified else None,
        "data_updated": max(updates) if updates else None,
    }
    changes = {
        key: value
        for key, value in wanted.items()
        if value is not None and dataset.get(key) != value
    }
    if dataset.get("state") == "draft":
        changes["state"] = "active"
    if changes:
        tk.get_action("package_patch")(dict(context), {"id": dataset["id"], **changes})
