"""The pages of "Mettre au format national", as a commune's editor uses
them: the button on the dataset, the file sent, the schema and the mapping
proposed, one mapping fixed, the result, the publication; next month's file
converted in one step."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from tests.people import headers
from tests.quality.conftest import complete_fields, context_of

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def dataset(territory):
    helpers.call_action(
        "organization_patch",
        context=context_of(territory, "sysadmin"),
        id=territory["a"]["id"],
        siret="21380153300018",
    )
    return helpers.call_action(
        "package_create",
        context=context_of(territory, "editor_a"),
        owner_org=territory["a"]["id"],
        name="deliberations-engins",
        title="Délibérations d'Engins",
        **complete_fields(),
    )


def send(app, editor, name):
    return app.post(
        "/dataset/deliberations-engins/scdl",
        data={"upload": (io.BytesIO((FIXTURES / name).read_bytes()), name)},
        headers=headers(editor),
        follow_redirects=False,
    )


def test_the_button_is_shown_to_the_editors_only(app, territory, dataset):
    def button(role):
        page = app.get(
            "/dataset/deliberations-engins", headers=headers(territory["people"][role])
        )
        return "territoire-scdl-button" in page.body

    assert button("editor_a")
    assert not button("member_a")
    assert not button("editor_b")


def test_an_editor_converts_fixes_a_mapping_publishes_then_converts_next_month(
    app, territory, dataset
):
    editor = territory["people"]["editor_a"]
    sent = send(app, editor, "deliberations-2025-11.ods")
    assert sent.status_code == 302
    mapping_path = sent.headers["Location"]
    page = BeautifulSoup(
        app.get(mapping_path, headers=headers(editor)).body, "html.parser"
    )
    assert "scdl/deliberations" in page.select_one(".territoire-scdl-schema").text
    assert page.select_one(".territoire-scdl-reason").text.strip()
    selected = page.select_one("#column-DELIB_DATE option[selected]")
    assert selected is not None and selected["value"] == "Date de la séance"
    # "Budget concerné" is left for her: she maps it to BUDGET_NOM.
    assert page.select_one("#column-BUDGET_NOM option[selected]") is None
    form = {
        select["name"]: (select.select_one("option[selected]") or {"value": ""})[
            "value"
        ]
        for select in page.select(".territoire-scdl-fields select")
    }
    form.update(
        {
            field["name"]: field.get("value", "")
            for field in page.select(".territoire-scdl-fields input[type=text]")
        }
    )
    form["column-BUDGET_NOM"] = "Budget concerné"
    converted = app.post(
        mapping_path, data=form, headers=headers(editor), follow_redirects=False
    )
    result_path = converted.headers["Location"]
    result = BeautifulSoup(
        app.get(result_path, headers=headers(editor)).body, "html.parser"
    )
    assert result.select_one(".territoire-scdl-summary .alert-success")
    assert result.select_one("#change-date")
    app.post(
        result_path.replace("/result", "/publish"),
        data={"replace": "on"},
        headers=headers(editor),
    )
    resources = helpers.call_action("package_show", id="deliberations-engins")[
        "resources"
    ]
    assert [r["schema_name"] for r in resources] == ["scdl/deliberations"]
    # Next month: straight to the result, with the mapping remembered.
    sent = send(app, editor, "deliberations-2025-12.ods")
    assert sent.headers["Location"].endswith("/result")
    result = BeautifulSoup(
        app.get(sent.headers["Location"], headers=headers(editor)).body, "html.parser"
    )
    assert "Budget principal" in result.select_one(".territoire-scdl-preview").text
    replace = result.select_one("#field-replace")
    assert replace is not None and replace.has_attr("checked")
    app.post(
        sent.headers["Location"].replace("/result", "/publish"),
        data={"replace_offered": "1", "replace": "on"},
        headers=headers(editor),
    )
    resources = helpers.call_action("package_show", id="deliberations-engins")[
        "resources"
    ]
    assert len(resources) == 1
