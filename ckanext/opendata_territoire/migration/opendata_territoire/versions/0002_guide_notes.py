"""The notes an EPCI's administrators add to the onboarding guide of their
territory, one row per save (the history is kept; the current note of a step
is the latest row).

Revision ID: 0002_guide_notes
Revises: 0001_checklist_answers
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_guide_notes"
down_revision = "0001_checklist_answers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "territoire_guide_note",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "epci_id",
            sa.UnicodeText,
            sa.ForeignKey("group.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("step_id", sa.UnicodeText, nullable=False),
        sa.Column("note", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("links", sa.UnicodeText, nullable=False, server_default="[]"),
        sa.Column(
            "user_id",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index(
        "territoire_guide_note_epci_step_created",
        "territoire_guide_note",
        ["epci_id", "step_id", "created"],
    )


def downgrade() -> None:
    op.drop_table("territoire_guide_note")
