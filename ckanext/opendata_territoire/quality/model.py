"""Stored results of the quality checks (tables created by the plugin's
alembic migration 0003_quality).

The personal-data guard keeps every check it made and every confirmation
given, never updated: together they are the audit trail. A resource's
current check is its latest one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk


def now() -> dt.datetime:
    """UTC, without time zone, like CKAN's own timestamps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _new_id() -> str:
    return str(uuid.uuid4())


def _user(user_id: str | None) -> dict[str, Any]:
    user = model.User.get(user_id) if user_id else None
    return {
        "user": user.name if user else None,
        "user_display_name": user.display_name if user else None,
    }


class PersonalDataCheck(tk.BaseModel):
    """What the guard found in one content of a resource.

    ``status``: ``clear`` (nothing found), ``findings`` (see ``findings``),
    ``unchecked`` (see ``reason``: ``format`` for a file that is not CSV,
    ``unreachable``, ``not_stored``, ``not_a_table``). ``suspended``: the
    check made its public dataset private.
    """

    __tablename__ = "territoire_personal_data_check"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_new_id)
    resource_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("resource.id", ondelete="CASCADE"), nullable=False
    )
    package_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False
    )
    content_key = sa.Column(sa.UnicodeText, nullable=False)
    status = sa.Column(sa.UnicodeText, nullable=False)
    reason = sa.Column(sa.UnicodeText, nullable=True)
    findings = sa.Column(sa.JSON, nullable=False, default=list)
    rows_read = sa.Column(sa.Integer, nullable=False, default=0)
    suspended = sa.Column(sa.Boolean, nullable=False, default=False)
    user_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created = sa.Column(sa.DateTime, nullable=False, default=now)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "resource_id": self.resource_id,
            "status": self.status,
            "reason": self.reason,
            "findings": list(self.findings or []),
            "rows_read": self.rows_read,
            "suspended": self.suspended,
            **_user(str(self.user_id) if self.user_id else None),
            "created": self.created.isoformat(),
        }


class PersonalDataConfirmation(tk.BaseModel):
    """An editor's confirmation that the findings of a check may be
    published, with the reason."""

    __tablename__ = "territoire_personal_data_confirmation"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_new_id)
    check_id = sa.Column(
        sa.UnicodeText,
        sa.ForeignKey("territoire_personal_data_check.id", ondelete="CASCADE"),
        nullable=False,
    )
    reason = sa.Column(sa.UnicodeText, nullable=False)
    user_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created = sa.Column(sa.DateTime, nullable=False, default=now)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.check_id,
            "reason": self.reason,
            **_user(str(self.user_id) if self.user_id else None),
            "created": self.created.isoformat(),
        }


def latest_checks(resource_ids: list[str]) -> dict[str, PersonalDataCheck]:
    """The current check of each resource that has one."""
    if not resource_ids:
        return {}
    rows = (
        model.Session.query(PersonalDataCheck)
        .filter(PersonalDataCheck.resource_id.in_(resource_ids))
        .distinct(PersonalDataCheck.resource_id)
        .order_by(
            PersonalDataCheck.resource_id,
            PersonalDataCheck.created.desc(),
            PersonalDataCheck.id.desc(),
        )
        .all()
    )
    return {str(row.resource_id): row for row in rows}


def confirmation_of(check_id: str) -> PersonalDataConfirmation | None:
    return (
        model.Session.query(PersonalDataConfirmation)
        .filter(PersonalDataConfirmation.check_id == check_id)
        .order_by(PersonalDataConfirmation.created.desc())
        .first()
    )


def history(package_id: str) -> list[tuple[PersonalDataCheck, list]]:
    """Every check of a dataset's resources that found something or made
    the dataset private, newest first, with its confirmations."""
    checks = (
        model.Session.query(PersonalDataCheck)
        .filter(PersonalDataCheck.package_id == package_id)
        .filter(
            sa.or_(
                PersonalDataCheck.status == "findings",
                PersonalDataCheck.suspended.is_(True),
            )
        )
        .order_by(PersonalDataCheck.created.desc(), PersonalDataCheck.id.desc())
        .all()
    )
    confirmations: dict[str, list[PersonalDataConfirmation]] = {}
    if checks:
        for row in (
            model.Session.query(PersonalDataConfirmation)
            .filter(PersonalDataConfirmation.check_id.in_([c.id for c in checks]))
            .order_by(PersonalDataConfirmation.created)
        ):
            confirmations.setdefault(str(row.check_id), []).append(row)
    return [(check, confirmations.get(str(check.id), [])) for check in checks]


class ResourceValidation(tk.BaseModel):
    """The latest validation of a resource: whether it could be downloaded
    and whether it follows its national schema.

    ``status``: ``pending`` (queued), ``valid``, ``invalid``, ``error`` (not
    validated, see ``reason``), ``unsupported`` (the schema is not a Table
    Schema), ``none`` (nothing to validate: no schema, or not a CSV file;
    only ``reachable`` is known). ``content_key``: the content and schema
    validated, to validate again only when one of them changes.
    """

    __tablename__ = "territoire_resource_validation"

    resource_id = sa.Column(
        sa.UnicodeText,
        sa.ForeignKey("resource.id", ondelete="CASCADE"),
        primary_key=True,
    )
    package_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False
    )
    content_key = sa.Column(sa.UnicodeText, nullable=False)
    status = sa.Column(sa.UnicodeText, nullable=False)
    reason = sa.Column(sa.UnicodeText, nullable=True)
    schema_name = sa.Column(sa.UnicodeText, nullable=True)
    schema_version = sa.Column(sa.UnicodeText, nullable=True)
    schema_title = sa.Column(sa.UnicodeText, nullable=True)
    schema_url = sa.Column(sa.UnicodeText, nullable=True)
    reachable = sa.Column(sa.Boolean, nullable=True)
    report = sa.Column(sa.JSON, nullable=True)
    queued = sa.Column(sa.DateTime, nullable=False, default=now)
    checked = sa.Column(sa.DateTime, nullable=True)

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource_id": self.resource_id,
            "status": self.status,
            "reason": self.reason,
            "schema": {
                "name": self.schema_name,
                "version": self.schema_version,
                "title": self.schema_title,
                "url": self.schema_url,
            }
            if self.schema_name
            else None,
            "reachable": self.reachable,
            "report": self.report,
            "queued": self.queued.isoformat(),
            "checked": self.checked.isoformat() if self.checked else None,
        }


def validations(resource_ids: list[str]) -> dict[str, ResourceValidation]:
    if not resource_ids:
        return {}
    rows = model.Session.query(ResourceValidation).filter(
        ResourceValidation.resource_id.in_(resource_ids)
    )
    return {str(row.resource_id): row for row in rows}
