"""The observatory's tables, in CKAN's database (migration 0008_observatory).

- ``territoire_supplier``: the SIRENE search service's answer per SIRET
  (commune of the establishment, size category), with the date it was asked,
  so that a refresh asks again only what is missing, failed or too old.
- ``territoire_supplier_register``: the EPCI's register of local firms, read
  from its CSV dataset in the catalogue; it wins over the service.
- ``territoire_procurement_award``: derived from the buyers' DataStore tables
  (the source of truth), one row per contract and titulaire, each with the
  weight 1/n of a contract with n titulaires (one row of weight 1 for a
  contract without titulaire), so that sums of weights count each contract
  once and sums of weight * amount count each amount once. The locality and
  size of the titulaire are copied in when the suppliers change.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from ckan.plugins import toolkit as tk

FOUND = "found"
NOT_FOUND = "not_found"
ERROR = "error"


def now() -> dt.datetime:
    """UTC, without time zone, like CKAN's own timestamps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Supplier(tk.BaseModel):
    __tablename__ = "territoire_supplier"

    siret = sa.Column(sa.UnicodeText, primary_key=True)
    status = sa.Column(sa.UnicodeText, nullable=False)  # FOUND, NOT_FOUND, ERROR
    name = sa.Column(sa.UnicodeText, nullable=True)
    commune = sa.Column(sa.UnicodeText, nullable=True)  # INSEE code
    commune_name = sa.Column(sa.UnicodeText, nullable=True)
    category = sa.Column(sa.UnicodeText, nullable=True)  # PME, ETI, GE
    checked = sa.Column(sa.DateTime, nullable=False, default=now)


class RegisterFirm(tk.BaseModel):
    __tablename__ = "territoire_supplier_register"

    siret = sa.Column(sa.UnicodeText, primary_key=True)
    name = sa.Column(sa.UnicodeText, nullable=True)
    commune = sa.Column(sa.UnicodeText, nullable=True)
    category = sa.Column(sa.UnicodeText, nullable=True)


class Award(tk.BaseModel):
    __tablename__ = "territoire_procurement_award"

    uid = sa.Column(sa.UnicodeText, primary_key=True)
    rank = sa.Column(sa.Integer, primary_key=True)  # of the titulaire, from 0
    organization_id = sa.Column(sa.UnicodeText, nullable=False)
    buyer_siren = sa.Column(sa.UnicodeText, nullable=False)
    year = sa.Column(sa.Integer, nullable=True)  # of notification
    cpv_division = sa.Column(sa.UnicodeText, nullable=True)  # 2 digits
    procedure = sa.Column(sa.UnicodeText, nullable=True)
    nature = sa.Column(sa.UnicodeText, nullable=True)
    amount = sa.Column(sa.Float, nullable=True)  # current, modifications applied
    offers = sa.Column(sa.Integer, nullable=True)  # offresRecues (2022 format)
    published = sa.Column(sa.Date, nullable=True)
    weight = sa.Column(sa.Float, nullable=False)
    siret = sa.Column(sa.UnicodeText, nullable=False, default="")
    commune = sa.Column(sa.UnicodeText, nullable=True)  # resolved locality
    category = sa.Column(sa.UnicodeText, nullable=True)  # resolved size
    # territory, departement, elsewhere or unknown: the commune placed
    # against the territory's communes when the suppliers were resolved.
    locality = sa.Column(sa.UnicodeText, nullable=False, default="unknown")
    # What the contract's source says of the titulaire (the tabular
    # consolidation joins SIRENE): used after the register, before SIRENE.
    source_commune = sa.Column(sa.UnicodeText, nullable=True)
    source_category = sa.Column(sa.UnicodeText, nullable=True)
    # Where the commune used comes from: register, source, sirene; None:
    # unknown.
    origin = sa.Column(sa.UnicodeText, nullable=True)
