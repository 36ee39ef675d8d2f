"""The DECP harvester (ckanext-harvest plugin ``decp_harvester``).

Source: a data.gouv.fr dataset (its page or API URL; its JSON and XML
resources are listed through API v2, paged) or the URL of one DECP file.
Configuration (JSON, all optional)::

    {"buyers": ["213805484", "243801024"],  # SIREN or SIRET; default: every
                                             # organization of the source
                                             # owner's territory with a SIREN
     "since": "2024-01-01",                  # contracts notified from then
     "formats": ["json", "xml"],             # resource formats taken
     "files": ["decp-2024*.json"]}           # resource titles or ids (shell
                                             # patterns); default: all

Gather lists the files, skips those whose checksum (or date and size) is the
one of the last harvest with the same configuration, downloads the others
whole (status, length and checksum checked), reads them as a stream keeping
the buyers' contracts, cleaned and deduplicated across files, and makes one
harvest object per buyer. A file that fails (HTTP error, timeout, truncated)
is a gather error and gives nothing: the others go on, and it is tried again
next time. Import publishes the buyer's contracts as `ckan territoire decp
import` does; each contract's problems (rules applied, rejections) are object
errors naming the contract and the rule. Nothing published is removed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

import ckan.plugins.toolkit as tk
import requests
from ckan import model, plugins
from ckan.lib.search import SearchIndexError
from ckan.plugins import PluginImplementations

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra
from ckanext.opendata_territoire.datagouv import client as datagouv
from ckanext.opendata_territoire.datagouv.client import RemoteFile, SourceError
from ckanext.opendata_territoire.decp import tabular
from ckanext.opendata_territoire.decp.cleaning import REJECTIONS, Cleaned, Issue
from ckanext.opendata_territoire.decp.importer import selected_buyers
from ckanext.opendata_territoire.decp.model import Contract, contract_from
from ckanext.opendata_territoire.decp.pipeline import (
    BuyerError,
    BuyerFilter,
    Rejection,
    Report,
    group_by_siren,
    read_contracts,
)
from ckanext.opendata_territoire.decp.publish import PublishError, publish
from ckanext.opendata_territoire.decp.readers import DecpReadError
from ckanext.opendata_territoire.harvesters import notes, scope
from ckanext.opendata_territoire.harvesters.base import (
    chained_actions,
    chained_auth_functions,
    json_config,
    make_current,
)
from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.interfaces import IProcurementListener
from ckanext.opendata_territoire.language import portal_text
from ckanext.opendata_territoire.search_index import patience, reindex
from ckanext.opendata_territoire.territory import roles
from ckanext.opendata_territoire.territory.buyers import find_dataset
from ckanext.opendata_territoire.territory.organizations import organizations_by_siren

log = logging.getLogger(__name__)

STATE_KEY = "decp_state"
# Object errors listed per buyer and run (all are counted).
ERRORS_LISTED = 200
DEFAULT_TIMEOUT = 60
# A Parquet file is read by ranges when at most this share of it holds the
# territory's row groups (a file sorted by buyer, as the consolidation is);
# otherwise it is downloaded whole (and its checksum checked).
RANGED_SHARE = 0.5


KEYS = ("buyers", "since", "formats", "files")


@dataclass
class DecpConfig:
    buyers: list[str] = field(default_factory=list)
    since: dt.date | None = None
    # The JSON and XML files by default; the tabular consolidation is asked
    # for by name (["parquet"] or ["csv"]: it holds the same contracts).
    formats: list[str] = field(default_factory=lambda: ["json", "xml"])
    files: list[str] = field(default_factory=list)  # resource titles or ids

    def fingerprint(self) -> str:
        text = json.dumps(
            {
                "buyers": sorted(self.buyers),
                "since": self.since.isoformat() if self.since else None,
                "formats": sorted(self.formats),
                "files": sorted(self.files),
            },
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def parse_config(text: str | None) -> DecpConfig:
    """The source's configuration; raises ValueError with a message naming
    the key and the rule."""
    data = json_config(
        text,
        KEYS,
        N_("Unknown configuration keys: {keys}. Known: buyers, since, formats, files."),
    )
    if data is None:
        return DecpConfig()
    config = DecpConfig()
    buyers = data.get("buyers", [])
    if not isinstance(buyers, list) or not all(isinstance(b, str) for b in buyers):
        raise ValueError(portal_text(N_('"buyers" must be a list of SIREN or SIRET.')))
    try:
        BuyerFilter.of(buyers)
    except BuyerError as error:
        raise ValueError(
            portal_text(
                N_(
                    '"buyers": "{value}" is neither a SIREN (9 digits) nor a SIRET '
                    "(14 digits)."
                )
            ).format(value=error.args[0])
        ) from error
    config.buyers = buyers
    if data.get("since") is not None:
        try:
            config.since = dt.date.fromisoformat(str(data["since"]))
        except ValueError as error:
            raise ValueError(
                portal_text(N_('"since": "{value}" is not a date YYYY-MM-DD.')).format(
                    value=data["since"]
                )
            ) from error
    formats = data.get("formats", config.formats)
    if (
        not isinstance(formats, list)
        or not formats
        or not all(
            isinstance(v, str) and v.lower() in datagouv.DECP_FORMATS for v in formats
        )
    ):
        raise ValueError(
            portal_text(
                N_('"formats" must be a list of "json", "xml", "parquet" or "csv".')
            )
        )
    config.formats = [v.lower() for v in formats]
    patterns = data.get("files", [])
    if not isinstance(patterns, list) or not all(isinstance(v, str) for v in patterns):
        raise ValueError(
            portal_text(N_('"files" must be a list of resource titles or ids.'))
        )
    config.files = patterns
    return config


def _timeout() -> float:
    return float(tk.config.get("ckanext.territoire.decp.timeout") or DEFAULT_TIMEOUT)


def _datagouv_url() -> str:
    return str(tk.config.get("ckanext.territoire.datagouv_url"))


# What the last harvest saw: kept in an extra of its objects. Only a harvest
# whose objects were all imported counts: when a worker died during the
# import (or an import failed), its files are taken again next time, not
# skipped as unchanged.


def previous_state(source_id: str) -> dict[str, Any]:
    unfinished_jobs = (
        model.Session.query(HarvestObject.harvest_job_id)
        .filter(HarvestObject.harvest_source_id == source_id)
        .filter(HarvestObject.state != "COMPLETE")
    )
    row = (
        model.Session.query(HarvestObjectExtra.value)
        .join(HarvestObject, HarvestObjectExtra.harvest_object_id == HarvestObject.id)
        .filter(HarvestObject.harvest_source_id == source_id)
        .filter(HarvestObjectExtra.key == STATE_KEY)
        .filter(HarvestObject.harvest_job_id.notin_(unfinished_jobs))
        .order_by(HarvestObject.gathered.desc())
        .first()
    )
    if row is None:
        return {}
    try:
        state = json.loads(row[0])
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


# Contracts in harvest objects


def stored_contract(contract: Contract) -> dict[str, Any]:
    stored = {
        "version": contract.version,
        "kind": contract.kind,
        "record": contract.record,
        "issues": [issue.as_dict() for issue in contract.issues],
    }
    sirene = tabular.sirene_of(contract)
    if sirene is not None:
        stored["sirene"] = sirene
    return stored


def restored_contract(data: dict[str, Any]) -> Contract:
    issues = [
        Issue(i["rule"], i["field"], i["before"], i["after"]) for i in data["issues"]
    ]
    contract = contract_from(
        Cleaned(data["version"], data["kind"], data["record"], issues)
    )
    if data.get("sirene"):
        sirene = data["sirene"]
        tabular.enrich(contract, sirene.get("buyer_name"), sirene.get("holders") or {})
    return contract


def _shown(value: Any) -> str:
    return "∅" if value is None else f"« {value} »"


def contract_problem(contract: Contract) -> str:
    """One line per contract: its id and each rule applied, with the field
    and the values."""
    parts = [
        f"{issue.rule} ({issue.field} : {_shown(issue.before)} → {_shown(issue.after)})"
        if issue.after is not None
        else f"{issue.rule} ({issue.field} : {_shown(issue.before)} "
        + portal_text(N_("removed"))
        + ")"
        for issue in contract.issues
    ]
    return portal_text(N_("Contract {id} ({uid}): {problems}")).format(
        id=contract.id, uid=contract.uid, problems="; ".join(parts)
    )


def rejection_problem(rejection: dict[str, Any]) -> str:
    reason = rejection["reason"]
    return portal_text(
        N_("Contract {id} rejected (record {position}): {reason}, {why}")
    ).format(
        id=rejection.get("id") or "?",
        position=rejection["position"],
        reason=reason,
        why=portal_text(REJECTIONS.get(reason, reason)),
    )


class DecpHarvester(HarvesterBase):
    """Harvests the DECP of the territory's buyers."""

    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IActions)

    def get_auth_functions(self) -> dict[str, Any]:
        return chained_auth_functions()

    def get_actions(self) -> dict[str, Any]:
        return chained_actions()

    def info(self) -> dict[str, str]:
        return {
            "name": "decp",
            "title": portal_text(N_("Procurement data (DECP)")),
            "description": portal_text(
                N_(
                    "The essential data of public contracts (DECP) of the "
                    "territory's buyers, from a data.gouv.fr dataset or a DECP "
                    "file URL: one procurement dataset per buyer."
                )
            ),
        }

    def validate_config(self, config: str | None) -> str | None:
        parse_config(config)
        return config

    def get_original_url(self, harvest_object_id: str) -> str | None:
        obj = HarvestObject.get(harvest_object_id)
        return str(obj.source.url) if obj is not None else None

    # Gather

    def gather_stage(self, harvest_job: Any) -> list[str]:
        source = harvest_job.source
        try:
            config = parse_config(source.config)
        except ValueError as error:
            self._save_gather_error(str(error), harvest_job)
            return []
        try:
            buyers, organizations = _buyers(config, scope.source_owner(source))
        except PublishError as error:
            self._save_gather_error(str(error), harvest_job)
            return []
        for siren in sorted(set(_named_sirens(config)) - set(organizations)):
            self._save_gather_error(
                portal_text(
                    N_(
                        '"buyers": {siren} is not an organization of the territory '
                        "of the source's owner; its contracts are not harvested."
                    )
                ).format(siren=siren),
                harvest_job,
            )

        state = previous_state(source.id)
        # No database connection is held over the listing and the downloads
        # (minutes for a national file): a PostgreSQL restart meanwhile would
        # kill it under the gather, which would then fail whole and leave the
        # job "Running" until ckan.harvest.timeout. The objects are saved
        # afterwards on a connection taken (and checked) then.
        model.Session.commit()

        session = datagouv.session(
            "ckanext-opendata-territoire (DECP harvester)", datagouv.retries()
        )
        timeout = _timeout()
        try:
            files = self._files(session, source.url, config, timeout)
        except SourceError as error:
            self._save_gather_error(
                portal_text(N_("The source cannot be listed: {error}")).format(
                    error=error
                ),
                harvest_job,
            )
            return []
        if not files:
            self._save_gather_error(
                portal_text(N_("The source has no DECP file ({formats}).")).format(
                    formats=", ".join(config.formats)
                ),
                harvest_job,
            )
            return []

        known: dict[str, str] = {}
        if state.get("config") == config.fingerprint():
            known = dict(state.get("files") or {})
        todo = [
            f
            for f in files
            if f.fingerprint is None or known.get(f.key) != f.fingerprint
        ]
        if not todo:
            log.info(
                "DECP source %s: no file changed since the last harvest", source.url
            )
            return []

        report, contracts, read_files = self._read(
            session, todo, buyers, config, timeout, harvest_job
        )
        for file in read_files:
            if file.fingerprint is not None:
                known[file.key] = file.fingerprint
        if not read_files:
            return []
        log.info("DECP source %s: %s", source.url, json.dumps(report.as_dict()))

        groups = group_by_siren(contracts)
        rejections = _rejections_by_siren(report.rejected, organizations)
        new_state = json.dumps({"config": config.fingerprint(), "files": known})
        titles = ", ".join(f.title for f in read_files)
        fetched = _fetched_note(report)
        objects = []
        for siren in sorted(organizations):
            payload = {
                "siren": siren,
                "source": portal_text(
                    N_("Harvested from {url} ({files}) on {date}")
                ).format(
                    url=source.url, files=titles, date=dt.date.today().isoformat()
                ),
                "contracts": [stored_contract(c) for c in groups.get(siren, [])],
                "rejections": rejections.get(siren, []),
            }
            obj = HarvestObject(
                guid=siren,
                job=harvest_job,
                content=json.dumps(payload, ensure_ascii=False),
                extras=[HarvestObjectExtra(key=STATE_KEY, value=new_state)],
            )
            notes.add_notes(obj, [fetched] if fetched else [])
            obj.add()
            objects.append(obj)
        # Every buyer's object or none, in one transaction: a gather that
        # dies half-way through these writes (PostgreSQL restarted, the
        # worker killed) must not leave some buyers' objects, which, once
        # imported, would make the files count as harvested and the other
        # buyers' contracts be skipped as unchanged at the next harvest.
        model.Session.commit()
        # Told to the listeners (interfaces.py, IProcurementListener): when a
        # national tabular file was read, every EPCI's figures (the peers'
        # comparison) are refreshed from it by a background job. A
        # listener never fails the gather.
        _files_read(read_files)
        return [obj.id for obj in objects]

    def _files(
        self,
        session: requests.Session,
        url: str,
        config: DecpConfig,
        timeout: float,
    ) -> list[RemoteFile]:
        dataset = datagouv.dataset_id(url)
        if dataset is None:
            return [datagouv.direct_file(url)]
        base = datagouv.api_base(url, _datagouv_url())
        resources = datagouv.list_resources(session, base, dataset, timeout)
        files = [datagouv.remote_file(r) for r in resources]
        return datagouv.choose(files, config.formats, config.files)

    def _read(
        self,
        session: requests.Session,
        files: list[RemoteFile],
        buyers: BuyerFilter,
        config: DecpConfig,
        timeout: float,
        harvest_job: Any,
    ) -> tuple[Report, list[Contract], list[RemoteFile]]:
        """Downloads and reads each file; a file that fails gives nothing
        (its contracts are not mixed in, its duplicates not counted)."""
        report = Report()
        contracts: list[Contract] = []
        seen: set[bytes] = set()
        read: list[RemoteFile] = []
        with tempfile.TemporaryDirectory(prefix="decp-") as folder:
            for file in files:
                file_report = Report()
                file_seen = set(seen)
                try:
                    found = self._read_file(
                        session,
                        file,
                        folder,
                        buyers,
                        config,
                        timeout,
                        file_report,
                        file_seen,
                    )
                except SourceError as error:
                    self._save_gather_error(
                        portal_text(N_("{file}: not downloaded, {error}")).format(
                            file=file.title, error=error
                        ),
                        harvest_job,
                    )
                    continue
                except DecpReadError as error:
                    self._save_gather_error(
                        portal_text(
                            N_(
                                "{file}: cannot be read to its end, nothing taken "
                                "from it: {error}"
                            )
                        ).format(file=file.title, error=error.translated(portal_text)),
                        harvest_job,
                    )
                    continue
                seen = file_seen
                contracts += found
                report.merge(file_report)
                read.append(file)
        return report, contracts, read

    def _read_file(
        self,
        session: requests.Session,
        file: RemoteFile,
        folder: str,
        buyers: BuyerFilter,
        config: DecpConfig,
        timeout: float,
        report: Report,
        seen: set[bytes],
    ) -> list[Contract]:
        """The file's contracts: a Parquet file by ranges when the server
        answers them (the footer, the buyer column, the territory's row
        groups), any other file downloaded whole and checked first."""
        wanted = (buyers.sirens, buyers.sirets)
        ranged = datagouv.open_ranged(
            session,
            file,
            timeout,
            lambda remote: (
                tabular.share_to_read(cast(BinaryIO, remote), wanted) <= RANGED_SHARE
            ),
        )
        if ranged is not None:
            with contextlib.closing(ranged):
                found = list(
                    read_contracts(
                        cast(BinaryIO, ranged),
                        buyers,
                        report,
                        since=config.since,
                        seen=seen,
                    )
                )
            report.bytes_fetched, report.bytes_total = ranged.fetched, ranged.size
            log.info(
                "DECP %s: %d bytes fetched of %d (%d range requests)",
                file.url,
                ranged.fetched,
                ranged.size,
                ranged.requests,
            )
            return found
        path = datagouv.download(session, file, folder, timeout)
        try:
            with open(path, "rb") as fp:
                found = list(
                    read_contracts(fp, buyers, report, since=config.since, seen=seen)
                )
            report.bytes_total = report.bytes_fetched = os.path.getsize(path)
            return found
        finally:
            tempfile_remove(path)

    # Fetch: the contracts are in the object already.

    def fetch_stage(self, harvest_object: Any) -> bool:
        return True

    # Import

    def import_stage(self, harvest_object: Any) -> bool | str:
        if not harvest_object.content:
            self._save_object_error(
                portal_text(N_("Empty harvest object.")), harvest_object, "Import"
            )
            return False
        payload = json.loads(harvest_object.content)
        siren = payload["siren"]
        contracts = [restored_contract(c) for c in payload["contracts"]]
        organizations = organizations_by_siren({siren})
        org = organizations.get(siren)
        owner = scope.source_owner(harvest_object.source)
        if org is not None and not scope.may_publish(
            roles.organization(org["id"]), owner
        ):
            self._save_object_error(
                portal_text(
                    N_(
                        "{buyer} is not an organization of the territory of the "
                        "source's owner: not published"
                    )
                ).format(buyer=org["title"]),
                harvest_object,
                "Import",
            )
            return False
        if org is None:
            self._save_object_error(
                portal_text(
                    N_("no organization of the catalogue has the SIREN {siren}")
                ).format(siren=siren),
                harvest_object,
                "Import",
            )
            return False
        (result,) = publish(
            {siren: contracts} if contracts else {},
            {siren: org},
            payload["source"],
            user=self._get_user_name(),
        )
        if result.error:
            self._save_object_error(
                portal_text(N_("{buyer}: not published, {error}")).format(
                    buyer=org["title"], error=result.error
                ),
                harvest_object,
                "Import",
            )
            return False
        self._problems(harvest_object, contracts, payload.get("rejections", []))
        dataset = find_dataset(siren, org["id"])
        if dataset is None:  # no contract yet: nothing published
            return "unchanged"
        self._link(harvest_object, dataset["id"], org["title"])
        if not (result.inserted or result.updated or result.dataset_created):
            return "unchanged"
        return True

    def _problems(
        self,
        harvest_object: Any,
        contracts: list[Contract],
        rejections: list[dict[str, Any]],
    ) -> None:
        problems = [rejection_problem(r) for r in rejections]
        problems += [contract_problem(c) for c in contracts if c.issues]
        for message in problems[:ERRORS_LISTED]:
            self._save_object_error(message, harvest_object, "Import")
        if len(problems) > ERRORS_LISTED:
            self._save_object_error(
                portal_text(N_("... and {count} more contracts with problems.")).format(
                    count=len(problems) - ERRORS_LISTED
                ),
                harvest_object,
                "Import",
            )

    def _link(self, harvest_object: Any, dataset_id: str, buyer: str) -> None:
        """The object becomes the buyer's current one for this source."""
        make_current(harvest_object, dataset_id)
        # Indexed again with its source (ckanext-harvest adds it from the
        # current object), so that clearing the source empties the index.
        # A refusal that outlasts the wait is an object error: the contracts
        # are published, only the search document lags (until the dataset's
        # next change); an exception here would end the fetch consumer with
        # the object unacknowledged, taken again three minutes later.
        try:
            reindex(dataset_id, patience())
        except SearchIndexError as error:
            self._save_object_error(
                portal_text(
                    N_(
                        "{buyer}: published, but its search document is not "
                        "updated ({error}); it will be at the next harvest."
                    )
                ).format(buyer=buyer, error=error),
                harvest_object,
                "Import",
            )


