"""The peers' test data: a national tabular file (national.py) of the CCMV,
a dozen of its peers (communautés de communes of a similar population), a
few EPCIs of other kinds, and buyers of no EPCI."""

from __future__ import annotations

import pytest

from ckanext.opendata_territoire.peers import figures
from ckanext.opendata_territoire.territory import reference
from tests.peers.national import write_national

CCMV = "243801024"


def chosen_epcis():
    """The CCMV, 12 of its peers, 3 EPCIs of other kinds (by SIREN, always
    the same)."""
    epcis = reference.all_epcis()
    ccmv = epcis[CCMV]
    peers = sorted(figures.peers_of(ccmv, epcis, 2.0), key=lambda e: e.siren)[:12]
    others = sorted(
        (e for e in epcis.values() if e.kind in ("CA", "CU", "METRO")),
        key=lambda e: e.siren,
    )[:3]
    return [ccmv, *peers, *others]


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    path = tmp_path_factory.mktemp("peers") / "decp-national.csv"
    epcis = chosen_epcis()
    pool = {m.insee for e in reference.all_epcis().values() for m in e.members}
    write_national(str(path), epcis, pool)
    return path, epcis
