"""Stored answers of the readiness checklist (table created by the plugin's
alembic migration 0001_checklist_answers).

Every answer given is a new row, never updated: the history is the table, and
the current answer to a question is the organization's latest row for it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk


def _now() -> dt.datetime:
    """UTC, without time zone, like CKAN's own timestamps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class ChecklistAnswer(tk.BaseModel):
    __tablename__ = "territoire_checklist_answer"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    organization_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("group.id", ondelete="CASCADE"), nullable=False
    )
    question_id = sa.Column(sa.UnicodeText, nullable=False)
    answer = sa.Column(sa.UnicodeText, nullable=False)
    comment = sa.Column(sa.UnicodeText, nullable=False, default="")
    user_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created = sa.Column(sa.DateTime, nullable=False, default=_now)

    def as_dict(self) -> dict[str, Any]:
        user = model.User.get(self.user_id) if self.user_id else None
        return {
            "question_id": self.question_id,
            "answer": self.answer,
            "comment": self.comment,
            "user": user.name if user else None,
            "user_display_name": user.display_name if user else None,
            "created": self.created.isoformat(),
        }


def record(
    org_id: str,
    question_id: str,
    answer: str,
    comment: str,
    user_id: str | None,
    commit: bool = True,
) -> ChecklistAnswer:
    """Store one answer (a new row: the earlier ones stay)."""
    row = ChecklistAnswer(
        organization_id=org_id,
        question_id=question_id,
        answer=answer,
        comment=comment,
        user_id=user_id,
        created=_now(),
    )
    model.Session.add(row)
    if commit:
        model.Session.commit()
    else:
        model.Session.flush()
    return row


def current(org_id: str) -> dict[str, ChecklistAnswer]:
    """The latest answer of each question of an organization (PostgreSQL's
    DISTINCT ON, served by the (organization, question, created) index)."""
    rows = (
        model.Session.query(ChecklistAnswer)
        .filter(ChecklistAnswer.organization_id == org_id)
        .distinct(ChecklistAnswer.question_id)
        .order_by(
            ChecklistAnswer.question_id,
            ChecklistAnswer.created.desc(),
            ChecklistAnswer.id.desc(),
        )
        .all()
    )
    return {str(row.question_id): row for row in rows}


def history(
    org_id: str, question_id: str | None = None, limit: int | None = None
) -> list[ChecklistAnswer]:
    """Every answer of an organization (to one question), newest first (the
    ``limit`` newest)."""
    query = model.Session.query(ChecklistAnswer).filter(
        ChecklistAnswer.organization_id == org_id
    )
    if question_id:
        query = query.filter(ChecklistAnswer.question_id == question_id)
    query = query.order_by(ChecklistAnswer.created.desc(), ChecklistAnswer.id.desc())
    return query.limit(limit).all()
