"""The territory among its peers: every EPCI's procurement figures from the
national tabular consolidation (peers/model.py).

Revision ID: 0011_peers
Revises: 0010_award_sources
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_peers"
down_revision = "0010_award_sources"
branch_labels = None
depends_on = None

MEASURES = (
    "contracts",
    "amount",
    "territory_contracts",
    "territory_amount",
    "departement_contracts",
    "departement_amount",
    "unknown_contracts",
    "unknown_amount",
    "small_contracts",
    "small_amount",
    "offers_known",
    "single_offer",
)


def upgrade() -> None:
    op.create_table(
        "territoire_peer_figure",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("cpv_division", sa.UnicodeText, primary_key=True),
        sa.Column("epci_siren", sa.UnicodeText, primary_key=True),
        *[sa.Column(name, sa.Float, nullable=False) for name in MEASURES],
    )
    op.create_table(
        "territoire_peer_refresh",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("refreshed", sa.DateTime, nullable=False),
        sa.Column("source", sa.UnicodeText, nullable=False),
        sa.Column("rows_read", sa.BigInteger, nullable=False),
        sa.Column("contracts", sa.BigInteger, nullable=False),
        sa.Column("epcis", sa.Integer, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("territoire_peer_refresh")
    op.drop_table("territoire_peer_figure")
