"""States of CKAN's database taken once in a session and put back in a few
milliseconds, instead of being rebuilt before each test.

Most tests start from an empty catalogue (``clean_db``), and most of those
then create the same small territory (``territory``: eight people with API
tokens, the EPCI and two communes): rebuilding the database and creating the
territory cost about a second per test, a quarter of the suite. Here the
rows of every table (migrations' version tables aside) are read once after
each state was first made for real, and each later test deletes every row
and inserts the state's rows again, in the order of the foreign keys. The
territory's people keep their API tokens (the tokens' rows come back), and
its dict is returned as it was made.

When a state cannot be put back (a migration test left a table out), the
database is rebuilt for real and the state taken again.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model


def _tables() -> list[sa.Table]:
    """CKAN's tables as the database has them, in the order of their
    foreign keys (the migrations' version tables left out)."""
    metadata = sa.MetaData()
    with warnings.catch_warnings():
        # Expression indexes are not reflected: only the rows matter here.
        warnings.filterwarnings("ignore", category=sa.exc.SAWarning)
        metadata.reflect(model.meta.engine)
    return [t for t in metadata.sorted_tables if not t.name.endswith("alembic_version")]


@dataclass
class Snapshot:
    tables: list[sa.Table]
    rows: dict[str, list[dict[str, Any]]]
    value: Any = None  # what the fixture that made the state returned

    @classmethod
    def take(cls, value: Any = None) -> Snapshot:
        model.Session.remove()
        tables = _tables()
        with model.meta.engine.connect() as connection:
            rows = {
                table.name: [
                    dict(row._mapping) for row in connection.execute(table.select())
                ]
                for table in tables
            }
        return cls(tables, rows, copy.deepcopy(value))

    def restore(self) -> Any:
        """Every row deleted, the state's rows inserted; returns a copy of the
        value of the fixture that made it."""
        model.Session.remove()
        with model.meta.engine.begin() as connection:
            for table in reversed(self.tables):
                connection.execute(table.delete())
            for table in self.tables:
                if self.rows[table.name]:
                    connection.execute(table.insert(), self.rows[table.name])
        return copy.deepcopy(self.value)

    def is_current(self) -> bool:
        """Whether the database holds exactly the state's number of rows in
        every table (cheap: one query), that is, nothing was written since
        it was put back."""
        counts = " UNION ALL ".join(
            f"SELECT '{t.name}', count(*) FROM \"{t.name}\"" for t in self.tables
        )
        with model.meta.engine.connect() as connection:
            found = {name: n for name, n in connection.execute(sa.text(counts))}
        return found == {name: len(rows) for name, rows in self.rows.items()}


# The states of this process (one per pytest-xdist worker).
states: dict[str, Snapshot] = {}
