"""The forecast's entries in the table (future/model.py): written, read,
and each change followed by the organization's publication
(future/publication.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ckan import authz, model

from ckanext.opendata_territoire.future import forecast, publication
from ckanext.opendata_territoire.future.model import ForecastEntry, now
from ckanext.opendata_territoire.territory import roles


def may_edit(user_name: str | None, org: model.Group) -> bool:
    """Whether the user edits the forecast of ``org``: its admins and
    sysadmins. The EPCI's admins edit the EPCI's own forecast only, not its
    member communes' (each commune answers for its own purchases)."""
    if not user_name:
        return False
    return authz.is_sysadmin(user_name) or authz.has_user_permission_for_group_or_org(
        org.id, user_name, "admin"
    )


def organization(reference: Any) -> model.Group | None:
    org = roles.organization(str(reference or ""))
    return org if org is not None and org.state == "active" else None


def get(entry_id: Any) -> ForecastEntry | None:
    return model.Session.get(ForecastEntry, str(entry_id or "")) if entry_id else None


def _org_dict(org: model.Group) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "title": org.title or org.name}


def as_dict(entry: ForecastEntry, org: model.Group | None = None) -> dict[str, Any]:
    org = org or model.Group.get(entry.organization_id)
    assert org is not None
    return forecast.as_dict(entry, _org_dict(org))


def listed(org: model.Group | None = None) -> list[ForecastEntry]:
    """The entries of ``org``, or of every active organization, by quarter."""
    query = (
        model.Session.query(ForecastEntry)
        .join(model.Group, model.Group.id == ForecastEntry.organization_id)
        .filter(model.Group.state == "active")
    )
    if org is not None:
        query = query.filter(ForecastEntry.organization_id == org.id)
    return query.order_by(
        ForecastEntry.year,
        ForecastEntry.quarter,
        model.Group.name,
        ForecastEntry.object,
        ForecastEntry.id,
    ).all()


def _set(entry: Any, fields: dict[str, Any]) -> None:
    for key in (
        "object",
        "cpv_division",
        "amount_band",
        "year",
        "quarter",
        "procedure",
        "contact_name",
        "contact_email",
        "contact_phone",
        "notes",
    ):
        setattr(entry, key, fields[key])
    entry.modified = now()


def create(org: model.Group, fields: dict[str, Any]) -> ForecastEntry:
    entry = ForecastEntry(organization_id=org.id, created=now())
    _set(entry, fields)
    model.Session.add(entry)
    model.Session.commit()
    publication.publish_safely(org.id)
    return entry


def update(entry: ForecastEntry, fields: dict[str, Any]) -> ForecastEntry:
    _set(entry, fields)
    model.Session.commit()
    publication.publish_safely(str(entry.organization_id))
    return entry


def delete(entry: ForecastEntry) -> None:
    org_id = str(entry.organization_id)
    model.Session.delete(entry)
    model.Session.commit()
    publication.publish_safely(org_id)


def stored_values(entry: ForecastEntry) -> dict[str, Any]:
    """The entry's fields as ``forecast.check`` reads them."""
    return {
        "object": entry.object,
        "cpv_division": entry.cpv_division,
        "amount_band": entry.amount_band,
        "quarter": f"{entry.year}-T{entry.quarter}",
        "procedure": entry.procedure,
        "contact_name": entry.contact_name,
        "contact_email": entry.contact_email,
        "contact_phone": entry.contact_phone,
        "notes": entry.notes,
    }


def add_all(
    org: model.Group, many: Iterable[dict[str, Any]], replace: bool = False
) -> int:
    """Adds the entries (after removing the current ones with ``replace``),
    in one transaction, then publishes once. Returns the entries added."""
    if replace:
        model.Session.query(ForecastEntry).filter(
            ForecastEntry.organization_id == org.id
        ).delete(synchronize_session=False)
    count = 0
    for fields in many:
        entry = ForecastEntry(organization_id=org.id, created=now())
        _set(entry, fields)
        model.Session.add(entry)
        count += 1
    model.Session.commit()
    publication.publish_safely(org.id)
    return count
