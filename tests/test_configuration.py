"""Every ckanext.territoire.* option is declared (type, default, description)
and documented in the operators' manual (docs/operating.md); the
configuration files are consistent."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "ckanext" / "opendata_territoire"
OPTION = re.compile(r"ckanext\.territoire\.[a-z0-9_.]+[a-z0-9_]")


def declared_options() -> dict[str, dict]:
    declaration = yaml.safe_load((PACKAGE / "config_declaration.yaml").read_text())
    return {
        option["key"]: option
        for group in declaration["groups"]
        for option in group["options"]
    }


def options_used_in_code() -> set[str]:
    used: set[str] = set()
    for path in PACKAGE.rglob("*"):
        if path.suffix in {".py", ".html", ".js"}:
            used |= set(OPTION.findall(path.read_text(encoding="utf-8")))
    return used


def test_every_option_used_in_the_code_is_declared():
    assert options_used_in_code() <= set(declared_options())


def test_every_declared_option_has_a_description():
    for key, option in declared_options().items():
        assert option.get("description", "").strip(), key


def test_every_declared_option_is_in_the_operators_table():
    manual = (REPO / "docs" / "operating.md").read_text(encoding="utf-8")

    missing = [key for key in declared_options() if f"| `{key}` |" not in manual]

    assert not missing


def ini(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(path)
    return parser["app:main"]


def test_demo_and_test_configurations_load_the_same_plugins_in_the_same_order():
    demo = ini(REPO / "dev" / "demo.ini.in")
    test = ini(REPO / "test.ini")

    assert demo["ckan.plugins"].split() == test["ckan.plugins"].split()
    assert demo["ckan.locale_default"] == "fr"
    # ckanext-dcat must come before scheming (its docs), our templates first.
    plugins = demo["ckan.plugins"].split()
    assert plugins[0] == "opendata_territoire"
    assert plugins.index("dcat") < plugins.index("scheming_datasets")


def test_demo_and_tests_use_separate_databases_site_ids_and_redis_databases():
    demo = ini(REPO / "dev" / "demo.ini.in")
    test = ini(REPO / "test.ini")

    for key in (
        "sqlalchemy.url",
        "ckan.datastore.write_url",
        "ckan.site_id",
        "ckan.redis.url",
    ):
        assert demo[key] != test[key], key
