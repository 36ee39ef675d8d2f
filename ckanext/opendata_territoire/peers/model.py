"""The peers' tables (migration 0011_peers).

- ``territoire_peer_figure``: the figures of every EPCI found in the national
  file, one row per EPCI, year of notification and CPV division, plus the
  totals over all years (``year`` 0) and all divisions (``cpv_division``
  ""); the measures are weighted sums (peers/compute.py): contracts,
  amounts, the parts won in the EPCI, in its département, of unknown
  locality and by PME, the contracts that give ``offresRecues`` and those
  with a single offer. Replaced whole at each refresh, in one transaction.
- ``territoire_peer_refresh``: the last successful refresh (one row): when,
  from which file, what it found.
"""

from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit as tk


class PeerFigure(tk.BaseModel):
    __tablename__ = "territoire_peer_figure"

    year = sa.Column(sa.Integer, primary_key=True)  # 0: all years
    cpv_division = sa.Column(sa.UnicodeText, primary_key=True)  # "": all
    epci_siren = sa.Column(sa.UnicodeText, primary_key=True)
    contracts = sa.Column(sa.Float, nullable=False)
    amount = sa.Column(sa.Float, nullable=False)
    territory_contracts = sa.Column(sa.Float, nullable=False)
    territory_amount = sa.Column(sa.Float, nullable=False)
    departement_contracts = sa.Column(sa.Float, nullable=False)
    departement_amount = sa.Column(sa.Float, nullable=False)
    unknown_contracts = sa.Column(sa.Float, nullable=False)
    unknown_amount = sa.Column(sa.Float, nullable=False)
    small_contracts = sa.Column(sa.Float, nullable=False)
    small_amount = sa.Column(sa.Float, nullable=False)
    offers_known = sa.Column(sa.Float, nullable=False)
    single_offer = sa.Column(sa.Float, nullable=False)


class PeerRefresh(tk.BaseModel):
    __tablename__ = "territoire_peer_refresh"

    id = sa.Column(sa.Integer, primary_key=True)  # always 1
    refreshed = sa.Column(sa.DateTime, nullable=False)
    source = sa.Column(sa.UnicodeText, nullable=False)
    rows_read = sa.Column(sa.BigInteger, nullable=False)
    contracts = sa.Column(sa.BigInteger, nullable=False)
    epcis = sa.Column(sa.Integer, nullable=False)
    seconds = sa.Column(sa.Float, nullable=False)