def _files_read(files: list[RemoteFile]) -> None:
    for listener in PluginImplementations(IProcurementListener):
        try:
            listener.decp_files_read(files)
        except Exception:
            log.exception("%r: the files read are not told", listener)


def tempfile_remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)


def _fetched_note(report: Report) -> str | None:
    """What the harvest fetched, when byte ranges spared a whole download."""
    if not report.bytes_total or report.bytes_fetched >= report.bytes_total:
        return None
    return portal_text(
        N_(
            "Read by byte ranges: {fetched} MB fetched out of {total} MB "
            "({share} %), only the parts that hold the territory's contracts."
        )
    ).format(
        fetched=f"{report.bytes_fetched / 1e6:.1f}",
        total=f"{report.bytes_total / 1e6:.1f}",
        share=f"{100 * report.bytes_fetched / report.bytes_total:.1f}",
    )


def _named_sirens(config: DecpConfig) -> list[str]:
    buyers = BuyerFilter.of(config.buyers)
    return sorted(set(buyers.sirens) | {siret[:9] for siret in buyers.sirets})


def _buyers(
    config: DecpConfig, owner_id: str | None
) -> tuple[BuyerFilter, dict[str, dict[str, Any]]]:
    """The buyers a source harvests: those its configuration names, or else
    every organization with a SIREN; in both cases only the organizations
    the source may publish in (its owner and, for the EPCI, its members)."""
    _all, organizations = selected_buyers(config.buyers)
    organizations = {
        siren: org
        for siren, org in organizations.items()
        if scope.may_publish(roles.organization(org["id"]), owner_id)
    }
    if not organizations:
        raise PublishError(
            portal_text(
                N_(
                    "No organization of the territory of the source's owner has a "
                    "SIREN named by the source: create the territory's "
                    "organizations first (ckan territoire init), or check "
                    '"buyers".'
                )
            )
        )
    if config.buyers:
        named = BuyerFilter.of(config.buyers)
        return (
            BuyerFilter(
                frozenset(s for s in named.sirens if s in organizations),
                frozenset(s for s in named.sirets if s[:9] in organizations),
            ),
            organizations,
        )
    return BuyerFilter.of(organizations), organizations


def _rejections_by_siren(
    rejections: list[Rejection], organizations: dict[str, dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """The rejected records whose written buyer is one of ours."""
    found: dict[str, list[dict[str, Any]]] = {}
    for rejection in rejections:
        buyer = rejection.buyer or ""
        if buyer[:9] in organizations and buyer[:9].isdigit():
            found.setdefault(buyer[:9], []).append(rejection.as_dict())
    return found


__all__ = ["DecpHarvester", "parse_config"]
