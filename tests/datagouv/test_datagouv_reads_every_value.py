"""Each frequency of the form and each licence of the register reach
data.gouv.fr as themselves, through both its backends (the readers of
tests/datagouv/datagouv_reader.py, over real HTTP)."""

from __future__ import annotations

import pytest

from ckanext.opendata_territoire.licences import register
from ckanext.opendata_territoire.metadata import choices
from tests.datagouv.datagouv_reader import read_ckan, read_dcat
from tests.datagouv.test_datagouv_harvests_us import PER_PAGE, create
from tests.factories import dataset_fields

pytestmark = [
    pytest.mark.usefixtures("clean_db", "clean_index", "with_request_context"),
    pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", str(PER_PAGE)),
]


def one_dataset_per_value(admin: str) -> set[tuple[str, str]]:
    """A dataset for each frequency of the form and each licence of the
    register; the (frequency, licence) pairs created."""
    frequencies = [entry["value"] for entry in choices.choice_list("frequencies")]
    licences = [entry.id for entry in register.licences()]
    pairs = set()
    for number in range(max(len(frequencies), len(licences))):
        pair = (
            frequencies[number % len(frequencies)],
            licences[number % len(licences)],
        )
        create(
            admin,
            name=f"jeu-{number}",
            title=f"Jeu {number}",
            owner_org="engins",
            frequency=pair[0],
            resources=[{"url": f"https://www.engins.fr/{number}.csv"}],
            # Licences other than the two of the decree need this exception.
            third_party_rights=True,
            **dataset_fields(license_id=pair[1]),
        )
        pairs.add(pair)
    return pairs


GENERIC_WITHOUT_URI = {"other-at", "other-open", "other-pd"}


def test_every_frequency_and_licence_arrives_as_the_same_data_gouv_id(
    live_server, territory
):
    """Each frequency of the form and each licence of the register reach
    data.gouv.fr as themselves: by the CKAN backend (our ids are
    data.gouv.fr's), and by the DCAT backend (the EU frequency URI, the
    licence label and URI mapped back by data.gouv.fr's own tables), but for
    the generic 'other' licences: they have no URI, the catalogue writes no
    dct:license for them (tests/licences/test_rdf.py), and data.gouv.fr
    falls back to notspecified (a limit the README states)."""
    pairs = one_dataset_per_value(territory["people"]["sysadmin"]["name"])

    by_ckan = {(d["frequency"], d["license"]) for d in read_ckan(live_server)}
    by_dcat = {(d["frequency"], d["license"]) for d in read_dcat(live_server)}

    assert by_ckan == pairs
    assert by_dcat == {
        (frequency, "notspecified" if licence in GENERIC_WITHOUT_URI else licence)
        for frequency, licence in pairs
    }
