"""Who may call every action and open every page the extension adds, for every
role of the territory, each with its own API token (anonymous: none).

The lists are introspected: an action registered by the extension or a route
of its blueprints without a rule below fails the test, so nothing new ships
without its access rule. Denied means HTTP 403 (a dataset page one may not
see answers 404, as CKAN does: such rules say so); allowed means any answer
but the denial and no server error (a validation error, 409, is an allowed
caller sending values the action refuses).

The feature folders test the same rules in more detail; this file is the
net that catches a forgotten one.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan import plugins
from ckan.tests import factories, helpers
from werkzeug.datastructures import FileStorage

from tests.factories import dataset_fields
from tests.people import ROLES, headers, user_of

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
SYSADMIN = frozenset({"sysadmin"})
# Readers of commune A's onboarding: its members, the EPCI's admins, sysadmins.
READ_A = frozenset({"member_a", "editor_a", "admin_a", "epci_admin", "sysadmin"})
# Those who act for commune A: its editors and admins, sysadmins.
ACT_A = frozenset({"editor_a", "admin_a", "sysadmin"})
# The EPCI's admins and sysadmins.
TERRITORY = frozenset({"epci_admin", "sysadmin"})
# Commune A's admins and sysadmins (its forecast of planned purchases).
ADMIN_A = frozenset({"admin_a", "sysadmin"})


# A private and a public dataset of commune A, created for every test here.
PRIVATE = "brouillon-engins"
PUBLIC = "deliberations-engins"


def new_reuse(territory) -> dict[str, str]:
    """A reuse of the public dataset, declared by a user of no organization."""
    reuse = helpers.call_action(
        "territoire_reuse_create",
        context={"user": territory["people"]["other"]["name"]},
        title="Carte des délibérations",
        url="https://reuse.example/carte",
        type="visualisation",
        datasets=[PUBLIC],
    )
    return {"reuse": reuse["id"]}


def new_feedback(territory) -> dict[str, str]:
    """A question on the public dataset, by a user of no organization."""
    message = helpers.call_action(
        "territoire_feedback_create",
        context={"user": territory["people"]["other"]["name"]},
        dataset=PUBLIC,
        kind="question",
        message="Les votes sont-ils détaillés ?",
    )
    return {"feedback": message["id"]}


def private_file(territory) -> dict[str, str]:
    """The file of the private dataset, and the ids bulk publication needs."""
    dataset = helpers.call_action("package_show", id=PRIVATE)
    return {
        "resource": dataset["resources"][0]["id"],
        "dataset": dataset["id"],
        "org": territory["a"]["id"],
    }


def new_group(territory) -> dict[str, str]:
    """A thematic group, made by a sysadmin."""
    group = factories.Group(user=territory["people"]["sysadmin"])
    return {"group": group["name"]}


def editor_a(territory) -> dict[str, str]:
    return {"user": territory["people"]["editor_a"]["name"]}


def new_source(territory) -> dict[str, str]:
    """A DECP harvest source of the EPCI, made by a sysadmin."""
    name = f"decp-{uuid.uuid4().hex[:10]}"
    source = helpers.call_action(
        "harvest_source_create",
        context={"user": territory["people"]["sysadmin"]["name"]},
        name=name,
        title="DECP du territoire",
        url=f"https://decp.example/{name}/",
        source_type="decp",
        owner_org="ccmv",
    )
    return {"source": source["id"], "name": name}


FORECAST = {
    "object": "Réfection de la voirie",
    "cpv_division": "45",
    "amount_band": "small",
    "quarter": "1",
    "year": str(dt.date.today().year + 1),
}


def new_forecast_entry(territory) -> dict[str, str]:
    """A planned purchase of commune A, added by a sysadmin."""
    entry = helpers.call_action(
        "territoire_forecast_create",
        context={"user": territory["people"]["sysadmin"]["name"]},
        organization="engins",
        **FORECAST,
    )
    return {"entry": entry["id"]}


def new_conversion(territory) -> dict[str, str]:
    """A spreadsheet of the private dataset converted to the national format
    (not published), by a sysadmin."""
    conversion = helpers.call_action(
        "territoire_scdl_convert",
        context={"user": territory["people"]["sysadmin"]["name"]},
        id=PRIVATE,
        upload=FileStorage(
            io.BytesIO("Date de la séance;Objet\n03/12/2025;Budget\n".encode()),
            "deliberations.csv",
        ),
    )
    return {"conversion": conversion["id"]}


def new_name(territory) -> dict[str, str]:
    return {"name": f"source-{uuid.uuid4().hex[:10]}"}


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    params: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    denied_status: int | tuple[int, ...] = 403
    # Creates, before each call, the object the call acts on; its ids fill
    # the "{...}" fields of params and path.
    setup: Callable[[Any], dict[str, str]] | None = None

    def resolve(self, territory) -> tuple[dict[str, Any], str]:
        ids = self.setup(territory) if self.setup else {}

        def fill(value: Any) -> Any:
            if isinstance(value, str):
                return value.format(**ids)
            if isinstance(value, list):
                return [fill(item) for item in value]
            return value

        params = {key: fill(value) for key, value in self.params.items()}
        return params, self.path.format(**ids)


ACTIONS: dict[str, Rule] = {
    "territoire_territory_show": Rule(EVERYONE, {"epci_siren": "243801024"}),
    "territoire_territory_init": Rule(
        SYSADMIN, {"epci_siren": "000000000", "dry_run": True}
    ),
    "territoire_checklist_show": Rule(READ_A, {"id": "engins"}),
    "territoire_checklist_history": Rule(READ_A, {"id": "engins"}),
    "territoire_checklist_answer": Rule(
        ACT_A, {"id": "engins", "question_id": "inventory", "answer": "yes"}
    ),
    "territoire_guide_show": Rule(READ_A, {"id": "engins"}),
    "territoire_starter_dataset_create": Rule(
        ACT_A, {"id": "engins", "starter": "budget"}
    ),
    "territoire_dashboard_show": Rule(TERRITORY, {"id": "ccmv"}),
    # A commune's number of agents: its admins, the EPCI's admins, sysadmins.
    "territoire_agents_update": Rule(
        frozenset({"admin_a", "epci_admin", "sysadmin"}),
        {"id": "engins", "agents_count": 42},
    ),
    "territoire_guide_note_update": Rule(
        TERRITORY, {"id": "ccmv", "step": "intro", "note": "Bienvenue"}
    ),
    "territoire_guide_note_history": Rule(TERRITORY, {"id": "ccmv"}),
    "territoire_quality_show": Rule(READ_A, {"id": PRIVATE}),
    "territoire_reuse_create": Rule(
        SIGNED_IN,
        {
            "title": "Appli",
            "url": "https://reuse.example/appli",
            "type": "application",
            "datasets": [PUBLIC],
        },
    ),
    "territoire_reuse_show": Rule(EVERYONE, {"id": "{reuse}"}, setup=new_reuse),
    "territoire_reuse_list": Rule(EVERYONE),
    "territoire_licence_recommend": Rule(EVERYONE, {"share_alike": "no"}),
    "territoire_dataset_usage_show": Rule(READ_A, {"id": PUBLIC}),
    "territoire_usage_show": Rule(READ_A, {"id": "engins"}),
    "territoire_usage_month": Rule(READ_A, {"id": "engins"}),
    "territoire_personal_data_show": Rule(
        ACT_A, {"id": "{resource}"}, setup=private_file
    ),
    "territoire_personal_data_confirm": Rule(
        ACT_A,
        {"id": "{resource}", "reason": "Adresses des services."},
        setup=private_file,
    ),
    "territoire_personal_data_history": Rule(ACT_A, {"id": PRIVATE}),
    "territoire_validation_show": Rule(
        READ_A, {"id": "{resource}"}, setup=private_file
    ),
    "territoire_resource_validate": Rule(
        ACT_A, {"id": "{resource}"}, setup=private_file
    ),
    # CKAN's action (the organization's admins), chained to refuse datasets
    # the guard blocks.
    "bulk_update_public": Rule(
        frozenset({"admin_a", "sysadmin"}),
        {"org_id": "{org}", "datasets": ["{dataset}"]},
        setup=private_file,
    ),
    "territoire_reuse_moderate": Rule(
        ACT_A,
        {"id": "{reuse}", "dataset": PUBLIC, "decision": "publish"},
        setup=new_reuse,
    ),
    "territoire_reuse_delete": Rule(
        frozenset({"other", "sysadmin"}), {"id": "{reuse}"}, setup=new_reuse
    ),
    "territoire_feedback_create": Rule(
        SIGNED_IN, {"dataset": PUBLIC, "kind": "problem", "message": "Fichier vide."}
    ),
    "territoire_feedback_list": Rule(EVERYONE, {"dataset": PUBLIC}),
    "territoire_feedback_answer": Rule(
        ACT_A, {"id": "{feedback}", "answer": "Oui."}, setup=new_feedback
    ),
    "territoire_feedback_hide": Rule(ACT_A, {"id": "{feedback}"}, setup=new_feedback),
    # Public procurement data: anyone reads the observatory's figures.
    "territoire_procurement_stats": Rule(
        EVERYONE, {"commune": "engins", "group_by": "year"}
    ),
    "territoire_procurement_gaps": Rule(EVERYONE, {"years": "2024"}),
    # The contracts to come, foretold from the same public data: anyone.
    "territoire_future_contracts": Rule(EVERYONE, {"months": "12", "cpv": "45"}),
    # The forecast of planned purchases: published, anyone reads it; the
    # organization's admins edit it (not the EPCI's admins: a commune's own).
    "territoire_forecast_list": Rule(EVERYONE, {"organization": "engins"}),
    "territoire_forecast_create": Rule(ADMIN_A, {"organization": "engins", **FORECAST}),
    "territoire_forecast_update": Rule(
        ADMIN_A, {"id": "{entry}", "object": "Voirie"}, setup=new_forecast_entry
    ),
    "territoire_forecast_delete": Rule(
        ADMIN_A, {"id": "{entry}"}, setup=new_forecast_entry
    ),
    # Without a file: its callers get a validation error (409).
    "territoire_forecast_import": Rule(ADMIN_A, {"organization": "engins"}),
    # The territory among its peers: national public figures, anyone.
    "territoire_procurement_peers": Rule(EVERYONE, {"years": "2024"}),
    # A procurement dataset's contracts in OCDS: whoever may see the dataset
    # (this one has no contracts: its readers get a validation error, 409).
    "territoire_contracts_ocds": Rule(READ_A, {"id": PRIVATE}),
    # Converting a file to the national format: those who may change the
    # dataset (without a file, they get a validation error, 409).
    "territoire_scdl_convert": Rule(ACT_A, {"id": PRIVATE}),
    "territoire_scdl_conversion_show": Rule(
        ACT_A, {"id": "{conversion}"}, setup=new_conversion
    ),
    "territoire_scdl_conversion_publish": Rule(
        ACT_A, {"id": "{conversion}"}, setup=new_conversion
    ),
    # CKAN's, chained to give an image on another host no display URL
    # (third_party.py); who may call them is CKAN's rule, unchanged.
    "organization_show": Rule(EVERYONE, {"id": "engins"}),
    "organization_list": Rule(EVERYONE, {"all_fields": True}),
    "organization_list_for_user": Rule(EVERYONE),
    "group_show": Rule(EVERYONE, {"id": "{group}"}, setup=new_group),
    "group_list": Rule(EVERYONE, {"all_fields": True}),
    "group_list_authz": Rule(EVERYONE),
    "user_show": Rule(EVERYONE, {"id": "{user}"}, setup=editor_a),
    "user_list": Rule(EVERYONE),
    # CKAN's, chained: a private dataset answers 404 as a missing one does.
    "package_show": Rule(READ_A, {"id": PRIVATE}, denied_status=404),
    # ckanext-harvest's actions, chained by the harvester plugins: the
    # source's URL checked (outbound.py), reindexing checked at all.
    "harvest_source_reindex": Rule(TERRITORY, {"id": "{source}"}, setup=new_source),
    "harvest_source_patch": Rule(
        TERRITORY, {"id": "{source}", "title": "DECP (relu)"}, setup=new_source
    ),
    # Chained to remove what only the cleared datasets owned.
    "harvest_source_clear": Rule(TERRITORY, {"id": "{source}"}, setup=new_source),
    "package_create": Rule(
        TERRITORY,
        {
            "type": "harvest",
            "name": "{name}",
            "title": "DECP",
            "url": "https://decp.example/{name}/",
            "source_type": "decp",
            "owner_org": "ccmv",
        },
        setup=new_name,
    ),
    "package_update": Rule(
        TERRITORY,
        {
            "id": "{source}",
            "type": "harvest",
            "name": "{name}",
            "title": "DECP (relu)",
            "url": "https://decp.example/{name}/",
            "source_type": "decp",
            "owner_org": "ccmv",
        },
        setup=new_source,
    ),
}

# (endpoint, HTTP method) -> rule with the page's path.
PAGES: dict[tuple[str, str], Rule] = {
    ("territoire_api_guide.guide", "GET"): Rule(EVERYONE, path="/guide-api"),
    ("territoire_onboarding.guide_page", "GET"): Rule(
        READ_A, path="/organization/engins/guide"
    ),
    ("territoire_onboarding.create_starter", "POST"): Rule(
        ACT_A, {"starter": "budget"}, "/organization/engins/guide/starter"
    ),
    ("territoire_onboarding.guide_notes_page", "GET"): Rule(
        TERRITORY, path="/organization/ccmv/guide/notes"
    ),
    ("territoire_onboarding.guide_notes_page", "POST"): Rule(
        TERRITORY, {"note-intro": "Bienvenue"}, "/organization/ccmv/guide/notes"
    ),
    ("territoire_onboarding.checklist_page", "GET"): Rule(
        READ_A, path="/organization/engins/checklist"
    ),
    ("territoire_onboarding.checklist_page", "POST"): Rule(
        ACT_A, {"answer-inventory": "yes"}, "/organization/engins/checklist"
    ),
    ("territoire_onboarding.dashboard_page", "GET"): Rule(
        TERRITORY, path="/organization/ccmv/dashboard"
    ),
    ("territoire_territory.init_page", "GET"): Rule(
        TERRITORY, path="/organization/ccmv/territory"
    ),
    ("territoire_territory.init_page", "POST"): Rule(
        TERRITORY, path="/organization/ccmv/territory"
    ),
    ("territoire_onboarding.dashboard_agents", "POST"): Rule(
        TERRITORY,
        {"member": "engins", "agents_count": "42"},
        "/organization/ccmv/dashboard/agents",
    ),
    ("territoire_onboarding.dashboard_csv", "GET"): Rule(
        TERRITORY, path="/organization/ccmv/dashboard.csv"
    ),
    ("territoire_quality.dataset_quality", "GET"): Rule(
        READ_A, path=f"/dataset/{PRIVATE}/quality", denied_status=404
    ),
    ("territoire_usage.reuses_page", "GET"): Rule(EVERYONE, path="/reuses"),
    ("territoire_usage.usage_page", "GET"): Rule(
        READ_A, path="/organization/engins/usage"
    ),
    ("territoire_usage.usage_csv", "GET"): Rule(
        READ_A, path="/organization/engins/usage.csv"
    ),
    ("territoire_usage.dataset_usage_page", "GET"): Rule(
        READ_A, path=f"/dataset/{PUBLIC}/usage"
    ),
    # A file of a private dataset: those who may not see it get 404, its
    # readers who may not act 403.
    ("territoire_quality.personal_data", "GET"): Rule(
        ACT_A,
        path=f"/dataset/{PRIVATE}/resource/{{resource}}/personal-data",
        denied_status=(403, 404),
        setup=private_file,
    ),
    ("territoire_quality.personal_data", "POST"): Rule(
        ACT_A,
        {"reason": "Adresses des services."},
        f"/dataset/{PRIVATE}/resource/{{resource}}/personal-data",
        denied_status=(403, 404),
        setup=private_file,
    ),
    ("territoire_quality.validate", "POST"): Rule(
        ACT_A,
        path=f"/dataset/{PRIVATE}/resource/{{resource}}/validate",
        denied_status=(403, 404),
        setup=private_file,
    ),
    ("territoire_licences.index", "GET"): Rule(EVERYONE, path="/licences"),
    ("territoire_observatory.territory_page", "GET"): Rule(
        EVERYONE, path="/observatory"
    ),
    ("territoire_observatory.territory_csv", "GET"): Rule(
        EVERYONE, path="/observatory.csv"
    ),
    ("territoire_observatory.organization_page", "GET"): Rule(
        EVERYONE, path="/organization/engins/observatory"
    ),
    ("territoire_observatory.organization_csv", "GET"): Rule(
        EVERYONE, path="/organization/engins/observatory.csv"
    ),
    ("territoire_peers.peers_csv", "GET"): Rule(
        EVERYONE, path="/observatory/peers.csv"
    ),
    # The contracts to come, for the territory's firms: anyone, anonymous
    # visitors first (no contract here: a past contract's page answers 404,
    # as to everyone).
    ("territoire_future.page", "GET"): Rule(
        EVERYONE, path="/marches-a-venir?cpv=45&months=12"
    ),
    ("territoire_future.feed", "GET"): Rule(
        EVERYONE, path="/marches-a-venir/flux.atom?cpv=45"
    ),
    ("territoire_future.calendar", "GET"): Rule(
        EVERYONE, path="/marches-a-venir/calendrier.ics?cpv=45"
    ),
    ("territoire_future.csv", "GET"): Rule(EVERYONE, path="/marches-a-venir.csv"),
    ("territoire_future.contract_page", "GET"): Rule(
        EVERYONE, path="/marches-a-venir/contrat/21380153200010-2024-0001"
    ),
    ("territoire_future.forecast_schema", "GET"): Rule(
        EVERYONE, path="/achats-prevus/schema.json"
    ),
    ("territoire_future.forecast_page", "GET"): Rule(
        ADMIN_A, path="/organization/engins/achats-prevus"
    ),
    ("territoire_future.forecast_page", "POST"): Rule(
        ADMIN_A, FORECAST, "/organization/engins/achats-prevus"
    ),
    ("territoire_future.entry_edit", "GET"): Rule(
        ADMIN_A,
        path="/organization/engins/achats-prevus/{entry}",
        setup=new_forecast_entry,
    ),
    ("territoire_future.entry_edit", "POST"): Rule(
        ADMIN_A,
        FORECAST,
        "/organization/engins/achats-prevus/{entry}",
        setup=new_forecast_entry,
    ),
    ("territoire_future.entry_delete", "POST"): Rule(
        ADMIN_A,
        path="/organization/engins/achats-prevus/{entry}/supprimer",
        setup=new_forecast_entry,
    ),
    # Without a file: the page says to choose one.
    ("territoire_future.forecast_import", "POST"): Rule(
        ADMIN_A, path="/organization/engins/achats-prevus/import"
    ),
    # Converting to the national format, on a private dataset: those who
    # may not see it get 404, its readers who may not change it 403.
    ("territoire_scdl.start", "GET"): Rule(
        ACT_A, path=f"/dataset/{PRIVATE}/scdl", denied_status=(403, 404)
    ),
    ("territoire_scdl.start", "POST"): Rule(
        ACT_A, path=f"/dataset/{PRIVATE}/scdl", denied_status=(403, 404)
    ),
    ("territoire_scdl.mapping_page", "GET"): Rule(
        ACT_A,
        path=f"/dataset/{PRIVATE}/scdl/{{conversion}}",
        denied_status=(403, 404),
        setup=new_conversion,
    ),
    ("territoire_scdl.mapping_page", "POST"): Rule(
        ACT_A,
        {"column-DELIB_DATE": "Date de la séance"},
        f"/dataset/{PRIVATE}/scdl/{{conversion}}",
        denied_status=(403, 404),
        setup=new_conversion,
    ),
    ("territoire_scdl.result", "GET"): Rule(
        ACT_A,
        path=f"/dataset/{PRIVATE}/scdl/{{conversion}}/result",
        denied_status=(403, 404),
        setup=new_conversion,
    ),
    ("territoire_scdl.converted_csv", "GET"): Rule(
        ACT_A,
        path=f"/dataset/{PRIVATE}/scdl/{{conversion}}/converted.csv",
        denied_status=(403, 404),
        setup=new_conversion,
    ),
    ("territoire_scdl.publish", "POST"): Rule(
        ACT_A,
        path=f"/dataset/{PRIVATE}/scdl/{{conversion}}/publish",
        denied_status=(403, 404),
        setup=new_conversion,
    ),
    # Anonymous visitors are sent to the login page.
    ("territoire_usage.reuse_new", "GET"): Rule(
        SIGNED_IN, path="/reuses/new", denied_status=302
    ),
    ("territoire_usage.reuse_new", "POST"): Rule(
        SIGNED_IN,
        {"title": "Appli", "url": "https://reuse.example/a", "type": "application"},
        "/reuses/new",
        denied_status=302,
    ),
    ("territoire_usage.organization_reuses", "GET"): Rule(
        ACT_A, path="/organization/engins/reuses"
    ),
    ("territoire_usage.moderate_reuse", "POST"): Rule(
        ACT_A,
        {"id": "{reuse}", "dataset": PUBLIC, "decision": "publish"},
        "/organization/engins/reuses/moderate",
        setup=new_reuse,
    ),
    ("territoire_usage.feedback_create", "POST"): Rule(
        SIGNED_IN,
        {"kind": "question", "message": "Mise à jour ?"},
        f"/dataset/{PUBLIC}/feedback",
    ),
    ("territoire_usage.feedback_answer", "POST"): Rule(
        ACT_A,
        {"answer": "Chaque mois."},
        f"/dataset/{PUBLIC}/feedback/{{feedback}}/answer",
        setup=new_feedback,
    ),
    ("territoire_usage.feedback_hide", "POST"): Rule(
        ACT_A,
        path=f"/dataset/{PUBLIC}/feedback/{{feedback}}/hide",
        setup=new_feedback,
    ),
}


def registered_actions() -> set[str]:
    names: set[str] = set()
    for plugin in plugins.PluginImplementations(plugins.IActions):
        if type(plugin).__module__.startswith("ckanext.opendata_territoire"):
            names |= set(plugin.get_actions())
    return names


def registered_pages(app) -> set[tuple[str, str]]:
    from ckanext.opendata_territoire.views import get_blueprints

    ours = {blueprint.name for blueprint in get_blueprints()}
    return {
        (rule.endpoint, method)
        for rule in app.flask_app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in ours
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


@pytest.fixture(autouse=True)
def private_dataset(clean_db, territory):
    factories.Dataset(name=PUBLIC, owner_org=territory["a"]["id"], **dataset_fields())
    dataset = factories.Dataset(
        name=PRIVATE, owner_org=territory["a"]["id"], private=True, **dataset_fields()
    )
    helpers.call_action(
        "resource_create",
        {"user": territory["people"]["sysadmin"]["name"]},
        package_id=dataset["id"],
        url="https://engins.example/brouillon.csv",
        name="Brouillon",
    )
    return dataset


def outcome(response, rule: Rule | None = None) -> bool:
    assert response.status_code < 500, response.body[:2000]
    denied = rule.denied_status if rule else 403
    return response.status_code not in (
        denied if isinstance(denied, tuple) else (denied,)
    )


def test_every_action_has_an_access_rule():
    assert registered_actions() == set(ACTIONS)


def test_every_page_has_an_access_rule(app):
    assert registered_pages(app) == set(PAGES)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_who_may_call_each_action(app, territory, action):
    rule = ACTIONS[action]

    def call(role):
        params, _path = rule.resolve(territory)
        return app.post(
            f"/api/3/action/{action}",
            json=params,
            headers=headers(user_of(territory, role)),
        )

    result = {role: outcome(call(role), rule) for role in ROLES}

    assert result == {role: role in rule.allowed for role in ROLES}


@pytest.mark.parametrize(("endpoint", "method"), sorted(PAGES))
def test_who_may_open_each_page(app, territory, endpoint, method):
    rule = PAGES[(endpoint, method)]

    def call(role):
        params, path = rule.resolve(territory)
        send = app.get if method == "GET" else app.post
        kwargs = {"data": params} if method == "POST" else {}
        return send(
            path,
            headers=headers(user_of(territory, role)),
            follow_redirects=False,
            **kwargs,
        )

    result = {role: outcome(call(role), rule) for role in ROLES}

    assert result == {role: role in rule.allowed for role in ROLES}


# CKAN's own actions on the territory's datasets, as configured here.
DATASET_READERS = READ_A
DATASET_EDITORS = ACT_A


@pytest.mark.parametrize(
    ("action", "params", "allowed", "denied"),
    [
        # Not found, as a missing dataset: a 403 told that it exists.
        ("package_show", {}, DATASET_READERS, 404),
        ("package_patch", {"notes": "Relu."}, DATASET_EDITORS, 403),
        ("package_delete", {}, DATASET_EDITORS, 403),
    ],
)
def test_who_may_read_and_change_a_communes_private_dataset(
    app, territory, private_dataset, action, params, allowed, denied
):
    result = {}
    for role in ROLES:
        response = app.post(
            f"/api/3/action/{action}",
            json={"id": private_dataset["id"], **params},
            headers=headers(user_of(territory, role)),
        )
        result[role] = outcome(response, Rule(allowed, denied_status=denied))
        if action == "package_delete" and result[role]:
            # Bring it back for the next role.
            app.post(
                "/api/3/action/package_patch",
                json={"id": private_dataset["id"], "state": "active"},
                headers=headers(territory["people"]["sysadmin"]),
            )

    assert result == {role: role in allowed for role in ROLES}


# Harvest sources (ckanext-harvest's actions, guarded by
# harvesters/auth.py): a harvest writes into every member's procurement
# datasets, so only the EPCI's admins (for the EPCI's sources) and sysadmins
# manage and run them.
HARVEST_MANAGERS = TERRITORY


def harvest_source(territory, name: str) -> dict[str, Any]:
    return helpers.call_action(
        "harvest_source_create",
        context={"user": territory["people"]["sysadmin"]["name"]},
        name=name,
        title="DECP du territoire",
        url=f"https://decp.example/{name}/",
        source_type="decp",
        owner_org="ccmv",
    )


@pytest.mark.parametrize("source_type", ["decp", "udata"])
@pytest.mark.parametrize(
    ("owner", "allowed"), [("ccmv", HARVEST_MANAGERS), ("engins", SYSADMIN)]
)
def test_who_may_create_a_harvest_source(app, territory, owner, allowed, source_type):
    result = {}
    for role in ROLES:
        response = app.post(
            "/api/3/action/harvest_source_create",
            json={
                "name": f"{source_type}-{role.replace('_', '-')}",
                "title": "Source",
                "url": f"https://www.data.gouv.fr/fr/organizations/{role}/",
                "source_type": source_type,
                "owner_org": owner,
            },
            headers=headers(user_of(territory, role)),
        )
        result[role] = outcome(response)
        if result[role]:
            assert response.json["success"], response.body

    assert result == {role: role in allowed for role in ROLES}


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("harvest_source_update", {"title": "DECP (relu)", "source_type": "decp"}),
        ("harvest_source_patch", {"title": "DECP (relu)"}),
        ("harvest_job_create", {}),
        ("harvest_source_clear", {}),
        # No access check at all in ckanext-harvest 1.6.3 (anonymous: 200).
        ("harvest_source_reindex", {}),
    ],
)
def test_who_may_change_or_run_a_harvest_source(app, territory, action, params):
    result = {}
    for role in ROLES:
        source = harvest_source(territory, f"decp-{role.replace('_', '-')}")
        data = {"id": source["id"], "source_id": source["id"], **params}
        if action == "harvest_source_update":
            data.update(name=source["name"], url=source["url"], owner_org="ccmv")
        response = app.post(
            f"/api/3/action/{action}",
            json=data,
            headers=headers(user_of(territory, role)),
        )
        result[role] = outcome(response)

    assert result == {role: role in HARVEST_MANAGERS for role in ROLES}


def test_who_may_open_the_new_harvest_source_form(app, territory):
    result = {}
    for role in ROLES:
        response = app.get(
            "/harvest/new",
            headers=headers(user_of(territory, role)),
            follow_redirects=False,
        )
        assert response.status_code < 500, response.body[:2000]
        result[role] = response.status_code == 200

    assert result == {role: role in HARVEST_MANAGERS for role in ROLES}


# CKAN's own actions that shape the catalogue, as configured here.


@pytest.mark.parametrize(
    ("action", "params"),
    [
        # Organizations are the territory's public bodies, from the reference
        # data: a signed-up user made one typed "epci" with the EPCI's SIREN
        # and read every member commune's figures.
        (
            "organization_create",
            {"collectivite_type": "epci", "siren": "200030658", "title": "CC"},
        ),
        ("organization_create", {"title": "Association des lecteurs"}),
        ("group_create", {"title": "Thème"}),
    ],
)
def test_only_sysadmins_create_organizations_and_groups(app, territory, action, params):
    result = {}
    for role in ROLES:
        response = app.post(
            f"/api/3/action/{action}",
            json={"name": f"cree-par-{role.replace('_', '-')}", **params},
            headers=headers(user_of(territory, role)),
        )
        result[role] = outcome(response)
        if result[role]:
            assert response.json["success"], response.body

    assert result == {role: role in SYSADMIN for role in ROLES}


def test_only_sysadmins_read_the_harvest_log(app, territory):
    """ckanext-harvest 1.6.3 answered a RecursionError (HTTP 500) to any
    signed-in user."""
    result = {}
    for role in ROLES:
        response = app.post(
            "/api/3/action/harvest_log_list",
            json={},
            headers=headers(user_of(territory, role)),
        )
        result[role] = outcome(response)

    assert result == {role: role in SYSADMIN for role in ROLES}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("collectivite_type", "epci"),
        ("siren", "200030658"),
        ("insee_code", "38548"),
        ("epci_siren", "200030658"),
    ],
)
def test_only_sysadmins_change_what_places_an_organization(
    app, territory, field, value
):
    """A commune's admins edit its description, not what makes it the EPCI
    or a member of it (their own commune typed "epci" could then create
    harvest sources and read the members' drafts)."""
    result = {}
    for role in ROLES:
        response = app.post(
            "/api/3/action/organization_patch",
            json={"id": "engins", field: value},
            headers=headers(user_of(territory, role)),
        )
        assert response.status_code < 500, response.body[:2000]
        stored = helpers.call_action("organization_show", id="engins")
        result[role] = stored.get(field) == value
        if response.status_code == 409:
            assert field in response.json["error"], response.json
        if result[role]:  # put it back for the next role
            app.post(
                "/api/3/action/organization_patch",
                json={"id": "engins", field: territory["a"][field]},
                headers=headers(territory["people"]["sysadmin"]),
            )

    assert result == {role: role in SYSADMIN for role in ROLES}


def test_the_epci_admins_patch_a_configured_harvest_source(app, territory):
    """ckanext-harvest's own patch sent back the configuration's keys it
    shows, and refused any patch of a configured source (409)."""
    response = app.post(
        "/api/3/action/harvest_source_create",
        json={
            "name": "decp-configuree",
            "title": "DECP",
            "url": "https://www.data.gouv.fr/fr/datasets/5cd57bf68b4c4179299eb0e9/",
            "source_type": "decp",
            "owner_org": "ccmv",
            "frequency": "MONTHLY",
            "config": '{"buyers": ["213805484"]}',
        },
        headers=headers(territory["people"]["epci_admin"]),
    )
    assert response.json["success"], response.body

    patched = app.post(
        "/api/3/action/harvest_source_patch",
        json={"id": "decp-configuree", "title": "DECP des communes"},
        headers=headers(territory["people"]["epci_admin"]),
    )

    assert patched.status_code == 200, patched.body
    source = helpers.call_action("harvest_source_show", id="decp-configuree")
    assert source["title"] == "DECP des communes"
    assert source["frequency"] == "MONTHLY"
    assert source["config"] == '{"buyers": ["213805484"]}'


# Anyone may sign up (ckan.auth.create_user_via_web): a new account declares
# reuses and asks questions, and nothing else.


def sign_up(app) -> dict[str, Any]:
    """A reuser who registers through the form, as anyone on the internet
    would, with an API token of their own."""
    response = app.post(
        "/user/register",
        data={
            "name": "reutilisatrice",
            "fullname": "Une réutilisatrice",
            "email": "reutilisatrice@example.org",
            "password1": "Un mot de passe assez long",
            "password2": "Un mot de passe assez long",
            "save": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 302, response.body[:3000]
    token = helpers.call_action(
        "api_token_create",
        context={"user": "reutilisatrice"},
        user="reutilisatrice",
        name="script",
    )["token"]
    return {"name": "reutilisatrice", "token": token}


def test_a_new_account_declares_reuses_and_asks_questions(app, territory):
    user = headers(sign_up(app))

    reuse = app.post(
        "/api/3/action/territoire_reuse_create",
        json={
            "title": "Carte des délibérations",
            "url": "https://reuse.example/carte",
            "type": "visualisation",
            "datasets": [PUBLIC],
        },
        headers=user,
    )
    question = app.post(
        "/api/3/action/territoire_feedback_create",
        json={"dataset": PUBLIC, "kind": "question", "message": "Mise à jour ?"},
        headers=user,
    )

    assert reuse.status_code == 200, reuse.body
    assert question.status_code == 200, question.body


def test_a_new_account_writes_nothing_else(app, territory, private_dataset):
    user = headers(sign_up(app))
    file = helpers.call_action(
        "resource_create",
        {"user": territory["people"]["sysadmin"]["name"]},
        package_id=PUBLIC,
        url="https://engins.example/deliberations.csv",
    )
    attempts = {
        "organization_create": {"name": "ma-ccmv", "collectivite_type": "epci"},
        "group_create": {"name": "mon-theme"},
        "package_create": {"name": "mon-jeu", **dataset_fields()},
        "package_create in a commune": {
            "name": "mon-jeu",
            "owner_org": "engins",
            **dataset_fields(),
        },
        "package_patch": {"id": PUBLIC, "notes": "Réécrit."},
        "package_delete": {"id": PUBLIC},
        "resource_create": {"package_id": PUBLIC, "url": "https://x.example/a.csv"},
        "organization_member_create": {
            "id": "engins",
            "username": "reutilisatrice",
            "role": "admin",
        },
        "organization_patch": {"id": "engins", "description": "Piratée."},
        "harvest_source_create": {
            "name": "decp-pirate",
            "url": "https://decp.example/",
            "source_type": "decp",
            "owner_org": "ccmv",
        },
        "user_create": {
            "name": "complice",
            "email": "complice@example.org",
            "password": "Un mot de passe assez long",
        },
        "territoire_territory_init": {"epci_siren": "243801024", "dry_run": True},
        "territoire_checklist_answer": {
            "id": "engins",
            "question_id": "inventory",
            "answer": "yes",
        },
        "territoire_guide_note_update": {"id": "ccmv", "step": "intro", "note": "x"},
        "territoire_starter_dataset_create": {"id": "engins", "starter": "budget"},
        "bulk_update_public": {"org_id": "engins", "datasets": [PRIVATE]},
        "territoire_resource_validate": {"id": file["id"]},
        "resource_view_create": {
            "resource_id": file["id"],
            "title": "Vue",
            "view_type": "datatables_view",
        },
        "datastore_create": {"resource": {"package_id": PUBLIC}, "records": []},
    }

    answered = {
        name: app.post(
            f"/api/3/action/{name.split()[0]}", json=params, headers=user
        ).status_code
        for name, params in attempts.items()
    }

    assert answered == {name: 403 for name in attempts}
