"""The modules that register the plugin's actions, auth functions, template
helpers and validators where they define them (``@registry.action``,
``@registry.auth``, ``@registry.helper``, ``@registry.validator``:
registry.py). The plugin imports this list once and hands CKAN what they
registered (``all_actions``...); a new module that registers something joins the list
(tests/test_registry.py fails until it does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckanext.opendata_territoire import french_ui, helpers, registry, third_party
from ckanext.opendata_territoire.decp import actions as decp_actions
from ckanext.opendata_territoire.decp import auth as decp_auth
from ckanext.opendata_territoire.future import actions as future_actions
from ckanext.opendata_territoire.future import auth as future_auth
from ckanext.opendata_territoire.harvesters import presets as harvest_presets
from ckanext.opendata_territoire.licences import actions as licences_actions
from ckanext.opendata_territoire.licences import auth as licences_auth
from ckanext.opendata_territoire.licences import helpers as licences_helpers
from ckanext.opendata_territoire.licences import validators as licences_validators
from ckanext.opendata_territoire.metadata import validators as metadata_validators
from ckanext.opendata_territoire.observatory import actions as observatory_actions
from ckanext.opendata_territoire.observatory import auth as observatory_auth
from ckanext.opendata_territoire.onboarding import actions as onboarding_actions
from ckanext.opendata_territoire.onboarding import auth as onboarding_auth
from ckanext.opendata_territoire.peers import actions as peers_actions
from ckanext.opendata_territoire.peers import auth as peers_auth
from ckanext.opendata_territoire.quality import actions as quality_actions
from ckanext.opendata_territoire.quality import auth as quality_auth
from ckanext.opendata_territoire.quality import validators as quality_validators
from ckanext.opendata_territoire.scdl_convert import actions as scdl_convert_actions
from ckanext.opendata_territoire.scdl_convert import auth as scdl_convert_auth
from ckanext.opendata_territoire.territory import actions as territory_actions
from ckanext.opendata_territoire.territory import auth as territory_auth
from ckanext.opendata_territoire.territory import validators as territory_validators
from ckanext.opendata_territoire.usage import actions as usage_actions
from ckanext.opendata_territoire.usage import auth as usage_auth

FEATURE_MODULES = (
    # Shared: template helpers, CKAN's actions that show images, French UI.
    helpers,
    third_party,
    french_ui,
    # One feature a line.
    decp_actions,
    decp_auth,
    future_actions,
    future_auth,
    harvest_presets,
    licences_actions,
    licences_auth,
    licences_helpers,
    licences_validators,
    metadata_validators,
    observatory_actions,
    observatory_auth,
    onboarding_actions,
    onboarding_auth,
    peers_actions,
    peers_auth,
    quality_actions,
    quality_auth,
    quality_validators,
    scdl_convert_actions,
    scdl_convert_auth,
    territory_actions,
    territory_auth,
    territory_validators,
    usage_actions,
    usage_auth,
)


def all_actions() -> dict[str, Callable[..., Any]]:
    return registry.action.registered()


def all_auth_functions() -> dict[str, Callable[..., Any]]:
    return registry.auth.registered()


def all_helpers() -> dict[str, Callable[..., Any]]:
    return registry.helper.registered()


def all_validators() -> dict[str, Callable[..., Any]]:
    return registry.validator.registered()
