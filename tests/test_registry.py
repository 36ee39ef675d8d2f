"""Registration where a thing is defined (registry.py): what the plugins hand
CKAN is what the modules mark with ``@registry.action``, ``.auth``,
``.helper``, ``.validator`` (and the harvester plugins' ``.harvest_action``,
``.harvest_auth``), read here from the source; every action has its auth
function; a name is registered once."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest
from ckan import plugins

from ckanext.opendata_territoire import logic, registry
from ckanext.opendata_territoire.datagouv.harvester import UdataHarvester
from ckanext.opendata_territoire.decp.harvester import DecpHarvester
from ckanext.opendata_territoire.harvesters.base import HARVEST_MODULES
from ckanext.opendata_territoire.plugin import OpendataTerritoirePlugin

PACKAGE = Path(logic.__file__).resolve().parent.parent


def registry_kind(node: ast.expr) -> str | None:
    """``registry.KIND`` as in ``@registry.action``, else None."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "registry"
        and node.attr in registry.KINDS
    ):
        return node.attr
    return None


def marks(path: Path) -> list[tuple[str, str, int]]:
    """(kind, name, line) of each registration in a module's source: a bare
    ``@registry.KIND`` on a def registers its name; ``registry.KIND("a",
    "b")``, as a decorator or called, registers the names it is given."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                kind = registry_kind(decorator)
                if kind:
                    found.append((kind, node.name, node.lineno))
        if isinstance(node, ast.Call) and (kind := registry_kind(node.func)):
            for arg in node.args:
                assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), (
                    f"{path}:{node.lineno}: registry.{kind}(...) takes names"
                )
                found.append((kind, arg.value, node.lineno))
    return found


def all_marks() -> dict[Path, list[tuple[str, str, int]]]:
    return {
        path: found
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "registry.py" and (found := marks(path))
    }


def test_the_registered_names_are_those_marked_in_the_source():
    marked: dict[str, set[str]] = {kind: set() for kind in registry.KINDS}
    for found in all_marks().values():
        for kind, name, _line in found:
            marked[kind].add(name)

    registered = {kind: set(r.registered()) for kind, r in registry.KINDS.items()}
    assert registered == marked
    assert all(registered.values())


def test_every_module_that_registers_is_imported_by_the_plugins():
    listed = {
        Path(module.__file__).resolve()
        for module in (*logic.FEATURE_MODULES, *HARVEST_MODULES)
        if module.__file__
    }
    registering = set(all_marks())
    missing = sorted(str(p.relative_to(PACKAGE)) for p in registering - listed)
    assert not missing, (
        f"{missing} register functions but are not in logic.FEATURE_MODULES "
        "(or harvesters/base.py HARVEST_MODULES): the plugin would not see them"
    )
    assert listed == registering


def test_a_name_is_registered_once():
    doubled = {
        (kind, name): count
        for (kind, name), count in Counter(
            (kind, name)
            for found in all_marks().values()
            for kind, name, _line in found
        ).items()
        if count > 1
    }
    assert not doubled


def test_the_registry_refuses_a_name_twice():
    kind = registry.Registry("action")

    @kind
    def territoire_thing_show() -> None: ...

    def other() -> None: ...

    with pytest.raises(ValueError, match="'territoire_thing_show' is registered twice"):
        kind("territoire_thing_show")(other)
    assert kind.registered() == {"territoire_thing_show": territoire_thing_show}
    with pytest.raises(TypeError):
        kind(42)  # type: ignore[call-overload]


def test_the_registry_decorator_is_on_top_of_the_others():
    """What is registered is the function as the other decorators leave it
    (``_optional`` of metadata/validators.py wraps it)."""
    for path, _found in all_marks().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            kinds = [
                registry_kind(d.func if isinstance(d, ast.Call) else d)
                for d in node.decorator_list
            ]
            if any(kinds):
                assert kinds[0], f"{path}:{node.lineno}: @registry.* goes on top"


def test_the_flags_of_ckan_decorators_are_kept():
    actions = registry.action.registered()
    auth = registry.auth.registered()
    assert actions["territoire_quality_show"].side_effect_free
    assert actions["package_show"].chained_action
    assert actions["group_show"].side_effect_free
    assert auth["territoire_procurement_gaps"].auth_allow_anonymous_access
    assert auth["territoire_reuse_list"].auth_allow_anonymous_access
    assert registry.helper.registered()["render_datetime"].chained_helper
    chained = registry.harvest_action.registered()["harvest_source_reindex"]
    assert chained.chained_action and chained.auth_audit_exempt


def test_every_action_has_its_auth_function():
    """Of the extension's own actions (``territoire_*``); the others chain
    CKAN's or ckanext-harvest's, whose auth functions stay theirs."""
    actions = registry.action.registered()
    auth = registry.auth.registered()
    own = {name for name in actions if name.startswith("territoire_")}
    assert own == {name for name in auth if name.startswith("territoire_")}
    for name, function in actions.items():
        if name not in own:
            assert getattr(function, "chained_action", False), name
    for name, function in auth.items():
        if not name.startswith("territoire_"):
            assert getattr(function, "chained_auth_function", False), name
    for name, function in registry.harvest_auth.registered().items():
        assert getattr(function, "chained_auth_function", False), name


def test_the_plugins_hand_ckan_what_is_registered():
    plugin = OpendataTerritoirePlugin()
    assert plugin.get_actions() == registry.action.registered()
    assert plugin.get_auth_functions() == registry.auth.registered()
    assert plugin.get_helpers() == registry.helper.registered()
    assert plugin.get_validators() == registry.validator.registered()
    harvester = DecpHarvester()
    assert harvester.get_actions() == registry.harvest_action.registered()
    assert harvester.get_auth_functions() == registry.harvest_auth.registered()
    assert set(registry.harvest_action.registered()) <= set(
        registry.harvest_auth.registered()
    )
    # The data.gouv.fr harvester registers the same, when the DECP one is off.
    udata = UdataHarvester()
    alone = not plugins.plugin_loaded("decp_harvester")
    assert udata.get_actions() == (harvester.get_actions() if alone else {})
