"""Where each award's titulaire is placed from: the commune and category the
contract's source gives (the tabular consolidation joins SIRENE), and the
origin of the place used (register, source or SIRENE).

Revision ID: 0010_award_sources
Revises: 0009_unique_siren
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_award_sources"
down_revision = "0009_unique_siren"
branch_labels = None
depends_on = None

TABLE = "territoire_procurement_award"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("source_commune", sa.UnicodeText))
    op.add_column(TABLE, sa.Column("source_category", sa.UnicodeText))
    op.add_column(TABLE, sa.Column("origin", sa.UnicodeText))


def downgrade() -> None:
    op.drop_column(TABLE, "origin")
    op.drop_column(TABLE, "source_category")
    op.drop_column(TABLE, "source_commune")
