"""The procurement observatory: the supplier cache (SIRENE search service),
the EPCI's register of local firms, and the awards derived from the buyers'
DataStore tables.

Revision ID: 0008_observatory
Revises: 0007_usage_counts
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_observatory"
down_revision = "0007_usage_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "territoire_supplier",
        sa.Column("siret", sa.UnicodeText, primary_key=True),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("name", sa.UnicodeText),
        sa.Column("commune", sa.UnicodeText),
        sa.Column("commune_name", sa.UnicodeText),
        sa.Column("category", sa.UnicodeText),
        sa.Column("checked", sa.DateTime, nullable=False),
    )
    op.create_table(
        "territoire_supplier_register",
        sa.Column("siret", sa.UnicodeText, primary_key=True),
        sa.Column("name", sa.UnicodeText),
        sa.Column("commune", sa.UnicodeText),
        sa.Column("category", sa.UnicodeText),
    )
    op.create_table(
        "territoire_procurement_award",
        sa.Column("uid", sa.UnicodeText, primary_key=True),
        sa.Column("rank", sa.Integer, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("buyer_siren", sa.UnicodeText, nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("cpv_division", sa.UnicodeText),
        sa.Column("procedure", sa.UnicodeText),
        sa.Column("nature", sa.UnicodeText),
        sa.Column("amount", sa.Float),
        sa.Column("offers", sa.Integer),
        sa.Column("published", sa.Date),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("siret", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("commune", sa.UnicodeText),
        sa.Column("category", sa.UnicodeText),
        sa.Column("locality", sa.UnicodeText, nullable=False, server_default="unknown"),
    )
    op.create_index(
        "territoire_procurement_award_buyer",
        "territoire_procurement_award",
        ["buyer_siren"],
    )
    op.create_index(
        "territoire_procurement_award_siret",
        "territoire_procurement_award",
        ["siret"],
    )


def downgrade() -> None:
    op.drop_table("territoire_procurement_award")
    op.drop_table("territoire_supplier_register")
    op.drop_table("territoire_supplier")
