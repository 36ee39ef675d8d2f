"""Conversion to the SCDL (issue 25): the mapping remembered for each
dataset and schema, and each conversion under way (its file, schema,
mapping, progress and report), scdl_convert/model.py.

Revision ID: 0013_scdl_convert
Revises: 0012_forecast
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_scdl_convert"
down_revision = "0012_forecast"
branch_labels = None
depends_on = None


def _package_column() -> sa.Column:
    return sa.Column(
        "package_id",
        sa.UnicodeText,
        sa.ForeignKey("package.id", ondelete="CASCADE"),
        nullable=False,
    )


def _user_column() -> sa.Column:
    return sa.Column(
        "user_id",
        sa.UnicodeText,
        sa.ForeignKey("user.id", ondelete="SET NULL"),
        nullable=True,
    )


def upgrade() -> None:
    op.create_table(
        "territoire_scdl_mapping",
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("schema_name", sa.UnicodeText, primary_key=True),
        sa.Column("mapping", sa.JSON, nullable=False),
        sa.Column("resource_id", sa.UnicodeText, nullable=True),
        _user_column(),
        sa.Column("updated", sa.DateTime, nullable=False),
    )
    op.create_table(
        "territoire_scdl_conversion",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        _package_column(),
        _user_column(),
        sa.Column("filename", sa.UnicodeText, nullable=False),
        sa.Column("format", sa.UnicodeText, nullable=False),
        sa.Column("schema_name", sa.UnicodeText, nullable=True),
        sa.Column("mapping", sa.JSON, nullable=True),
        sa.Column("mapping_source", sa.UnicodeText, nullable=True),
        sa.Column("recognition", sa.JSON, nullable=True),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("rows_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_total", sa.Integer, nullable=True),
        sa.Column("report", sa.JSON, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("updated", sa.DateTime, nullable=False),
    )
    op.create_index(
        "territoire_scdl_conversion_package",
        "territoire_scdl_conversion",
        ["package_id"],
    )


def downgrade() -> None:
    op.drop_index("territoire_scdl_conversion_package")
    op.drop_table("territoire_scdl_conversion")
    op.drop_table("territoire_scdl_mapping")
