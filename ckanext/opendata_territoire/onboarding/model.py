"""Stored answers of the readiness checklist (table created by the plugin's
alembic migration 0001_checklist_answers)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk


class ChecklistAnswer(tk.BaseModel):
    __tablename__ = "territoire_checklist_answer"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    organization_id = sa.Column(sa.UnicodeText, nullable=False)
    question_id = sa.Column(sa.UnicodeText, nullable=False)
    answer = sa.Column(sa.UnicodeText, nullable=False)
    comment = sa.Column(sa.UnicodeText, nullable=False, default="")
    user_id = sa.Column(sa.UnicodeText, nullable=True)
    created = sa.Column(
        sa.DateTime,
        nullable=False,
        default=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )

    def as_dict(self) -> dict[str, Any]:
        user = model.User.get(self.user_id) if self.user_id else None
        return {
            "question_id": self.question_id,
            "answer": self.answer,
            "comment": self.comment,
            "user": user.name if user else None,
            "created": self.created.isoformat(),
        }


def record(
    org_id: str, question_id: str, answer: str, comment: str, user_id: str | None
) -> ChecklistAnswer:
    row = ChecklistAnswer(
        organization_id=org_id,
        question_id=question_id,
        answer=answer,
        comment=comment,
        user_id=user_id,
    )
    model.Session.add(row)
    model.Session.commit()
    return row


def current(org_id: str) -> dict[str, ChecklistAnswer]:
    """The latest answer of each question of an organization."""
    rows = (
        model.Session.query(ChecklistAnswer)
        .filter(ChecklistAnswer.organization_id == org_id)
        .order_by(ChecklistAnswer.created)
        .all()
    )
    return {row.question_id: row for row in rows}


def history(org_id: str, question_id: str | None = None) -> list[ChecklistAnswer]:
    query = model.Session.query(ChecklistAnswer).filter(
        ChecklistAnswer.organization_id == org_id
    )
    if question_id:
        query = query.filter(ChecklistAnswer.question_id == question_id)
    return query.order_by(ChecklistAnswer.created.desc()).all()
