"""The usage tables, created by the migrations 0006_usage (reuses, feedback)
and 0007_usage_counts: columns, keys, and cascades when a dataset goes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model

pytestmark = pytest.mark.usefixtures("clean_db")


def inspector() -> sa.engine.reflection.Inspector:
    model.Session.remove()
    return sa.inspect(model.meta.engine)


def foreign_keys(table: str) -> dict[tuple[str, ...], tuple[str, dict]]:
    return {
        tuple(k["constrained_columns"]): (k["referred_table"], k["options"])
        for k in inspector().get_foreign_keys(table)
    }


def test_a_reuse_and_its_links_to_datasets():
    columns = [c["name"] for c in inspector().get_columns("territoire_reuse")]

    assert columns == [
        "id",
        "title",
        "url",
        "type",
        "author",
        "image_url",
        "description",
        "user_id",
        "created",
    ]
    assert foreign_keys("territoire_reuse") == {
        ("user_id",): ("user", {"ondelete": "SET NULL"})
    }
    assert foreign_keys("territoire_reuse_dataset") == {
        ("reuse_id",): ("territoire_reuse", {"ondelete": "CASCADE"}),
        ("package_id",): ("package", {"ondelete": "CASCADE"}),
        ("moderator_id",): ("user", {"ondelete": "SET NULL"}),
    }
    assert inspector().get_pk_constraint("territoire_reuse_dataset")[
        "constrained_columns"
    ] == ["reuse_id", "package_id"]


def test_a_message_on_a_dataset_and_its_answer():
    columns = [c["name"] for c in inspector().get_columns("territoire_feedback")]

    assert columns == [
        "id",
        "package_id",
        "resource_id",
        "kind",
        "message",
        "user_id",
        "created",
        "state",
        "answer",
        "answered_by",
        "answered",
    ]
    assert foreign_keys("territoire_feedback") == {
        ("package_id",): ("package", {"ondelete": "CASCADE"}),
        ("resource_id",): ("resource", {"ondelete": "SET NULL"}),
        ("user_id",): ("user", {"ondelete": "SET NULL"}),
        ("answered_by",): ("user", {"ondelete": "SET NULL"}),
    }


def test_the_daily_counts_hold_numbers_only():
    columns = [c["name"] for c in inspector().get_columns("territoire_usage_count")]

    assert columns == ["package_id", "resource_id", "kind", "day", "count"]
    assert inspector().get_pk_constraint("territoire_usage_count")[
        "constrained_columns"
    ] == ["package_id", "resource_id", "kind", "day"]
    assert foreign_keys("territoire_usage_count") == {
        ("package_id",): ("package", {"ondelete": "CASCADE"})
    }
