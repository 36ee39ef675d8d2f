"""Reuses of the catalogue's datasets (what a reuser declared, and for each
dataset it reuses whether the dataset's organization published or refused
it), and the questions and problems reusers report on a dataset with the
publisher's public answer.

Revision ID: 0006_usage
Revises: 0003_quality
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_usage"
down_revision = "0003_quality"
branch_labels = None
depends_on = None


def _user_column(name: str) -> sa.Column:
    return sa.Column(
        name,
        sa.UnicodeText,
        sa.ForeignKey("user.id", ondelete="SET NULL"),
        nullable=True,
    )


def upgrade() -> None:
    op.create_table(
        "territoire_reuse",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("url", sa.UnicodeText, nullable=False),
        sa.Column("type", sa.UnicodeText, nullable=False),
        sa.Column("author", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("image_url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        _user_column("user_id"),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "territoire_reuse_dataset",
        sa.Column(
            "reuse_id",
            sa.UnicodeText,
            sa.ForeignKey("territoire_reuse.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("state", sa.UnicodeText, nullable=False),
        _user_column("moderator_id"),
        sa.Column("moderated", sa.DateTime, nullable=True),
    )
    op.create_index(
        "territoire_reuse_dataset_package_state",
        "territoire_reuse_dataset",
        ["package_id", "state"],
    )
    op.create_table(
        "territoire_feedback",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "resource_id",
            sa.UnicodeText,
            sa.ForeignKey("resource.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("message", sa.UnicodeText, nullable=False),
        _user_column("user_id"),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("answer", sa.UnicodeText, nullable=False, server_default=""),
        _user_column("answered_by"),
        sa.Column("answered", sa.DateTime, nullable=True),
    )
    op.create_index(
        "territoire_feedback_package_created",
        "territoire_feedback",
        ["package_id", "created"],
    )


def downgrade() -> None:
    op.drop_table("territoire_feedback")
    op.drop_table("territoire_reuse_dataset")
    op.drop_table("territoire_reuse")
