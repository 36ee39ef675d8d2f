"""Reuses: what a reuser declares (title, link, type, author, image, the
datasets reused), who sees them and who moderates them.

Each dataset's organization moderates its own link to a reuse: its editors
and admins publish or refuse it. A link declared by one of them is published
at once. A link is shown to everyone once published, except a link to a
private dataset, shown only to those who may read the dataset; the person
who declared the reuse and the moderators also see the pending and refused
links.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import authz, model

from ckanext.opendata_territoire.territory import roles
from ckanext.opendata_territoire.usage import notify
from ckanext.opendata_territoire.usage.model import (
    PENDING,
    PUBLISHED,
    REFUSED,
    Reuse,
    ReuseDataset,
    now,
)

# The kinds of reuse, as data.gouv.fr sorts them.
TYPES = ("application", "visualisation", "article", "api", "other")
TITLE_MAX_LENGTH = 200
AUTHOR_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000
URL_MAX_LENGTH = 2000
DATASETS_MAX = 20
DECISIONS = {"publish": PUBLISHED, "refuse": REFUSED}


def type_labels() -> dict[str, str]:
    """Each type of reuse with its label in the user's language."""
    return {
        "application": tk._("Application"),
        "visualisation": tk._("Visualisation"),
        "article": tk._("Article"),
        "api": tk._("API"),
        "other": tk._("Other"),
    }


def _web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _text(
    data_dict: dict[str, Any],
    key: str,
    maximum: int,
    errors: dict[str, list[str]],
    required: bool = False,
) -> str:
    value = data_dict.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[key] = [tk._("Must be text.")]
        return ""
    value = value.strip()
    if required and not value:
        errors[key] = [tk._("Missing value.")]
    elif len(value) > maximum:
        errors[key] = [
            tk._("{length} characters: at most {maximum} are allowed.").format(
                length=len(value), maximum=maximum
            )
        ]
    return value


def _address(
    data_dict: dict[str, Any],
    key: str,
    errors: dict[str, list[str]],
    required: bool = False,
) -> str:
    value = _text(data_dict, key, URL_MAX_LENGTH, errors, required)
    if value and key not in errors and not _web_address(value):
        errors[key] = [
            tk._(
                '"{value}" is not a web address (it must start with https:// '
                "or http://)."
            ).format(value=value)
        ]
    return value


def dataset_references(value: Any) -> list[str]:
    """The datasets given as a list or as text (one per line or separated by
    commas), each by id, name or the address of its page."""
    if value is None:
        return []
    given = value if isinstance(value, list) else [value]
    items = [part for item in given for part in str(item).replace(",", " ").split()]
    references = []
    for item in items:
        reference = str(item).strip().rstrip("/")
        if "/dataset/" in reference:
            reference = reference.split("/dataset/", 1)[1].split("/", 1)[0]
        if reference and reference not in references:
            references.append(reference)
    return references


def can_read(user_name: str | None, package: model.Package) -> bool:
    """Whether the user may see the dataset (active; public, or private and
    readable by them)."""
    if package.state != "active":
        return False
    if not package.private:
        return True
    try:
        tk.check_access("package_show", {"user": user_name or ""}, {"id": package.id})
    except tk.NotAuthorized:
        return False
    return True


def can_moderate(user_name: str | None, package: model.Package) -> bool:
    """The editors and admins of the dataset's organization, sysadmins."""
    org = model.Group.get(package.owner_org) if package.owner_org else None
    if org is None:
        return bool(user_name) and authz.is_sysadmin(user_name)
    return roles.can_act(user_name, org)


def _datasets(
    value: Any, user_name: str | None, errors: dict[str, list[str]]
) -> list[model.Package]:
    references = dataset_references(value)
    if not references:
        errors["datasets"] = [tk._("Missing value: name at least one dataset.")]
        return []
    if len(references) > DATASETS_MAX:
        errors["datasets"] = [
            tk._("{count} datasets: at most {maximum} are allowed.").format(
                count=len(references), maximum=DATASETS_MAX
            )
        ]
        return []
    packages, unknown = [], []
    for reference in references:
        package = model.Package.get(reference)
        if package is None or not can_read(user_name, package):
            unknown.append(reference)
        elif package not in packages:
            packages.append(package)
    if unknown:
        errors["datasets"] = [
            tk._("No dataset of the catalogue is named: {names}.").format(
                names=", ".join(unknown)
            )
        ]
    return packages


def checked(
    data_dict: dict[str, Any], user_name: str | None
) -> tuple[dict[str, str], list[model.Package]]:
    """The reuse's fields and datasets, or a ValidationError naming each wrong
    field and its rule."""
    errors: dict[str, list[str]] = {}
    fields = {
        "title": _text(data_dict, "title", TITLE_MAX_LENGTH, errors, required=True),
        "url": _address(data_dict, "url", errors, required=True),
        "author": _text(data_dict, "author", AUTHOR_MAX_LENGTH, errors),
        "image_url": _address(data_dict, "image_url", errors),
        "description": _text(data_dict, "description", DESCRIPTION_MAX_LENGTH, errors),
    }
    kind = data_dict.get("type")
    allowed = ", ".join(TYPES)
    if kind in (None, ""):
        errors["type"] = [
            tk._("Missing value. Allowed types: {allowed}.").format(allowed=allowed)
        ]
    elif kind not in TYPES:
        errors["type"] = [
            tk._('"{value}" is not a type of reuse. Allowed types: {allowed}.').format(
                value=kind, allowed=allowed
            )
        ]
    fields["type"] = str(kind or "")
    packages = _datasets(data_dict.get("datasets"), user_name, errors)
    if errors:
        raise tk.ValidationError(errors)
    return fields, packages


