"""One organization per SIREN: a unique index on the ``siren`` extras of
groups, so that every lookup of an organization by SIREN (who is the EPCI,
whose contracts these are) has one answer. Deleted organizations keep their
SIREN until they are purged.

A database that already holds two organizations with one SIREN cannot take
the index: the migration stops and names them, for a sysadmin to fix (edit
one's SIREN, or purge the deleted one) before running it again.

Revision ID: 0009_unique_siren
Revises: 0008_observatory
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_unique_siren"
down_revision = "0008_observatory"
branch_labels = None
depends_on = None

INDEX = "territoire_group_extra_siren_unique"


def upgrade() -> None:
    duplicates = (
        op.get_bind()
        .execute(
            sa.text(
                """
                SELECT e.value, string_agg(g.name || ' (' || g.state || ')', ', '
                                           ORDER BY g.created)
                FROM group_extra e JOIN "group" g ON g.id = e.group_id
                WHERE e.key = 'siren' AND e.value <> ''
                GROUP BY e.value HAVING count(*) > 1
                """
            )
        )
        .fetchall()
    )
    if duplicates:
        listed = "; ".join(f"SIREN {siren}: {names}" for siren, names in duplicates)
        raise RuntimeError(
            "Several organizations share a SIREN, which must name one "
            f"organization: {listed}. Change the SIREN of all but one (or purge "
            "the deleted ones), then run the migration again."
        )
    op.create_index(
        INDEX,
        "group_extra",
        ["value"],
        unique=True,
        postgresql_where=sa.text("key = 'siren' AND value <> ''"),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="group_extra")
