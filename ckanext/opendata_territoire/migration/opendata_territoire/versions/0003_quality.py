"""Data quality: the checks of the personal-data guard and the editors'
confirmations (the audit trail); the latest validation of each resource
(reachability, conformance to its national schema).

Revision ID: 0003_quality
Revises: 0002_guide_notes
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_quality"
down_revision = "0002_guide_notes"
branch_labels = None
depends_on = None


def _user_column() -> sa.Column:
    return sa.Column(
        "user_id",
        sa.UnicodeText,
        sa.ForeignKey("user.id", ondelete="SET NULL"),
        nullable=True,
    )


def upgrade() -> None:
    op.create_table(
        "territoire_personal_data_check",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "resource_id",
            sa.UnicodeText,
            sa.ForeignKey("resource.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("content_key", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=True),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("suspended", sa.Boolean, nullable=False, server_default="false"),
        _user_column(),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index(
        "territoire_personal_data_check_resource_created",
        "territoire_personal_data_check",
        ["resource_id", "created"],
    )
    op.create_index(
        "territoire_personal_data_check_package",
        "territoire_personal_data_check",
        ["package_id"],
    )
    op.create_table(
        "territoire_personal_data_confirmation",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "check_id",
            sa.UnicodeText,
            sa.ForeignKey("territoire_personal_data_check.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        _user_column(),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index(
        "territoire_personal_data_confirmation_check",
        "territoire_personal_data_confirmation",
        ["check_id"],
    )
    op.create_table(
        "territoire_resource_validation",
        sa.Column(
            "resource_id",
            sa.UnicodeText,
            sa.ForeignKey("resource.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("content_key", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=True),
        sa.Column("schema_name", sa.UnicodeText, nullable=True),
        sa.Column("schema_version", sa.UnicodeText, nullable=True),
        sa.Column("schema_title", sa.UnicodeText, nullable=True),
        sa.Column("schema_url", sa.UnicodeText, nullable=True),
        sa.Column("reachable", sa.Boolean, nullable=True),
        sa.Column("report", sa.JSON, nullable=True),
        sa.Column("queued", sa.DateTime, nullable=False),
        sa.Column("checked", sa.DateTime, nullable=True),
    )
    op.create_index(
        "territoire_resource_validation_package",
        "territoire_resource_validation",
        ["package_id"],
    )


def downgrade() -> None:
    op.drop_table("territoire_resource_validation")
    op.drop_table("territoire_personal_data_confirmation")
    op.drop_table("territoire_personal_data_check")
