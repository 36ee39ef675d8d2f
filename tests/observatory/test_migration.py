"""The observatory's tables, created by the migration 0008_observatory: the
same columns and keys as the model (observatory/model.py) uses."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.opendata_territoire.observatory.model import (
    Award,
    RegisterFirm,
    Supplier,
)

pytestmark = pytest.mark.usefixtures("clean_db")


def inspector() -> sa.engine.reflection.Inspector:
    model.Session.remove()
    return sa.inspect(model.meta.engine)


@pytest.mark.parametrize("table", [Supplier, RegisterFirm, Award])
def test_the_migration_makes_the_models_tables(table):
    name = table.__tablename__
    columns = [c["name"] for c in inspector().get_columns(name)]

    assert columns == [c.name for c in table.__table__.columns]
    assert inspector().get_pk_constraint(name)["constrained_columns"] == [
        c.name for c in table.__table__.primary_key.columns
    ]


def test_the_awards_are_indexed_by_buyer_and_siret():
    indexes = {
        i["name"]: i["column_names"]
        for i in inspector().get_indexes("territoire_procurement_award")
    }

    assert indexes == {
        "territoire_procurement_award_buyer": ["buyer_siren"],
        "territoire_procurement_award_siret": ["siret"],
    }
