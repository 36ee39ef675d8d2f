"""The harvest job's page shows the notes of the job (harvesters/notes.py)
in a section of their own, apart from ckanext-harvest's error report, to
those who may read the job and to no one else."""

from __future__ import annotations

import pytest
from markupsafe import escape

from tests.conftest import shared_request_context
from tests.datagouv.conftest import harvest, source
from tests.datagouv.fake_udata import VILLARD_ORG, organization, udata_dataset
from tests.people import headers

# No request context around the test: the pages' requests identify their
# user themselves (a context pushed by the test would be theirs too).
pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

VILLARD_SIREN = "213805484"


@pytest.fixture
def job(datagouv, territory):
    remote = udata_dataset(7, frequency="fourTimesAWeek")
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[remote]], 50)
    with shared_request_context():
        src = source(f"{datagouv.url}/fr/organizations/{VILLARD_ORG['slug']}/")
        run = harvest(src)
        (note,) = run.notes()
        return {
            "path": f"/harvest/{src['name']}/job/{run.job_id}",
            "note": str(escape(note)),
            "errors": run.errors(),
            "statuses": run.statuses(),
        }


def test_the_job_page_lists_the_notes_apart_from_the_errors(app, job, territory):
    page = app.get(job["path"], headers=headers(territory["people"]["epci_admin"]))

    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Remarques" in body
    assert "fourTimesAWeek" in job["note"]
    assert job["note"] in body
    assert job["errors"] == []
    assert job["statuses"] == ["added"]


@pytest.mark.parametrize("who", [None, "other", "editor_a"])
def test_who_may_not_read_the_job_reads_no_note(app, job, territory, who):
    person = territory["people"][who] if who else None

    page = app.get(job["path"], headers=headers(person))

    assert page.status_code in (401, 403, 404)
    assert job["note"] not in page.get_data(as_text=True)