def create(
    fields: dict[str, str], packages: list[model.Package], user_name: str | None
) -> Reuse:
    """Store a reuse; each link is published at once when its declarer may
    moderate the dataset, pending otherwise."""
    user = model.User.get(user_name) if user_name else None
    reuse = Reuse(**fields, user_id=user.id if user else None, created=now())
    for package in packages:
        published = can_moderate(user_name, package)
        reuse.links.append(
            ReuseDataset(
                package_id=package.id,
                state=PUBLISHED if published else PENDING,
                moderator_id=user.id if published and user else None,
                moderated=now() if published else None,
            )
        )
    model.Session.add(reuse)
    model.Session.commit()
    return reuse


def moderate(link: ReuseDataset, decision: str, user_name: str | None) -> None:
    user = model.User.get(user_name) if user_name else None
    model.Session.query(ReuseDataset).filter_by(
        reuse_id=link.reuse_id, package_id=link.package_id
    ).update(
        {
            "state": DECISIONS[decision],
            "moderator_id": user.id if user else None,
            "moderated": now(),
        }
    )
    model.Session.commit()


def is_declarer(user_name: str | None, reuse: Reuse) -> bool:
    user = model.User.get(user_name) if user_name else None
    return user is not None and user.id == reuse.user_id


def link_visible(user_name: str | None, reuse: Reuse, link: ReuseDataset) -> bool:
    package = model.Package.get(link.package_id)
    if package is None or package.state != "active":
        return False
    if link.state == PUBLISHED and can_read(user_name, package):
        return True
    return can_moderate(user_name, package) or (
        is_declarer(user_name, reuse) and can_read(user_name, package)
    )


def visible(user_name: str | None, reuse: Reuse) -> bool:
    return any(link_visible(user_name, reuse, link) for link in reuse.links)


def as_dict(reuse: Reuse, user_name: str | None) -> dict[str, Any]:
    """The reuse with the links the user may see."""
    user = model.User.get(reuse.user_id) if reuse.user_id else None
    datasets = []
    for link in reuse.links:
        if not link_visible(user_name, reuse, link):
            continue
        package = model.Package.get(link.package_id)
        org = model.Group.get(package.owner_org) if package.owner_org else None
        datasets.append(
            {
                "id": package.id,
                "name": package.name,
                "title": package.title or package.name,
                "organization": org.name if org else None,
                "state": link.state,
            }
        )
    return {
        "id": reuse.id,
        "title": reuse.title,
        "url": reuse.url,
        "type": reuse.type,
        "type_label": type_labels().get(str(reuse.type), str(reuse.type)),
        "author": reuse.author,
        "image_url": reuse.image_url,
        "description": reuse.description,
        "user": user.name if user else None,
        "created": reuse.created.isoformat(),
        "datasets": datasets,
    }


def find(
    user_name: str | None,
    state: str = PUBLISHED,
    package: model.Package | None = None,
    organization: model.Group | None = None,
) -> list[Reuse]:
    """The reuses with a link in ``state`` (to ``package``, or to a dataset of
    ``organization``) that the user may see, newest first."""
    query = (
        model.Session.query(Reuse)
        .join(ReuseDataset, ReuseDataset.reuse_id == Reuse.id)
        .join(model.Package, model.Package.id == ReuseDataset.package_id)
        .filter(ReuseDataset.state == state)
        .filter(model.Package.state == "active")
    )
    if package is not None:
        query = query.filter(ReuseDataset.package_id == package.id)
    if organization is not None:
        query = query.filter(model.Package.owner_org == organization.id)
    reuses = query.order_by(Reuse.created.desc(), Reuse.id).distinct().all()
    return [
        reuse
        for reuse in reuses
        if any(
            link.state == state
            and (package is None or link.package_id == package.id)
            and link_visible(user_name, reuse, link)
            for link in reuse.links
        )
    ]


def published_count(package_ids: list[str]) -> dict[str, int]:
    """Number of published reuses of each dataset."""
    if not package_ids:
        return {}
    rows = (
        model.Session.query(ReuseDataset.package_id, sa.func.count())
        .filter(ReuseDataset.state == PUBLISHED)
        .filter(ReuseDataset.package_id.in_(package_ids))
        .group_by(ReuseDataset.package_id)
        .all()
    )
    return {str(package_id): int(count) for package_id, count in rows}


def notify_moderators(reuse: Reuse) -> int:
    """Mail the editors of each organization that has a reuse to moderate;
    the number of mails sent."""
    pending: dict[str, list[model.Package]] = {}
    for link in reuse.links:
        package = model.Package.get(link.package_id)
        if link.state == PENDING and package is not None and package.owner_org:
            pending.setdefault(str(package.owner_org), []).append(package)
    sent = 0
    for org_id, packages in pending.items():
        org = model.Group.get(org_id)
        subject = tk._("[{site}] A reuse of your data waits for your decision").format(
            site=tk.config.get("ckan.site_title")
        )
        body = tk._(
            'A reuse of {datasets} was declared: "{title}" ({url}).\n\n'
            "Publish or refuse it: {moderation}\n"
        ).format(
            datasets=", ".join(f'"{p.title or p.name}"' for p in packages),
            title=reuse.title,
            url=reuse.url,
            moderation=notify.organization_url(
                "territoire_usage.organization_reuses", org
            ),
        )
        sent += notify.send(notify.editors(org_id), subject, body)
    return sent
