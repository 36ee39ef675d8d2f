"""The answers of the readiness checklist, one row per answer given (the
history is kept; the current answer is the latest row).

Revision ID: 0001_checklist_answers
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_checklist_answers"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "territoire_checklist_answer",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "organization_id",
            sa.UnicodeText,
            sa.ForeignKey("group.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("question_id", sa.UnicodeText, nullable=False),
        sa.Column("answer", sa.UnicodeText, nullable=False),
        sa.Column("comment", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column(
            "user_id",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index(
        "territoire_checklist_answer_org_question_created",
        "territoire_checklist_answer",
        ["organization_id", "question_id", "created"],
    )


def downgrade() -> None:
    op.drop_table("territoire_checklist_answer")
