"""The tables of reuses and of reusers' questions (migration 0006_usage) and
of the daily usage counts (migration 0007_usage_counts).

A reuse is declared once and may reuse several datasets; each dataset's
organization moderates its own link (``territoire_reuse_dataset.state``):
a reuse of datasets of two communes is shown on each dataset's page as soon
as that dataset's commune published it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from ckan.plugins import toolkit as tk
from sqlalchemy import orm

PENDING = "pending"
PUBLISHED = "published"
REFUSED = "refused"
LINK_STATES = (PENDING, PUBLISHED, REFUSED)
# A question or problem is open until the publisher answers it; hidden when
# the publisher takes it off the page (spam, personal data).
OPEN = "open"
ANSWERED = "answered"
HIDDEN = "hidden"


def now() -> dt.datetime:
    """UTC, without time zone, like CKAN's own timestamps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Reuse(tk.BaseModel):
    __tablename__ = "territoire_reuse"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    title = sa.Column(sa.UnicodeText, nullable=False)
    url = sa.Column(sa.UnicodeText, nullable=False)
    type = sa.Column(sa.UnicodeText, nullable=False)
    author = sa.Column(sa.UnicodeText, nullable=False, default="")
    image_url = sa.Column(sa.UnicodeText, nullable=False, default="")
    description = sa.Column(sa.UnicodeText, nullable=False, default="")
    user_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created = sa.Column(sa.DateTime, nullable=False, default=now)

    links: Any = orm.relationship(
        "ReuseDataset",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )


class ReuseDataset(tk.BaseModel):
    __tablename__ = "territoire_reuse_dataset"

    reuse_id = sa.Column(
        sa.UnicodeText,
        sa.ForeignKey("territoire_reuse.id", ondelete="CASCADE"),
        primary_key=True,
    )
    package_id = sa.Column(
        sa.UnicodeText,
        sa.ForeignKey("package.id", ondelete="CASCADE"),
        primary_key=True,
    )
    state = sa.Column(sa.UnicodeText, nullable=False, default=PENDING)
    moderator_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    moderated = sa.Column(sa.DateTime, nullable=True)


class Feedback(tk.BaseModel):
    """A question or problem a reuser reported on a dataset, with the
    publisher's public answer."""

    __tablename__ = "territoire_feedback"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    package_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False
    )
    resource_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("resource.id", ondelete="SET NULL"), nullable=True
    )
    kind = sa.Column(sa.UnicodeText, nullable=False)
    message = sa.Column(sa.UnicodeText, nullable=False)
    user_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created = sa.Column(sa.DateTime, nullable=False, default=now)
    state = sa.Column(sa.UnicodeText, nullable=False, default=OPEN)
    answer = sa.Column(sa.UnicodeText, nullable=False, default="")
    answered_by = sa.Column(
        sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    answered = sa.Column(sa.DateTime, nullable=True)


class UsageCount(tk.BaseModel):
    """How many visitors did one kind of thing with a dataset (resource_id
    empty) or one of its resources on one day (UTC)."""

    __tablename__ = "territoire_usage_count"

    package_id = sa.Column(
        sa.UnicodeText,
        sa.ForeignKey("package.id", ondelete="CASCADE"),
        primary_key=True,
    )
    resource_id = sa.Column(sa.UnicodeText, primary_key=True, default="")
    kind = sa.Column(sa.UnicodeText, primary_key=True)
    day = sa.Column(sa.Date, primary_key=True)
    count = sa.Column(sa.Integer, nullable=False)
