"""The table of the forecast of planned purchases (migration 0012_forecast):
one row per purchase an organization (the EPCI or a commune) plans. It is
the source of truth; the organization's "Achats prévus" dataset is written
from it (future/publication.py) after every change."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from ckan.plugins import toolkit as tk


def now() -> dt.datetime:
    """UTC, without time zone, like CKAN's own timestamps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class ForecastEntry(tk.BaseModel):
    __tablename__ = "territoire_forecast_entry"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    organization_id = sa.Column(
        sa.UnicodeText,
        sa.ForeignKey("group.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    object = sa.Column(sa.UnicodeText, nullable=False)
    cpv_division = sa.Column(sa.UnicodeText, nullable=False)
    amount_band = sa.Column(sa.UnicodeText, nullable=False)
    year = sa.Column(sa.Integer, nullable=False)
    quarter = sa.Column(sa.Integer, nullable=False)  # 1 to 4
    procedure = sa.Column(sa.UnicodeText, nullable=False, default="")
    contact_name = sa.Column(sa.UnicodeText, nullable=False, default="")
    contact_email = sa.Column(sa.UnicodeText, nullable=False, default="")
    contact_phone = sa.Column(sa.UnicodeText, nullable=False, default="")
    notes = sa.Column(sa.UnicodeText, nullable=False, default="")
    created = sa.Column(sa.DateTime, nullable=False, default=now)
    modified = sa.Column(sa.DateTime, nullable=False, default=now)
