"""The forecast of planned purchases: each buyer organization's entries
(future/model.py), the source of truth of its "Achats prévus" dataset.

Revision ID: 0012_forecast
Revises: 0011_peers
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_forecast"
down_revision = "0011_peers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "territoire_forecast_entry",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "organization_id",
            sa.UnicodeText,
            sa.ForeignKey("group.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("object", sa.UnicodeText, nullable=False),
        sa.Column("cpv_division", sa.UnicodeText, nullable=False),
        sa.Column("amount_band", sa.UnicodeText, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("quarter", sa.Integer, nullable=False),
        sa.Column("procedure", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("contact_name", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("contact_email", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("contact_phone", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("notes", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.CheckConstraint(
            "quarter BETWEEN 1 AND 4", name="territoire_forecast_quarter"
        ),
    )


def downgrade() -> None:
    op.drop_table("territoire_forecast_entry")
