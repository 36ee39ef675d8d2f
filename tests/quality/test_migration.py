"""The quality tables of the plugin's migration 0003_quality: the
personal-data guard's checks and confirmations, removed with their resource,
dataset or check, keeping the checks of a deleted user."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model

pytestmark = pytest.mark.usefixtures("clean_db")


def foreign_keys(table: str) -> dict[tuple[str, ...], tuple[str, dict]]:
    model.Session.remove()
    found = sa.inspect(model.meta.engine)
    return {
        tuple(k["constrained_columns"]): (k["referred_table"], k["options"])
        for k in found.get_foreign_keys(table)
    }


def test_checks_go_with_their_resource_and_dataset():
    assert foreign_keys("territoire_personal_data_check") == {
        ("resource_id",): ("resource", {"ondelete": "CASCADE"}),
        ("package_id",): ("package", {"ondelete": "CASCADE"}),
        ("user_id",): ("user", {"ondelete": "SET NULL"}),
    }


def test_confirmations_go_with_their_check():
    assert foreign_keys("territoire_personal_data_confirmation") == {
        ("check_id",): ("territoire_personal_data_check", {"ondelete": "CASCADE"}),
        ("user_id",): ("user", {"ondelete": "SET NULL"}),
    }
