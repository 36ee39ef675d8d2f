"""The plugin's alembic migration: `ckan db upgrade` (every enabled plugin) or
`ckan db upgrade -p opendata_territoire` creates the answers table, its
version is tracked in opendata_territoire_alembic_version, and it goes back
down cleanly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli import db
from ckan.cli.cli import ckan

pytestmark = pytest.mark.usefixtures("clean_db")

TABLE = "territoire_checklist_answer"
# The head of the plugin's migrations (the quality tables come after this one).
HEAD = "0003_quality"


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


def test_the_version_is_tracked_and_nothing_is_pending(cli):
    assert db.current_revision("opendata_territoire") == f"{HEAD} (head)"

    result = cli.invoke(ckan, ["db", "pending-migrations"])

    assert result.exit_code == 0, result.output
    assert "opendata_territoire" not in result.output


def test_downgrade_then_upgrade_of_every_plugin_recreates_the_table(cli):
    result = cli.invoke(ckan, ["db", "downgrade", "-p", "opendata_territoire"])
    assert result.exit_code == 0, result.output
    assert not inspector().has_table(TABLE)

    pending = cli.invoke(ckan, ["db", "pending-migrations"])
    assert "2 unapplied migrations for opendata_territoire" in pending.output

    # `ckan db upgrade` without -p applies the pending plugin migrations.
    result = cli.invoke(ckan, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert inspector().has_table(TABLE)
    assert db._get_pending_plugins() == {}


def test_upgrade_of_this_plugin_alone(cli):
    cli.invoke(ckan, ["db", "downgrade", "-p", "opendata_territoire"])

    result = cli.invoke(ckan, ["db", "upgrade", "-p", "opendata_territoire"])

    assert result.exit_code == 0, result.output
    assert inspector().has_table(TABLE)
    assert db.current_revision("opendata_territoire") == f"{HEAD} (head)"
