"""The plugin's alembic migrations: `ckan db upgrade` (every enabled plugin)
or `ckan db upgrade -p opendata_territoire` creates the plugin's tables, the
version is tracked in opendata_territoire_alembic_version, and they go back
down cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli import db
from ckan.cli.cli import ckan

pytestmark = pytest.mark.usefixtures("clean_db")

TABLE = "territoire_checklist_answer"
GUIDE_TABLE = "territoire_guide_note"
VERSIONS = (
    Path(__file__).parents[2]
    / "ckanext/opendata_territoire/migration/opendata_territoire/versions"
)
MIGRATIONS = sorted(p.stem for p in VERSIONS.glob("[0-9]*.py"))
# Revision ids are the file names; the newest file is the head.
HEAD = MIGRATIONS[-1]


def our_tables() -> set[str]:
    return {t for t in inspector().get_table_names() if t.startswith("territoire_")}


def inspector() -> sa.engine.reflection.Inspector:
    model.Session.remove()
    return sa.inspect(model.meta.engine)


def test_the_table_has_the_answers_columns_keys_and_index():
    found = inspector()

    columns = {c["name"]: c for c in found.get_columns(TABLE)}
    assert list(columns) == [
        "id",
        "organization_id",
        "question_id",
        "answer",
        "comment",
        "user_id",
        "created",
    ]
    assert {name for name, c in columns.items() if c["nullable"]} == {"user_id"}
    assert isinstance(columns["created"]["type"], sa.DateTime)
    assert found.get_pk_constraint(TABLE)["constrained_columns"] == ["id"]
    keys = {
        tuple(k["constrained_columns"]): (k["referred_table"], k["options"])
        for k in found.get_foreign_keys(TABLE)
    }
    assert keys == {
        ("organization_id",): ("group", {"ondelete": "CASCADE"}),
        ("user_id",): ("user", {"ondelete": "SET NULL"}),
    }
    assert [i["column_names"] for i in found.get_indexes(TABLE)] == [
        ["organization_id", "question_id", "created"]
    ]


def test_the_guide_notes_table_has_its_columns_keys_and_index():
    found = inspector()

    columns = {c["name"]: c for c in found.get_columns(GUIDE_TABLE)}
    assert list(columns) == [
        "id",
        "epci_id",
        "step_id",
        "note",
        "links",
        "user_id",
        "created",
    ]
    assert {name for name, c in columns.items() if c["nullable"]} == {"user_id"}
    keys = {
        tuple(k["constrained_columns"]): (k["referred_table"], k["options"])
        for k in found.get_foreign_keys(GUIDE_TABLE)
    }
    assert keys == {
        ("epci_id",): ("group", {"ondelete": "CASCADE"}),
        ("user_id",): ("user", {"ondelete": "SET NULL"}),
    }
    assert [i["column_names"] for i in found.get_indexes(GUIDE_TABLE)] == [
        ["epci_id", "step_id", "created"]
    ]


def test_the_version_is_tracked_and_nothing_is_pending(cli):
    assert db.current_revision("opendata_territoire") == f"{HEAD} (head)"

    result = cli.invoke(ckan, ["db", "pending-migrations"])

    assert result.exit_code == 0, result.output
    assert "opendata_territoire" not in result.output


def test_downgrade_then_upgrade_of_every_plugin_recreates_the_table(cli):
    result = cli.invoke(ckan, ["db", "downgrade", "-p", "opendata_territoire"])
    assert result.exit_code == 0, result.output
    assert our_tables() == set()

    pending = cli.invoke(ckan, ["db", "pending-migrations"])
    assert (
        f"{len(MIGRATIONS)} unapplied migrations for opendata_territoire"
        in pending.output
    )

    # `ckan db upgrade` without -p applies the pending plugin migrations.
    result = cli.invoke(ckan, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert {TABLE, GUIDE_TABLE} <= our_tables()
    assert db._get_pending_plugins() == {}


def test_upgrade_of_this_plugin_alone(cli):
    cli.invoke(ckan, ["db", "downgrade", "-p", "opendata_territoire"])

    result = cli.invoke(ckan, ["db", "upgrade", "-p", "opendata_territoire"])

    assert result.exit_code == 0, result.output
    assert {TABLE, GUIDE_TABLE} <= our_tables()
    assert db.current_revision("opendata_territoire") == f"{HEAD} (head)"
