"""Daily usage counts of each dataset and resource: page views, downloads,
DataStore dumps and API reads, already deduplicated per visitor and day (no
visitor data is stored here).

Revision ID: 0007_usage_counts
Revises: 0006_usage
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_usage_counts"
down_revision = "0006_usage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "territoire_usage_count",
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        # Empty for what concerns the dataset as a whole (its page,
        # package_show).
        sa.Column("resource_id", sa.UnicodeText, primary_key=True, server_default=""),
        sa.Column("kind", sa.UnicodeText, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_index("territoire_usage_count_day", "territoire_usage_count", ["day"])


def downgrade() -> None:
    op.drop_table("territoire_usage_count")
