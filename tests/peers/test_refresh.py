"""`ckan territoire peers refresh`: the figures stored, replaced whole; a
refresh that fails keeps the previous figures; a harvest of the national
tabular file refreshes them through a background job."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.cli.cli import ckan as ckan_command

from ckanext.opendata_territoire.peers import refresh
from ckanext.opendata_territoire.peers.model import PeerFigure, PeerRefresh

pytestmark = pytest.mark.usefixtures("clean_db")


def stored():
    model.Session.expire_all()
    return {
        (f.epci_siren, f.year, f.cpv_division): f.contracts
        for f in model.Session.query(PeerFigure)
    }


def run(cli, *args):
    return cli.invoke(ckan_command, ["territoire", "peers", "refresh", *args])


def test_refresh_stores_every_epcis_figures_with_progress(cli, national):
    path, epcis = national

    result = run(cli, str(path))

    assert result.exit_code == 0, result.output
    assert "Lecture du fichier : 100 %" in result.output
    assert "Calcul des chiffres de chaque EPCI" in result.output
    assert "Chiffres des territoires comparables actualisés depuis" in result.output
    figures = stored()
    assert {siren for siren, _y, _c in figures} == {e.siren for e in epcis}
    assert figures[("243801024", 0, "")] > 0
    last = model.Session.get(PeerRefresh, 1)
    assert last.source == str(path) and last.epcis == len(epcis)


def test_a_refresh_replaces_the_figures_whole(cli, national, tmp_path):
    path, _epcis = national
    assert run(cli, str(path)).exit_code == 0
    # A national file with the CCMV's contracts only.
    lines = path.read_text("utf-8").splitlines()
    smaller = tmp_path / "smaller.csv"
    smaller.write_text(
        "\n".join([lines[0], *[line for line in lines[1:] if "24380102" in line]])
        + "\n",
        "utf-8",
    )

    assert run(cli, str(smaller)).exit_code == 0

    assert {siren for siren, _y, _c in stored()} == {"243801024"}


def test_a_refresh_that_fails_keeps_the_previous_figures(
    cli, national, tmp_path, monkeypatch
):
    path, _epcis = national
    assert run(cli, str(path)).exit_code == 0
    before = stored()
    broken = tmp_path / "broken.csv"
    broken.write_text("not,the,consolidation\n1,2,3\n", "utf-8")

    result = run(cli, str(broken))

    assert result.exit_code == 1
    assert "Les chiffres précédents sont conservés" in result.output
    assert stored() == before
    assert run(cli, str(tmp_path / "missing.csv")).exit_code == 1
    assert stored() == before

    # Failing while the new rows are written: nothing of it is kept.
    def copy_fails(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(refresh, "_copy_rows", copy_fails)
    with pytest.raises(RuntimeError):
        refresh.refresh(str(path))
    assert stored() == before
