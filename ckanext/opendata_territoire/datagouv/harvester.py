"""The data.gouv.fr harvester (ckanext-harvest plugin ``udata_harvester``):
brings the datasets a member already publishes on data.gouv.fr (or on
another udata portal) into the catalogue.

Source URL: a data.gouv.fr organization (its page or API URL: every public
dataset of the organization, read page by page), one dataset (its page), or
the portal's address with the datasets listed in the configuration.
Configuration (JSON, all optional)::

    {"datasets": ["5f0c...", "menus-cantine"],  # ids or slugs on the portal
     "organizations": {"villard-de-lans-1": "villard-de-lans"},
                          # udata organization (id or slug) -> ours; default:
                          # ours whose SIREN the udata organization gives
     "deleted": "withdraw",  # or "keep": a dataset gone from the source
     "personal_data": "none",  # the statement harvested datasets carry
     "page_size": 50}

Gather lists the source's datasets and makes one harvest object per dataset
that is new or changed since the last harvest (unchanged ones are skipped
before any write), and one per dataset harvested before that the source no
longer has. Only a listing read to its end can withdraw anything: a source
that fails half-way, or that suddenly lists nothing, withdraws nothing.
Import maps the dataset (udata_mapping.py) into the member organization that
owns it, keeps what editors added here (themes, contact...), and reports
what could not be kept as it was. A dataset that fails validation keeps its
previous version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import requests
import sqlalchemy as sa
from ckan import model, plugins
from ckan.lib.search import SearchIndexError

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra
from ckanext.opendata_territoire import search_index
from ckanext.opendata_territoire.datagouv import client as datagouv
from ckanext.opendata_territoire.datagouv.client import SourceError
from ckanext.opendata_territoire.datagouv.mapping import (
    dataset_name,
    map_dataset,
)
from ckanext.opendata_territoire.harvesters import scope
from ckanext.opendata_territoire.harvesters.base import (
    chained_actions,
    chained_auth_functions,
    json_config,
    make_current,
)
from ckanext.opendata_territoire.harvesters.notes import add_notes
from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.language import portal_text
from ckanext.opendata_territoire.metadata import choices as choice_lists
from ckanext.opendata_territoire.territory import reference, roles

log = logging.getLogger(__name__)

POLICIES = ("withdraw", "keep")
HASH_KEY = "udata_hash"
STATUS_KEY = "udata_status"
# On an object whose dataset could not be placed in an organization: its
# digest, so that the same dataset is not reported again until it or the
# configuration changes.
UNPLACED_KEY = "udata_unplaced"
PRESENT, GONE, ARCHIVED = "present", "gone", "archived"
MAX_PAGES = 500
DEFAULT_TIMEOUT = 30
# Fields the harvester owns: taken from the source at every harvest, removed
# when the source no longer has them. The others (themes, producer service,
# legal basis...) are the editors' and are kept.
OWNED = (
    "title",
    "notes",
    "license_id",
    "tags",
    "harvest_origin_url",
    "data_updated",
    "frequency",
    "temporal_start",
    "temporal_end",
    "spatial_insee",
    "spatial_granularity",
    "schema_name",
    "schema_version",
    "resources",
)

_ORG_PATH = re.compile(
    r"^(?:/[a-z]{2})?/(?:api/1/)?organizations/([A-Za-z0-9_.\-]+)/?$"
)


@dataclass
class UdataConfig:
    datasets: list[str] = field(default_factory=list)
    organizations: dict[str, str] = field(default_factory=dict)
    deleted: str = "withdraw"
    archived: str = "withdraw"
    personal_data: str = "none"
    page_size: int = 50


KEYS = (
    "datasets",
    "organizations",
    "deleted",
    "archived",
    "personal_data",
    "page_size",
)


def _config_error(message: str, **values: Any) -> ValueError:
    return ValueError(portal_text(message).format(**values))


def parse_config(text: str | None) -> UdataConfig:
    """The source's configuration; raises ValueError with a message naming
    the key and the rule."""
    data = json_config(text, KEYS)
    if data is None:
        return UdataConfig()
    config = UdataConfig()
    datasets = data.get("datasets", [])
    if not isinstance(datasets, list) or not all(
        isinstance(v, str) and v.strip() for v in datasets
    ):
        raise _config_error(N_('"datasets" must be a list of dataset ids or slugs.'))
    config.datasets = [v.strip() for v in datasets]
    organizations = data.get("organizations", {})
    if not isinstance(organizations, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip()
        for k, v in organizations.items()
    ):
        raise _config_error(
            N_(
                '"organizations" must map data.gouv.fr organizations (id or slug) '
                "to organization names of this catalogue."
            )
        )
    config.organizations = {k.strip(): v.strip() for k, v in organizations.items()}
    deleted = data.get("deleted", config.deleted)
    if deleted not in POLICIES:
        raise _config_error(
            N_('"deleted": "{value}" is not one of withdraw, keep.'), value=deleted
        )
    config.deleted = deleted
    archived = data.get("archived", config.archived)
    if archived not in POLICIES:
        raise _config_error(
            N_('"archived": "{value}" is not one of withdraw, keep.'), value=archived
        )
    config.archived = archived
    statement = data.get("personal_data", config.personal_data)
    allowed = [v for v in choice_lists.values("personal_data") if v != "contains"]
    if statement not in allowed:
        raise _config_error(
            N_('"personal_data": "{value}" is not one of {allowed}.'),
            value=statement,
            allowed=", ".join(allowed),
        )
    config.personal_data = statement
    size = data.get("page_size", config.page_size)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 100:
        raise _config_error(
            N_('"page_size": "{value}" is not a whole number from 1 to 100.'),
            value=size,
        )
    config.page_size = size
    return config


def _timeout() -> float:
    return float(tk.config.get("ckanext.territoire.udata.timeout") or DEFAULT_TIMEOUT)


def organization_slug(url: str) -> str | None:
    """The organization id or slug of a udata organization page or API URL."""
    match = _ORG_PATH.match(urlsplit(url).path)
    return match[1] if match else None


def archived_on(dataset: dict[str, Any]) -> str | None:
    """When data.gouv.fr archived the dataset (its ``archived`` date), or
    None for a current one."""
    value = dataset.get("archived")
    return str(value) if value else None


def fingerprint(
    dataset: dict[str, Any], config: UdataConfig, source_id: str, siren: str | None
) -> str:
    """What tells whether a dataset must be imported again: what this
    catalogue would publish of it (``map_dataset``: its fields and notes),
    how its owner is found (the configuration's mapping for its organization,
    the organization's SIREN), the personal-data statement, and whether it
    is archived. What the publisher did not change leaves it alone: metrics,
    quality scores, badges, the link checker's ``check:*`` extras of the
    resources, and configuration keys that do not change the mapping."""
    mapped = map_dataset(dataset, source_id)
    org = dataset.get("organization")
    text = json.dumps(
        [
            mapped.fields,
            mapped.notes,
            _mapped(config, org if isinstance(org, dict) else {}),
            config.organizations.get("*"),
            siren,
            config.personal_data,
            archived_on(dataset),
            config.archived,
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Previous:
    """What the catalogue holds of a dataset harvested from this source."""

    package_id: str
    current: bool
    hash: str | None
    status: str | None


def previous_datasets(source_id: str) -> dict[str, Previous]:
    """The datasets this source harvested, by remote id: the package of the
    latest object that has one, and the hash of the current object (the last
    one imported). Two queries, whatever the number of past jobs."""
    latest = (
        model.Session.query(
            HarvestObject.id,
            HarvestObject.guid,
            HarvestObject.package_id,
            HarvestObject.current,
        )
        .filter(HarvestObject.harvest_source_id == source_id)
        .filter(HarvestObject.package_id.isnot(None))
        .distinct(HarvestObject.guid)
        .order_by(HarvestObject.guid, HarvestObject.gathered.desc())
        .all()
    )
    current_ids = [row.id for row in latest if row.current]
    extras: dict[str, dict[str, str]] = {}
    if current_ids:
        for object_id, key, value in (
            model.Session.query(
                HarvestObjectExtra.harvest_object_id,
                HarvestObjectExtra.key,
                HarvestObjectExtra.value,
            )
            .filter(HarvestObjectExtra.harvest_object_id.in_(current_ids))
            .filter(HarvestObjectExtra.key.in_((HASH_KEY, STATUS_KEY)))
        ):
            extras.setdefault(object_id, {})[key] = value
    found: dict[str, Previous] = {}
    for row in latest:
        own = extras.get(row.id, {}) if row.current else {}
        found[row.guid] = Previous(
            package_id=row.package_id,
            current=bool(row.current),
            hash=own.get(HASH_KEY),
            status=own.get(STATUS_KEY),
        )
    return found


def unplaced_datasets(source_id: str) -> dict[str, str]:
    """The datasets of this source whose last import could not place them
    in an organization, by remote id, with the digest they had then."""
    rows = (
        model.Session.query(HarvestObject.guid, HarvestObjectExtra.value)
        .join(
            HarvestObjectExtra, HarvestObjectExtra.harvest_object_id == HarvestObject.id
        )
        .filter(HarvestObject.harvest_source_id == source_id)
        .filter(HarvestObjectExtra.key == UNPLACED_KEY)
        .distinct(HarvestObject.guid)
        .order_by(HarvestObject.guid, HarvestObject.gathered.desc())
    )
    return {guid: value for guid, value in rows}


@dataclass
class Listing:
    """The datasets the source gives, those it says are gone, and whether it
    was read to its end (only then can absent datasets be withdrawn)."""

    datasets: list[dict[str, Any]] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    complete: bool = True
    skipped_own: int = 0


def _own_site() -> str:
    return urlsplit(str(tk.config.get("ckan.site_url") or "")).netloc.lower()


def harvested_from_us(dataset: dict[str, Any]) -> bool:
    """Whether the udata dataset is itself harvested from this catalogue
    (data.gouv.fr harvesting us): taking it back would duplicate ours."""
    harvest = dataset.get("harvest")
    if not isinstance(harvest, dict):
        return False
    own = _own_site()
    if not own:
        return False
    for key in ("remote_url", "uri", "domain"):
        value = str(harvest.get(key) or "").lower()
        host = urlsplit(value).netloc if "//" in value else value
        if host == own:
            return True
    return False


class UdataHarvester(HarvesterBase):
    """Harvests the datasets of data.gouv.fr organizations."""

    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IActions)

    # The same rules as the DECP harvester's: registered once.

    def get_auth_functions(self) -> dict[str, Any]:
        if plugins.plugin_loaded("decp_harvester"):
            return {}
        return chained_auth_functions()

    def get_actions(self) -> dict[str, Any]:
        if plugins.plugin_loaded("decp_harvester"):
            return {}
        return chained_actions()

    def info(self) -> dict[str, str]:
        return {
            "name": "udata",
            "title": portal_text(N_("Datasets on data.gouv.fr")),
            "description": portal_text(
                N_(
                    "The datasets a member publishes on data.gouv.fr (or another "
                    "udata portal): an organization, one dataset, or the datasets "
                    "listed in the configuration."
                )
            ),
        }

    def validate_config(self, config: str | None) -> str | None:
        parse_config(config)
        return config

    def get_original_url(self, harvest_object_id: str) -> str | None:
        obj = HarvestObject.get(harvest_object_id)
        if obj is None or not obj.content:
            return None
        try:
            dataset = json.loads(obj.content).get("dataset") or {}
        except ValueError:
            return None
        return str(dataset.get("page") or "") or None

    # Gather

    def gather_stage(self, harvest_job: Any) -> list[str]:
        source = harvest_job.source
        try:
            config = parse_config(source.config)
        except ValueError as error:
            self._save_gather_error(str(error), harvest_job)
            return []
        session = datagouv.session(
            "ckanext-opendata-territoire (udata harvester)", datagouv.retries()
        )
        session.headers["Accept"] = "application/json"
        base = datagouv.api_base(
            source.url, str(tk.config.get("ckanext.territoire.datagouv_url"))
        )
        timeout = _timeout()
        # No database connection is held over the requests to data.gouv.fr
        # (many pages for a large organization): a PostgreSQL restart
        # meanwhile would kill it under the gather, which would fail whole
        # and leave the job "Running" until ckan.harvest.timeout.
        model.Session.commit()
        try:
            listing = self._list(
                session, base, source.url, config, timeout, harvest_job
            )
        except SourceError as error:
            self._save_gather_error(
                portal_text(N_("The source cannot be listed: {error}")).format(
                    error=error
                ),
                harvest_job,
            )
            return []
        if listing.skipped_own:
            log.info(
                "udata source %s: %d datasets harvested from this catalogue skipped",
                source.url,
                listing.skipped_own,
            )
        previous = previous_datasets(source.id)
        unplaced = unplaced_datasets(source.id)
        model.Session.commit()  # as above, over the organizations' pages
        sirens = self._sirens(session, base, listing.datasets, config, timeout)
        ids = []
        unchanged = 0
        present = set()
        for dataset in listing.datasets:
            remote_id = str(dataset["id"])
            present.add(remote_id)
            org = dataset.get("organization") or {}
            siren = (
                sirens.get(str(org.get("id") or "")) if isinstance(org, dict) else None
            )
            digest = fingerprint(dataset, config, source.id, siren)
            before = previous.get(remote_id)
            exists = (
                before is not None and model.Package.get(before.package_id) is not None
            )
            archived = archived_on(dataset)
            if archived and config.archived == "withdraw":
                # Kept apart: withdrawn if it was published, else left out.
                if (
                    exists
                    and before is not None
                    and before.current
                    and before.status != GONE
                ):
                    payload: dict[str, Any] = {
                        "status": GONE,
                        "policy": "withdraw",
                        "archived": archived,
                    }
                    ids.append(
                        self._object(harvest_job, remote_id, payload, None, before).id
                    )
                elif before is not None or unplaced.get(remote_id) == digest:
                    unchanged += 1  # already withdrawn, or reported as left out
                else:
                    payload = {
                        "status": ARCHIVED,
                        "archived": archived,
                        "dataset": dataset,
                    }
                    ids.append(
                        self._object(harvest_job, remote_id, payload, digest, None).id
                    )
                continue
            if (
                exists
                and before is not None
                and before.hash == digest
                and before.status == PRESENT
            ) or (not exists and unplaced.get(remote_id) == digest):
                unchanged += 1
                continue
            payload = {
                "status": PRESENT,
                "dataset": dataset,
                "organization_siren": siren,
            }
            ids.append(self._object(harvest_job, remote_id, payload, digest, before).id)
        ids += self._gone(harvest_job, listing, previous, present, config)
        log.info(
            "udata source %s: %d datasets listed, %d unchanged, %d objects",
            source.url,
            len(listing.datasets),
            unchanged,
            len(ids),
        )
        return ids

    def _object(
        self,
        harvest_job: Any,
        guid: str,
        payload: dict[str, Any],
        digest: str | None,
        before: Previous | None,
    ) -> HarvestObject:
        extras = [HarvestObjectExtra(key=STATUS_KEY, value=payload["status"])]
        if digest:
            extras.append(HarvestObjectExtra(key=HASH_KEY, value=digest))
        obj = HarvestObject(
            guid=guid,
            job=harvest_job,
            content=json.dumps(payload, ensure_ascii=False),
            extras=extras,
        )
        if before is not None and model.Package.get(before.package_id) is not None:
            obj.package_id = before.package_id
        obj.save()
        return obj

    def _gone(
        self,
        harvest_job: Any,
        listing: Listing,
        previous: dict[str, Previous],
        present: set[str],
        config: UdataConfig,
    ) -> list[str]:
        """Objects for the datasets harvested before that the source no
        longer has: only when the listing was read to its end, and never
        when it suddenly lists nothing."""
        candidates = [
            guid
            for guid, before in previous.items()
            if guid not in present and before.current and before.status != GONE
        ]
        if not candidates:
            return []
        if not listing.complete:
            return []
        if not present and not listing.gone:
            self._save_gather_error(
                portal_text(
                    N_(
                        "The source lists no dataset while {count} were harvested "
                        "from it: nothing is withdrawn. Check the source's URL; "
                        "delete the datasets by hand if they are really gone."
                    )
                ).format(count=len(candidates)),
                harvest_job,
            )
            return []
        return [
            self._object(
                harvest_job,
                guid,
                {"status": GONE, "policy": config.deleted},
                None,
                previous[guid],
            ).id
            for guid in candidates
        ]

    def _list(
        self,
        session: requests.Session,
        base: str,
        url: str,
        config: UdataConfig,
        timeout: float,
        harvest_job: Any,
    ) -> Listing:
        listing = Listing()
        organization = organization_slug(url)
        single = datagouv.dataset_id(url)
        names = list(config.datasets)
        if single and single not in names:
            names.append(single)
        if organization is None and not names:
            raise SourceError(
                portal_text(
                    N_(
                        "{url} is neither a data.gouv.fr organization nor a dataset, "
                        'and the configuration lists no "datasets".'
                    )
                ).format(url=url)
            )
        if organization is not None:
            self._list_organization(
                session, base, organization, config, timeout, listing
            )
        for name in names:
            self._read_dataset(session, base, name, timeout, listing, harvest_job)
        kept = []
        seen: set[str] = set()
        for dataset in listing.datasets:
            remote_id = str(dataset.get("id") or "")
            if not remote_id or remote_id in seen:
                continue
            seen.add(remote_id)
            if dataset.get("deleted") or dataset.get("private"):
                listing.gone.add(remote_id)
            elif harvested_from_us(dataset):
                listing.skipped_own += 1
            else:
                kept.append(dataset)
        listing.datasets = kept
        return listing

    def _list_organization(
        self,
        session: requests.Session,
        base: str,
        organization: str,
        config: UdataConfig,
        timeout: float,
        listing: Listing,
    ) -> None:
        path = f"{base}/api/1/organizations/{organization}/datasets/"
        for page in datagouv.pages(
            session,
            f"{path}?page=1&page_size={config.page_size}",
            timeout,
            MAX_PAGES,
            loops=N_("{url}: the pages of the dataset list loop"),
            not_a_page=N_("{url}: not a page of datasets"),
        ):
            listing.datasets += page

    def _read_dataset(
        self,
        session: requests.Session,
        base: str,
        name: str,
        timeout: float,
        listing: Listing,
        harvest_job: Any,
    ) -> None:
        url = f"{base}/api/1/datasets/{name}/"
        try:
            dataset = datagouv.get_json(session, url, timeout)
        except SourceError as error:
            if error.status in (404, 410):
                listing.gone.add(name)
                return
            # Not known to be gone: nothing is withdrawn by this run.
            listing.complete = False
            self._save_gather_error(
                portal_text(
                    N_("Dataset {name} not read, kept as it is: {error}")
                ).format(name=name, error=error),
                harvest_job,
            )
            return
        if not isinstance(dataset, dict) or not dataset.get("id"):
            listing.complete = False
            self._save_gather_error(
                portal_text(N_("{url}: not a dataset")).format(url=url), harvest_job
            )
            return
        listing.datasets.append(dataset)

    def _sirens(
        self,
        session: requests.Session,
        base: str,
        datasets: list[dict[str, Any]],
        config: UdataConfig,
        timeout: float,
    ) -> dict[str, str | None]:
        """The SIREN each udata organization gives (business_number_id), for
        the organizations the configuration does not map."""
        found: dict[str, str | None] = {}
        for dataset in datasets:
            org = dataset.get("organization")
            if not isinstance(org, dict) or not org.get("id"):
                continue
            org_id = str(org["id"])
            if org_id in found or _mapped(config, org) is not None:
                continue
            try:
                data = datagouv.get_json(
                    session, f"{base}/api/1/organizations/{org_id}/", timeout
                )
            except SourceError as error:
                log.warning("udata organization %s not read: %s", org_id, error)
                found[org_id] = None
                continue
            number = re.sub(
                r"\s", "", str((data or {}).get("business_number_id") or "")
            )
            found[org_id] = (
                number[:9] if re.fullmatch(r"\d{9}(\d{5})?", number) else None
            )
        return found

    # Fetch: the dataset is in the object already.

    def fetch_stage(self, harvest_object: Any) -> bool:
        return True

    # Import

    def import_stage(self, harvest_object: Any) -> bool | str:
        """The object's dataset published, withdrawn or left out; tried
        again while the search index refuses it (a SolrCloud shard electing
        a new leader: CKAN indexes before it commits, so nothing was
        written), for ``ckanext.territoire.index_retry_seconds``, then
        an object error: an exception would end the fetch consumer."""
        try:
            return search_index.patiently(
                lambda _try: self._import(harvest_object),
                search_index.patience(),
                f"udata import {harvest_object.guid}",
            )
        except SearchIndexError as error:
            self._save_object_error(
                portal_text(
                    N_(
                        "Not published: the search index refused it "
                        "({error}); it will be tried at the next harvest."
                    )
                ).format(error=error),
                harvest_object,
                "Import",
            )
            return False

    def _import(self, harvest_object: Any) -> bool | str:
        if not harvest_object.content:
            self._save_object_error(
                portal_text(N_("Empty harvest object.")), harvest_object, "Import"
            )
            return False
        payload = json.loads(harvest_object.content)
        source = harvest_object.source
        try:
            config = parse_config(source.config)
        except ValueError as error:
            self._save_object_error(str(error), harvest_object, "Import")
            return False
        if payload.get("status") == GONE:
            return self._withdraw(harvest_object, config, payload.get("archived"))
        if payload.get("status") == ARCHIVED:
            return self._left_out(harvest_object, payload)
        return self._publish(harvest_object, payload, config)

    def _publish(
        self, harvest_object: Any, payload: dict[str, Any], config: UdataConfig
    ) -> bool:
        remote = payload["dataset"]
        mapped = map_dataset(remote, harvest_object.harvest_source_id)
        org, problem = self._owner(
            remote, payload.get("organization_siren"), config, harvest_object.source
        )
        if org is None:
            _said_once(harvest_object)
            self._save_object_error(
                _dataset_label(remote) + " : " + str(problem), harvest_object, "Import"
            )
            return False
        fields = mapped.fields
        notes = list(mapped.notes)
        archived = archived_on(remote)
        if archived:
            # Kept, as the configuration says ("archived": "keep"), and marked
            # as cold data.
            fields["data_temperature"] = "cold"
            notes.append(
                portal_text(
                    N_(
                        "archived on data.gouv.fr ({date}); kept here, as the "
                        'source\'s configuration says ("archived": "keep"), '
                        "marked as cold data"
                    )
                ).format(date=archived[:10])
            )
        known_codes = []
        for code in fields.get("spatial_insee", []):
            if len(code) == 5 and reference.commune_known(code) is False:
                notes.append(
                    portal_text(
                        N_("INSEE code {code} is not a current commune: left out")
                    ).format(code=code)
                )
            else:
                known_codes.append(code)
        if known_codes:
            fields["spatial_insee"] = known_codes
        else:
            fields.pop("spatial_insee", None)
        existing = self._existing(harvest_object)
        context = {"user": self._get_user_name(), "ignore_auth": True}
        try:
            if existing is None:
                data = dict(fields)
                data["owner_org"] = org.id
                data["name"] = self._free_name(remote)
                data["personal_data"] = config.personal_data
                data["id"] = str(uuid.uuid4())
                # Linked before the dataset is written: the licence policy
                # knows it is harvested, and ckanext-harvest indexes it with
                # its source (so that clearing the source empties the index).
                make_current(harvest_object, data["id"], commit=False)
                model.Session.execute(
                    sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED")
                )
                model.Session.flush()
                package = tk.get_action("package_create")(context, data)
            else:
                make_current(harvest_object, existing["id"], commit=False)
                model.Session.flush()
                data = dict(existing)
                for key in OWNED:
                    data.pop(key, None)
                data.update(fields)
                if not fields.get("contact_email"):
                    for key in ("contact_email", "contact_name"):
                        if existing.get(key):
                            data[key] = existing[key]
                data["owner_org"] = org.id
                data["state"] = "active"
                package = tk.get_action("package_update")(context, data)
        except tk.ValidationError as error:
            model.Session.rollback()
            self._save_object_error(
                portal_text(N_("{dataset}: not published, {errors}")).format(
                    dataset=_dataset_label(remote), errors=_errors(error)
                ),
                harvest_object,
                "Import",
            )
            return False
        add_notes(
            harvest_object,
            [
                portal_text(N_("{dataset}: {note}")).format(
                    dataset=_dataset_label(remote), note=note
                )
                for note in notes
            ],
        )
        make_current(harvest_object, package["id"])
        return True

    def _left_out(self, harvest_object: Any, payload: dict[str, Any]) -> str:
        """An archived dataset never published here: left out, said once
        (until it changes)."""
        add_notes(
            harvest_object,
            [
                portal_text(
                    N_(
                        "{dataset}: archived on data.gouv.fr ({date}); not "
                        'published here ("archived": "keep" in the source\'s '
                        "configuration would publish it)."
                    )
                ).format(
                    dataset=_dataset_label(payload["dataset"]),
                    date=str(payload["archived"])[:10],
                )
            ],
        )
        _said_once(harvest_object)
        return "unchanged"

    def _withdraw(
        self, harvest_object: Any, config: UdataConfig, archived: str | None = None
    ) -> bool | str:
        """A dataset the source no longer has, or archived on data.gouv.fr
        (``archived``: its date): withdrawn or kept, by the configuration;
        a note says which."""
        package_id = harvest_object.package_id
        package = model.Package.get(package_id) if package_id else None
        if package is None:
            return "unchanged"
        dataset = f"« {package.title} »"
        if archived is None and config.deleted == "keep":
            add_notes(
                harvest_object,
                [
                    portal_text(
                        N_(
                            "{dataset}: no longer on the source; kept here, as the "
                            'source\'s configuration says ("deleted": "keep").'
                        )
                    ).format(dataset=dataset)
                ],
            )
            make_current(harvest_object, package.id)
            return "unchanged"
        context = {"user": self._get_user_name(), "ignore_auth": True}
        tk.get_action("package_delete")(context, {"id": package.id})
        if archived is None:
            note = portal_text(
                N_(
                    "{dataset}: no longer on the source; withdrawn (deleted, it can "
                    "be restored from the trash)."
                )
            ).format(dataset=dataset)
        else:
            note = portal_text(
                N_(
                    "{dataset}: archived on data.gouv.fr ({date}); withdrawn "
                    '(deleted, it can be restored from the trash; "archived": '
                    '"keep" in the source\'s configuration keeps such datasets).'
                )
            ).format(dataset=dataset, date=archived[:10])
        add_notes(harvest_object, [note])
        make_current(harvest_object, package.id, current=False)
        return True

    def _owner(
        self,
        remote: dict[str, Any],
        siren: str | None,
        config: UdataConfig,
        source: Any,
    ) -> tuple[model.Group | None, str | None]:
        """The organization of the catalogue that owns the dataset, or why
        there is none."""
        org_ref = remote.get("organization")
        if not isinstance(org_ref, dict):
            org_ref = {}
        name = _mapped(config, org_ref)
        org = roles.organization_by_siren(siren) if siren and name is None else None
        if org is None and name is None:
            name = config.organizations.get("*")
        if name is not None:
            org = roles.organization(name)
            if org is None:
                return None, portal_text(
                    N_(
                        '"organizations" names "{name}", which is not an '
                        "organization of the catalogue"
                    )
                ).format(name=name)
        if org is None and not org_ref:
            return None, portal_text(
                N_(
                    "the dataset belongs to a person, not to a data.gouv.fr "
                    'organization: name its organization here with "*" in the '
                    'source\'s configuration ("organizations").'
                )
            )
        if org is None:
            return None, portal_text(
                N_(
                    "no organization of the catalogue matches the data.gouv.fr "
                    'organization "{organization}" (SIREN {siren}): map it in the '
                    'source\'s configuration ("organizations").'
                )
            ).format(
                organization=org_ref.get("name") or org_ref.get("slug") or "?",
                siren=siren or "?",
            )
        if not scope.may_publish(org, scope.source_owner(source)):
            return None, portal_text(
                N_(
                    "{organization} is not a member of the organization that owns "
                    "this harvest source"
                )
            ).format(organization=org.title)
        return org, None

    def _existing(self, harvest_object: Any) -> dict[str, Any] | None:
        if not harvest_object.package_id:
            return None
        try:
            return tk.get_action("package_show")(
                {"ignore_auth": True, "for_update": True},
                {"id": harvest_object.package_id},
            )
        except tk.ObjectNotFound:
            harvest_object.package_id = None
            return None

    def _free_name(self, remote: dict[str, Any]) -> str:
        """The udata slug when it is free here, else the slug and a suffix."""
        remote_id = str(remote.get("id") or "")
        base = dataset_name(remote.get("slug"), remote_id)
        if model.Package.get(base) is None:
            return base
        suffix = re.sub(r"[^a-z0-9]", "", remote_id.lower())[:8] or uuid.uuid4().hex[:8]
        name = f"{base[: 100 - len(suffix) - 1]}-{suffix}"
        if model.Package.get(name) is None:
            return name
        return f"{base[:90]}-{uuid.uuid4().hex[:8]}"


def _said_once(harvest_object: Any) -> None:
    """The object's dataset is not published here (no owner, archived): its
    digest kept, so that the gather leaves it alone, and says nothing again,
    until the dataset or the configuration changes."""
    for extra in list(harvest_object.extras):
        if extra.key == HASH_KEY:
            harvest_object.extras.append(
                HarvestObjectExtra(key=UNPLACED_KEY, value=extra.value)
            )
    harvest_object.save()


def _mapped(config: UdataConfig, org: dict[str, Any]) -> str | None:
    """The organization the configuration names for a udata organization
    (``"*"``, the one for the others, is read by the caller)."""
    for key in ("id", "slug", "name"):
        value = str(org.get(key) or "")
        if value and value in config.organizations:
            return config.organizations[value]
    return None


def _dataset_label(remote: dict[str, Any]) -> str:
    title = str(remote.get("title") or "")
    return f"« {title} » ({remote.get('id')})" if title else str(remote.get("id"))


def _errors(error: Any) -> str:
    """The fields a ValidationError names, each with its messages."""
    parts = []
    for key, messages in (error.error_dict or {}).items():
        if isinstance(messages, list):
            text = "; ".join(
                json.dumps(m, ensure_ascii=False) if isinstance(m, dict) else str(m)
                for m in messages
            )
        else:
            text = str(messages)
        parts.append(f"{key} : {text}")
    return " | ".join(parts)


__all__ = ["UdataHarvester", "parse_config"]
