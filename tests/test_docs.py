"""The manual names everything a reader can set, call or run, in the manner
of datasette's test_docs.py: a configuration option, an action, a `ckan
territoire` command, a template helper or a harvest source's configuration
key that no page of the manual (README.md and docs/*.md) mentions fails here,
named. Adding one means documenting it."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
import yaml

from ckanext.opendata_territoire import commands
from ckanext.opendata_territoire.datagouv import harvester as datagouv_harvester
from ckanext.opendata_territoire.decp import harvester as decp_harvester
from ckanext.opendata_territoire.plugin import OpendataTerritoirePlugin

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "ckanext" / "opendata_territoire"
README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))


@pytest.fixture(scope="module")
def manual() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in [README, *DOCS])


def _code_words(text: str) -> set[str]:
    """Every word written as code (between backticks) in the manual."""
    found = set()
    for span in re.findall(r"`([^`\n]+)`", text):
        found.update(re.findall(r"[\w.:-]+", span))
    return found


def config_options() -> list[str]:
    declared = yaml.safe_load((PACKAGE / "config_declaration.yaml").read_text())
    return sorted(
        option["key"]
        for group in declared["groups"]
        for option in group["options"]
        if option["key"].startswith("ckanext.territoire.")
    )


def cli_commands() -> list[str]:
    """Every command path under `ckan territoire`, groups included."""
    found = []

    def walk(command: click.Command, path: list[str]) -> None:
        found.append(" ".join(path))
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    for group in commands.get_commands():
        walk(group, [group.name or ""])
    return sorted(found)


def test_the_manual_has_a_door_and_rooms():
    assert len(README.read_text(encoding="utf-8").splitlines()) < 400
    names = {p.name for p in DOCS}
    for room in (
        "publier.md",
        "administering.md",
        "operating.md",
        "api.md",
        "development.md",
    ):
        assert room in names
    readme = README.read_text(encoding="utf-8")
    for page in DOCS:
        assert f"docs/{page.name}" in readme, f"README.md does not link {page.name}"


def test_every_configuration_option_is_documented(manual):
    words = _code_words(manual)
    missing = [key for key in config_options() if key not in words]
    assert missing == []


def test_every_action_is_documented(manual):
    words = _code_words(manual)
    actions = OpendataTerritoirePlugin().get_actions()
    missing = sorted(name for name in actions if name not in words)
    assert missing == []


def test_every_template_helper_is_documented(manual):
    words = _code_words(manual)
    helpers = OpendataTerritoirePlugin().get_helpers()
    missing = sorted(name for name in helpers if name not in words)
    assert missing == []


def test_every_cli_command_is_documented(manual):
    spans = re.findall(r"`([^`\n]+)`", manual) + re.findall(
        r"```[a-z]*\n(.*?)```", manual, re.S
    )
    text = " ".join(" ".join(s.split()) for s in spans)
    missing = [path for path in cli_commands() if path not in text]
    assert missing == []


@pytest.mark.parametrize(
    "harvester", [decp_harvester, datagouv_harvester], ids=["decp", "udata"]
)
def test_every_harvest_source_key_is_documented(manual, harvester):
    words = _code_words(manual)
    missing = [key for key in harvester.KEYS if key not in words]
    assert missing == []


def _anchor(title: str) -> str:
    """GitHub's anchor of a heading."""
    title = re.sub(r"`", "", title.strip().lower())
    return re.sub(r"[^\w\- ]", "", title).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    fence = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fence = not fence
        heading = None if fence else re.match(r"^#{1,6} (.*)", line)
        if heading:
            anchor = _anchor(heading.group(1))
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def test_every_link_of_the_manual_leads_somewhere():
    """A link to a file of the repository finds it, and a link to a section
    (``page.md#section``, ``#section``) finds its heading: the manual moved
    between pages, and a section renamed breaks links silently."""
    broken = []
    for page in [README, *DOCS]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, fragment = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists() or (
                fragment and linked.suffix == ".md" and fragment not in _anchors(linked)
            ):
                broken.append(f"{page.name}: {target}")
    assert broken == []
