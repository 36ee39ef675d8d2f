"""What the conversion to the SCDL stores (tables made by the plugin's
alembic migration 0013_scdl_convert): the mapping remembered for a dataset
and a schema, so that next month's file converts in one step, and each
conversion under way, whose file lies in the storage (files.py)."""

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


class RememberedMapping(tk.BaseModel):
    """The mapping last published for a dataset and a schema, and the
    resource it published."""

    __tablename__ = "territoire_scdl_mapping"
    # Columns typed Any: read and written as plain values.

    package_id: Any = sa.Column(
        sa.UnicodeText,
        sa.ForeignKey("package.id", ondelete="CASCADE"),
        primary_key=True,
    )
    schema_name: Any = sa.Column(sa.UnicodeText, primary_key=True)
    mapping: Any = sa.Column(sa.JSON, nullable=False)
    resource_id: Any = sa.Column(sa.UnicodeText, nullable=True)
    user_id: Any = sa.Column(
        sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    updated: Any = sa.Column(sa.DateTime, nullable=False, default=now)


class Conversion(tk.BaseModel):
    """One file being converted. ``status``: ``ready`` (read, schema and
    mapping proposed), ``queued`` and ``running`` (the background job),
    ``done`` (converted: see ``report``), ``error``, ``published``."""

    __tablename__ = "territoire_scdl_conversion"

    id: Any = sa.Column(
        sa.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4())
    )
    package_id: Any = sa.Column(
        sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Any = sa.Column(
        sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    filename: Any = sa.Column(sa.UnicodeText, nullable=False)
    format: Any = sa.Column(sa.UnicodeText, nullable=False)
    schema_name: Any = sa.Column(sa.UnicodeText, nullable=True)
    mapping: Any = sa.Column(sa.JSON, nullable=True)
    # ``remembered``, ``proposed`` or ``given`` (by the editor or the caller).
    mapping_source: Any = sa.Column(sa.UnicodeText, nullable=True)
    recognition: Any = sa.Column(sa.JSON, nullable=True)
    status: Any = sa.Column(sa.UnicodeText, nullable=False)
    rows_done: Any = sa.Column(sa.Integer, nullable=False, default=0)
    rows_total: Any = sa.Column(sa.Integer, nullable=True)
    report: Any = sa.Column(sa.JSON, nullable=True)
    created: Any = sa.Column(sa.DateTime, nullable=False, default=now)
    updated: Any = sa.Column(sa.DateTime, nullable=False, default=now)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "package_id": self.package_id,
            "filename": self.filename,
            "format": self.format,
            "schema_name": self.schema_name,
            "mapping": self.mapping,
            "mapping_source": self.mapping_source,
            "recognition": self.recognition,
            "status": self.status,
            "rows_done": self.rows_done,
            "rows_total": self.rows_total,
            "report": self.report,
            "created": self.created.isoformat() if self.created else None,
        }


def remembered(package_id: str, schema_name: str) -> RememberedMapping | None:
    return model.Session.get(RememberedMapping, (package_id, schema_name))


def remembered_for(package_id: str) -> list[RememberedMapping]:
    return (
        model.Session.query(RememberedMapping)
        .filter(RememberedMapping.package_id == package_id)
        .order_by(RememberedMapping.updated.desc())
        .all()
    )
