"""The production Docker material in docker/: the Compose stack, the images and
.env.example, checked as files (no Docker engine needed). Two tests load the
stack with compose-go, the loader of `docker compose`.

The `cloud` profile (SolrCloud, two web instances behind nginx, two fetch
consumers) is checked by the tests named test_cloud_*; the other tests check
the default services, those `docker compose` runs without a profile.

Pure: no PostgreSQL, Solr or Redis. Without the services, give pytest
`--noconftest -p no:ckan -o addopts=''` (the conftest and CKAN's pytest plugin
connect to them).
"""

from __future__ import annotations

import configparser
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DOCKER = REPO / "docker"
COMPOSE_FILE = DOCKER / "docker-compose.yml"
ENV_EXAMPLE = DOCKER / ".env.example"
DOCKERFILE = DOCKER / "Dockerfile"
SOLR_DOCKERFILE = DOCKER / "solr" / "Dockerfile"
SOLR_SCHEMA = DOCKER / "solr" / "schema.xml"
SOLR_INITDB = DOCKER / "solr" / "initdb.d"
# The dev Solr's French configuration (dev/solr/solr.sh copies this conf/ into
# its core; dev/solr/french_text.py adds elision to CKAN's schema).
DEV_SOLR_CONF = REPO / "dev" / "solr" / "home" / "ckan" / "conf"
FRENCH_TEXT = REPO / "dev" / "solr" / "french_text.py"
# ckan/ckan-solr:2.11-solr9 (github.com/ckan/ckan-solr, solr-9/Dockerfile): a
# copy of Solr's _default configset, named ckan, with CKAN's schema.xml as its
# legacy-named "managed-schema" (which Solr loads in preference to
# "managed-schema.xml"); its command, `solr-precreate ckan <configset>`, copies
# the configset to /var/solr/data/ckan (the solr_data volume) on the first
# start only (Solr's docker scripts precreate-core).
SOLR_IMAGE = "ckan/ckan-solr:2.11-solr9"
SOLR_CONFSET = "/opt/solr/server/solr/configsets/ckan/conf"
SOLR_CORE = "/var/solr/data/ckan"

WEB = "ckan"
CKAN_WORKERS = ("harvest-gather", "harvest-fetch", "worker", "scheduler")
CKAN_SERVICES = (WEB, *CKAN_WORKERS)
BACKING_SERVICES = ("db", "solr", "redis")
# Profile cloud (docker/README.md, "Several machines: SolrCloud and two web
# instances"): nginx's SolrCloud proxy is CKAN's one Solr URL.
CLOUD = "cloud"
SOLR_NODES = ("solr-1", "solr-2")
CLOUD_WEB = ("ckan", "ckan-2")
CLOUD_SERVICES = (
    "zookeeper",
    *SOLR_NODES,
    "solr-init",
    "ckan-2",
    "harvest-fetch-2",
    "nginx",
)
CLOUD_SOLR_URL = "http://nginx:8983/solr/ckan"
NGINX_CONF = DOCKER / "nginx" / "cloud.conf"
CLOUD_CONFIGSET = DOCKER / "solr" / "cloud_configset.py"
CLOUD_INIT = DOCKER / "solr" / "cloud_init.py"
COMPOSE_CHECK = REPO / ".dev" / "bin" / "compose-check"
# service -> (named volume, mount point)
VOLUMES = {
    "db": ("pg_data", "/var/lib/postgresql/data"),
    "solr": ("solr_data", "/var/solr"),
    "ckan": ("ckan_storage", "/var/lib/ckan"),
    "redis": ("redis_data", "/data"),
}
# The variables of .env.example that must hold a "change-me-..." placeholder.
REQUIRED_SECRETS = (
    "POSTGRES_PASSWORD",
    "CKAN_DB_PASSWORD",
    "DATASTORE_READONLY_PASSWORD",
    "CKAN_SECRET_KEY",
    "CKAN_JWT_SECRET",
    "CKAN_SYSADMIN_PASSWORD",
)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY$|TOKEN")
# ckanext-envvars-free variables that CKAN core maps itself
# (ckan.config.environment.CONFIG_FROM_ENV_VARS).
CORE_VARIABLES = {
    "CKAN_SQLALCHEMY_URL": "sqlalchemy.url",
    "CKAN_DATASTORE_WRITE_URL": "ckan.datastore.write_url",
    "CKAN_DATASTORE_READ_URL": "ckan.datastore.read_url",
    "CKAN_SOLR_URL": "solr_url",
    "CKAN_REDIS_URL": "ckan.redis.url",
    "CKAN_SITE_URL": "ckan.site_url",
    "CKAN_SITE_ID": "ckan.site_id",
}
# Settings the portal must run with exactly as the test suite does.
SETTINGS_SHARED_WITH_TEST_INI = (
    "scheming.dataset_schemas",
    "scheming.organization_schemas",
    "scheming.presets",
    "ckanext.dcat.rdf.profiles",
    "ckan.harvest.mq.type",
    "ckan.locale_default",
    "ckan.locales_offered",
    "ckan.csrf_protection.ignore_extensions",
)

# Compose interpolation: $$ (a literal $), ${VAR}, ${VAR:-default},
# ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR.
_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_]\w*)(?:(?P<operator>:?[-?])(?P<argument>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_]\w*))"
)
_REFERENCE = re.compile(r"(?<!\$)\$\{[A-Za-z_]\w*(?::?[-?][^}]*)?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Resolve the Compose variables of `value` as `docker compose` does."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        operator, argument = match["operator"], match["argument"]
        if operator == ":-":
            return env.get(name) or argument
        if operator == "-":
            return env.get(name, argument)
        if operator in (":?", "?") and (
            name not in env or (operator == ":?" and not env[name])
        ):
            raise KeyError(f"{name}: {argument}")
        return env.get(name, "")

    return _INTERPOLATION.sub(replace, value)


def variables(value: str) -> set[str]:
    return {
        match["braced"] or match["bare"]
        for match in _INTERPOLATION.finditer(value)
        if not match["escaped"]
    }


def strings(node: Any) -> list[str]:
    """Every string value of a loaded YAML document (keys excluded)."""
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return [node] if isinstance(node, str) else []


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def all_services() -> dict[str, dict[str, Any]]:
    """Every service of the file, those of the profiles included."""
    return load_compose()["services"]


def services() -> dict[str, dict[str, Any]]:
    """The default services: those of no profile."""
    return {
        name: service
        for name, service in all_services().items()
        if not service.get("profiles")
    }


def cloud_services() -> dict[str, dict[str, Any]]:
    """What `docker compose --profile cloud` runs."""
    return {
        name: service
        for name, service in all_services().items()
        if service.get("profiles") in (None, [CLOUD])
    }


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def load_test_ini() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(REPO / "test.ini", encoding="utf-8")
    return parser["app:main"]


def ini_key(variable: str) -> str | None:
    """The configuration key a variable sets, following CKAN core and
    ckanext-envvars (CKAN___X -> X when X is a declared upper-case key)."""
    if variable in CORE_VARIABLES:
        return CORE_VARIABLES[variable]
    if variable.startswith("CKAN___"):
        key = variable[len("CKAN___") :]
        if key in ("SECRET_KEY", "WTF_CSRF_SECRET_KEY"):
            return key
        return key.lower().replace("__", ".")
    if variable.startswith(("CKAN__", "CKANEXT__")):
        return variable.lower().replace("__", ".")
    return None


def ckan_settings() -> dict[str, str]:
    """The CKAN settings of the web service, resolved with .env.example."""
    env = env_example()
    settings = {}
    for variable, value in environment(services()[WEB]).items():
        key = ini_key(variable)
        if key:
            settings[key] = interpolate(value, env)
    return settings


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, arguments = current.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    return instructions


def mounts(service: dict[str, Any]) -> set[tuple[str, str]]:
    result = set()
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            result.add((volume["source"], volume["target"]))
        else:
            source, target = volume.split(":")[:2]
            result.add((source, target))
    return result


def command_text(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return command if isinstance(command, str) else " ".join(command)


def dockerfile_stages(path: Path) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The ARGs declared before the first FROM (name -> default), and each
    stage as {"from", "name", "instructions"}."""
    global_args: dict[str, str] = {}
    stages: list[dict[str, Any]] = []
    for keyword, args in dockerfile_instructions(path):
        if keyword == "FROM":
            image, _, name = args.partition(" AS ")
            stages.append({"from": image, "name": name, "instructions": []})
        elif stages:
            stages[-1]["instructions"].append((keyword, args))
        elif keyword == "ARG":
            name, _, default = args.partition("=")
            global_args[name] = default
    return global_args, stages


def copies(instructions: list[tuple[str, str]]) -> dict[str, str]:
    """destination -> source of the one-source COPY instructions."""
    result = {}
    for keyword, args in instructions:
        if keyword == "COPY":
            tokens = [
                token for token in shlex.split(args) if not token.startswith("--")
            ]
            assert len(tokens) == 2, args
            result[tokens[1]] = tokens[0]
    return result


def _ignore_pattern(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as a regular expression (Go's filepath.Match
    plus `**`)."""
    parts = re.split(r"(\*\*|\*|\?)", pattern.strip("/"))
    wildcards = {"**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wildcards.get(part, re.escape(part)) for part in parts))


def dockerignored(path: str, ignore_file: Path) -> bool:
    """Whether the build context leaves `path` out: the last pattern matching
    the path or one of its parent directories wins, `!` re-includes."""
    candidates = [path, *(str(parent) for parent in Path(path).parents)][:-1]
    ignored = False
    for line in ignore_file.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exclude = not line.startswith("!")
        regex = _ignore_pattern(line.lstrip("!"))
        if any(regex.fullmatch(candidate) for candidate in candidates):
            ignored = exclude
    return ignored


def schema_root(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def text_analyzers(schema: ET.Element) -> dict[str, ET.Element]:
    """type ("index", "query") -> analyzer of the "text" field type."""
    (field_type,) = [
        element for element in schema.iter("fieldType") if element.get("name") == "text"
    ]
    return {
        analyzer.get("type", ""): analyzer for analyzer in field_type.iter("analyzer")
    }


def installed_ckan_schema() -> Path:
    import ckan

    return Path(ckan.__file__).parent / "config" / "solr" / "schema.xml"


def test_compose_file_defines_the_expected_services():
    compose = load_compose()

    assert "version" not in compose
    assert set(services()) == {*CKAN_SERVICES, *BACKING_SERVICES}


def test_every_image_has_an_explicit_tag_that_is_not_latest():
    for env in (env_example(), {}):
        for name, service in all_services().items():
            assert "image" in service, f"{name} has no image name"
            image = interpolate(service["image"], env)
            repository, _, tag = image.rpartition(":")
            assert repository, f"{name}: {image} has no tag"
            assert "/" not in tag, f"{name}: {image} has no tag"
            assert tag and tag != "latest", f"{name}: {image}"


def test_ckan_runs_the_image_built_on_ckan_base_and_solr_is_ckan_solr():
    all_services = services()
    web = all_services[WEB]
    build = web["build"]

    assert (COMPOSE_FILE.parent / build["context"]).resolve() == REPO
    assert (REPO / build["dockerfile"]).resolve() == DOCKERFILE
    froms = [args for keyword, args in dockerfile_instructions() if keyword == "FROM"]
    # A Node stage brings the territory reference data; the image is CKAN's.
    assert froms == ["node:20-bookworm-slim AS territory-data", "ckan/ckan-base:2.11"]
    # Built once, by the web service; the other CKAN services run that image.
    for name in CKAN_WORKERS:
        assert "build" not in all_services[name], name
        assert all_services[name]["image"] == web["image"], name
        assert all_services[name]["pull_policy"] == "never", name
    assert web["pull_policy"] == "build"
    # Solr: ckan/ckan-solr with the French configuration (docker/solr/).
    _, solr_stages = dockerfile_stages(SOLR_DOCKERFILE)
    assert {stage["from"] for stage in solr_stages[:-1]} == {SOLR_IMAGE}
    assert re.fullmatch(r"postgres:\d+-bookworm", all_services["db"]["image"])
    assert re.fullmatch(r"redis:\d+(\.\d+)*-bookworm", all_services["redis"]["image"])


def test_dockerfile_installs_the_extension_with_the_lock_file():
    instructions = dockerfile_instructions()
    runs = [args for keyword, args in instructions if keyword == "RUN"]
    # COPY --from=<stage> copies from a build stage, not from the context.
    copies = [
        shlex.split(args)
        for keyword, args in instructions
        if keyword == "COPY" and "--from=" not in args
    ]

    assert any(
        re.search(
            r"\bpip3? install\b[^&;]*\s-c requirements\.lock\s[^&;]*\.(\s|$)", run
        )
        for run in runs
    ), runs
    sources = [
        token for copy in copies for token in copy[:-1] if not token.startswith("--")
    ]
    assert "requirements.lock" in sources
    # The build context is the repository root: every source must exist there,
    # and must not be hidden by docker/Dockerfile.dockerignore.
    reincluded = {
        line[1:].strip().rstrip("/")
        for line in (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    for source in sources:
        assert (REPO / source).exists(), source
        parents = {source.rstrip("/"), *(str(p) for p in Path(source).parents)}
        assert parents & reincluded, f"{source} is excluded from the build context"
    # ENTRYPOINT replaces the base image's CMD, which must be restated.
    keywords = [keyword for keyword, _ in instructions]
    assert keywords.index("ENTRYPOINT") < keywords.index("CMD")
    assert dict(instructions)["CMD"] == '["/srv/app/start_ckan.sh"]'


def test_solr_is_built_from_docker_solr_dockerfile():
    solr = services()["solr"]
    build = solr["build"]

    assert (COMPOSE_FILE.parent / build["context"]).resolve() == REPO
    assert (REPO / build["dockerfile"]).resolve() == SOLR_DOCKERFILE
    # Named after the project, never pulled from a registry.
    assert solr["image"].startswith("opendata-territoire-solr:")
    assert solr["pull_policy"] == "build"
    # SOLR_FRENCH from docker/.env or the shell, 1 (French search) by default.
    assert build["args"] == {"SOLR_FRENCH": "${SOLR_FRENCH:-1}"}
    # The index stays in its volume, the core and the healthcheck are CKAN's.
    assert ("solr_data", "/var/solr") in mounts(solr)
    assert "/solr/ckan/admin/ping" in " ".join(solr["healthcheck"]["test"])
    assert "command" not in solr and "entrypoint" not in solr


def test_solr_dockerfile_copies_the_french_configuration_into_the_configset():
    global_args, stages = dockerfile_stages(SOLR_DOCKERFILE)
    by_name = {stage["name"]: stage for stage in stages if stage["name"]}
    final = stages[-1]

    # SOLR_FRENCH (1 by default) selects the stage the image is made of.
    assert global_args == {"SOLR_FRENCH": "1"}
    assert final["from"] == "solr-french-${SOLR_FRENCH}"
    # 0: ckan/ckan-solr as it ships.
    assert by_name["solr-french-0"]["from"] == SOLR_IMAGE
    assert by_name["solr-french-0"]["instructions"] == []
    # 1: the French schema and the dev Solr's own synonyms and elisions, in
    # the configset the core is created from.
    french = by_name["solr-french-1"]
    assert french["from"] == SOLR_IMAGE
    assert [keyword for keyword, _ in french["instructions"]] == ["COPY"] * 3
    assert copies(french["instructions"]) == {
        f"{SOLR_CONFSET}/managed-schema": "docker/solr/schema.xml",
        f"{SOLR_CONFSET}/synonyms.txt": "dev/solr/home/ckan/conf/synonyms.txt",
        f"{SOLR_CONFSET}/lang/contractions_fr.txt": (
            "dev/solr/home/ckan/conf/lang/contractions_fr.txt"
        ),
    }
    # Both: the core's configuration is refreshed from the configset at start.
    assert copies(final["instructions"]) == {
        "/docker-entrypoint-initdb.d/": "docker/solr/initdb.d/"
    }
    # The image's own command is kept (no CMD, ENTRYPOINT or USER change).
    assert {keyword for keyword, _ in final["instructions"]} == {"COPY"}


def test_solr_build_context_holds_only_what_the_dockerfile_copies():
    ignore_file = SOLR_DOCKERFILE.with_name("Dockerfile.dockerignore")
    _, stages = dockerfile_stages(SOLR_DOCKERFILE)
    sources = [
        source for stage in stages for source in copies(stage["instructions"]).values()
    ]

    files = []
    for source in sources:
        path = REPO / source
        assert path.exists(), source
        found = sorted(path.rglob("*")) if path.is_dir() else [path]
        files += [str(f.relative_to(REPO)) for f in found if f.is_file()]
    assert files
    for file in files:
        assert not dockerignored(file, ignore_file), f"{file} is not sent to the build"
    for other in (
        ".dev/venv/bin/python",
        ".git/config",
        "docker/.env",
        "dev/solr/solr.sh",
        "ckanext/opendata_territoire/plugin.py",
    ):
        assert dockerignored(other, ignore_file), other


def test_solr_schema_is_ckans_with_french_elision_and_the_synonyms():
    schema = schema_root(SOLR_SCHEMA)
    ckan_schema = schema_root(installed_ckan_schema())

    # The name and version CKAN checks at start-up are CKAN's own.
    assert (schema.get("name"), schema.get("version")) == (
        ckan_schema.get("name"),
        ckan_schema.get("version"),
    )
    assert schema.get("name") == "ckan-2.11"
    analyzers = text_analyzers(schema)
    assert set(analyzers) == {"index", "query"}
    (french,) = [
        stage
        for stage in dockerfile_stages(SOLR_DOCKERFILE)[1]
        if stage["name"] == "solr-french-1"
    ]
    copied = copies(french["instructions"])
    for kind, analyzer in analyzers.items():
        tokenizer, first_filter, *_ = list(analyzer)
        assert tokenizer.get("class") == "solr.WhitespaceTokenizerFactory", kind
        # Elision right after the tokenizer, with the elisions the image ships.
        assert first_filter.get("class") == "solr.ElisionFilterFactory", kind
        assert first_filter.get("ignoreCase") == "true", kind
        articles = first_filter.get("articles")
        assert copied[f"{SOLR_CONFSET}/{articles}"] == (
            "dev/solr/home/ckan/conf/lang/contractions_fr.txt"
        )
    # Synonyms at search time, from the synonyms file the image ships.
    (synonyms,) = [
        f
        for f in analyzers["query"]
        if f.get("class") == "solr.SynonymGraphFilterFactory"
    ]
    assert synonyms.get("expand") == "true"
    assert synonyms.get("ignoreCase") == "true"
    assert copied[f"{SOLR_CONFSET}/{synonyms.get('synonyms')}"] == (
        "dev/solr/home/ckan/conf/synonyms.txt"
    )


def test_solr_schema_is_what_french_text_makes_of_the_installed_ckan_schema(
    tmp_path,
):
    """docker/solr/schema.xml is generated, never edited by hand: regenerate it
    with the command of docker/README.md when CKAN's schema changes."""
    regenerated = tmp_path / "schema.xml"
    shutil.copyfile(installed_ckan_schema(), regenerated)

    subprocess.run([sys.executable, str(FRENCH_TEXT), str(regenerated)], check=True)

    assert SOLR_SCHEMA.read_bytes() == regenerated.read_bytes(), (
        "docker/solr/schema.xml is not what dev/solr/french_text.py makes of "
        "CKAN's schema.xml: regenerate it (docker/README.md)"
    )
    # Nothing but the two elision filters added to CKAN's schema.
    added = [
        line
        for line in SOLR_SCHEMA.read_text(encoding="utf-8").splitlines()
        if "ElisionFilterFactory" in line
    ]
    without = "".join(
        line
        for line in SOLR_SCHEMA.read_text(encoding="utf-8").splitlines(keepends=True)
        if line.strip() not in {a.strip() for a in added}
    )
    assert len(added) == 2
    assert without == installed_ckan_schema().read_text(encoding="utf-8")
    readme = (DOCKER / "README.md").read_text(encoding="utf-8")
    command = f"python3 dev/solr/french_text.py {SOLR_SCHEMA.relative_to(REPO)}"
    assert command in readme


def test_solr_synonyms_and_elisions_are_those_of_the_dev_solr():
    # One copy of each: the dev Solr's conf/, which dev/solr/solr.sh installs.
    assert "home/ckan/conf" in (REPO / "dev" / "solr" / "solr.sh").read_text()
    for name in ("synonyms.txt", "contractions_fr.txt"):
        assert (DEV_SOLR_CONF / name).exists() or (
            DEV_SOLR_CONF / "lang" / name
        ).exists(), name
        assert not list(DOCKER.rglob(name)), f"a second {name} under docker/"
    synonyms = (DEV_SOLR_CONF / "synonyms.txt").read_text(encoding="utf-8")
    assert "cantine, cantines, restauration, scolaire" in synonyms
    contractions = (DEV_SOLR_CONF / "lang" / "contractions_fr.txt").read_text()
    assert {"l", "d", "qu", "jusqu"} <= set(contractions.split())


def _run_initdb(tmp_path: Path, core_exists: bool) -> subprocess.CompletedProcess[str]:
    """Sources docker/solr/initdb.d/ as the image's run-initdb does (bash,
    set -e), with the image's directories moved under tmp_path."""
    confset = tmp_path / SOLR_CONFSET.lstrip("/")
    core = tmp_path / SOLR_CORE.lstrip("/")
    (confset / "lang").mkdir(parents=True)
    (confset / "managed-schema").write_text("french schema")
    (confset / "synonyms.txt").write_text("cantine, repas")
    (confset / "lang" / "contractions_fr.txt").write_text("l\nd")
    if core_exists:
        (core / "conf" / "lang").mkdir(parents=True)
        (core / "conf" / "managed-schema").write_text("ckan-solr schema")
        (core / "conf" / "synonyms.txt").write_text("GB,gib,gigabyte")
        (core / "conf" / "solrconfig.xml").write_text("kept")
        (core / "data").mkdir()
        (core / "data" / "index").write_text("index")
    script = tmp_path / "initdb.sh"
    script.write_text(
        "".join(
            path.read_text()
            .replace(SOLR_CONFSET, str(confset))
            .replace(SOLR_CORE, str(core))
            for path in sorted(SOLR_INITDB.glob("*.sh"))
        )
    )
    return subprocess.run(
        ["bash", "-c", f'set -e; . "{script}"; echo sourced-to-the-end'],
        capture_output=True,
        text=True,
        check=False,
    )


def test_solr_core_configuration_is_refreshed_from_the_image_at_start(tmp_path):
    """The core lives in the solr_data volume, created from the configset at
    the first start only: a volume made by an earlier image gets the French
    configuration (and later changes of the synonyms) at the next start."""
    result = _run_initdb(tmp_path, core_exists=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "sourced-to-the-end"
    conf = tmp_path / SOLR_CORE.lstrip("/") / "conf"
    assert (conf / "managed-schema").read_text() == "french schema"
    assert (conf / "synonyms.txt").read_text() == "cantine, repas"
    assert (conf / "lang" / "contractions_fr.txt").read_text() == "l\nd"
    assert (conf / "solrconfig.xml").read_text() == "kept"
    assert (conf.parent / "data" / "index").read_text() == "index"


def test_solr_first_start_leaves_the_core_to_precreate_core(tmp_path):
    result = _run_initdb(tmp_path, core_exists=False)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "sourced-to-the-end"
    assert not (tmp_path / SOLR_CORE.lstrip("/")).exists()


def test_dockerfile_plugins_are_the_compose_plugins():
    env = {}
    for keyword, args in dockerfile_instructions():
        if keyword == "ENV":
            env.update(token.split("=", 1) for token in shlex.split(args))

    compose_env = environment(services()[WEB])
    for variable in (
        "CKAN__PLUGINS",
        "CKAN___SCHEMING__DATASET_SCHEMAS",
        "CKAN___SCHEMING__ORGANIZATION_SCHEMAS",
        "CKAN___SCHEMING__PRESETS",
    ):
        assert env[variable] == compose_env[variable], variable


def test_long_running_services_are_health_checked():
    all_services = services()

    for name in (WEB, *BACKING_SERVICES):
        healthcheck = all_services[name].get("healthcheck", {})
        assert healthcheck.get("test") and not healthcheck.get("disable"), name
    assert "/api/action/status_show" in " ".join(
        all_services[WEB]["healthcheck"]["test"]
    )
    assert "pg_isready" in " ".join(all_services["db"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(all_services["redis"]["healthcheck"]["test"])
    assert "/solr/ckan/admin/ping" in " ".join(
        all_services["solr"]["healthcheck"]["test"]
    )

    # The consumers, the worker and the scheduler serve nothing to probe: they
    # start once everything they use is healthy, the web included (it runs the
    # migrations), and restart when their process exits.
    for name in CKAN_WORKERS:
        depends_on = all_services[name]["depends_on"]
        assert set(depends_on) == {WEB, *BACKING_SERVICES}, name
    for name, service in all_services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on without conditions"
        for dependency, options in depends_on.items():
            assert options == {"condition": "service_healthy"}, (name, dependency)
            assert "healthcheck" in all_services[dependency], dependency


def test_every_service_restarts_unless_stopped():
    for name, service in services().items():
        assert service.get("restart") == "unless-stopped", name


def test_named_volumes_are_declared_and_mounted():
    compose = load_compose()
    declared = set(compose["volumes"])

    for name, (volume, target) in VOLUMES.items():
        assert volume in declared
        assert (volume, target) in mounts(compose["services"][name]), name
    for name in CKAN_WORKERS:
        assert ("ckan_storage", "/var/lib/ckan") in mounts(compose["services"][name])


def test_only_the_web_port_is_published_on_localhost_by_default():
    all_services = services()
    published = {name for name, service in all_services.items() if "ports" in service}

    assert published == {WEB}
    (port,) = all_services[WEB]["ports"]
    assert interpolate(port, {}) == "127.0.0.1:5000:5000"
    assert interpolate(port, env_example()).startswith("127.0.0.1:")


def test_db_solr_and_redis_are_on_internal_networks_only():
    compose = load_compose()
    networks = compose["networks"]

    for name in BACKING_SERVICES:
        service_networks = compose["services"][name]["networks"]
        assert service_networks, name
        for network in service_networks:
            assert (networks[network] or {}).get("internal") is True, (name, network)
    for name in CKAN_SERVICES:
        assert "backend" in compose["services"][name]["networks"], name


def test_no_secret_literal_in_the_compose_file():
    assert not [s for s in strings(load_compose()) if "change-me" in s]

    checked_urls = 0
    for name, service in services().items():
        for variable, value in environment(service).items():
            if SECRET_NAME.search(variable):
                assert _REFERENCE.search(value), (name, variable, value)
                assert _REFERENCE.sub("", value) in ("", "string:"), (name, variable)
            # A password in a URL is one ${VAR} reference (masked first: the
            # messages of ${VAR:?...} may hold slashes).
            masked = _REFERENCE.sub("\x00", value)
            credentials = re.match(r"^[a-z][a-z0-9+.-]*://([^/@]*)@", masked)
            if credentials:
                _, _, password = credentials[1].partition(":")
                assert password == "\x00", (name, variable, value)
                checked_urls += 1
    assert checked_urls == 3 * len(CKAN_SERVICES)


def test_env_example_defines_exactly_the_variables_of_the_compose_file():
    used = {name for value in strings(load_compose()) for name in variables(value)}

    assert used == set(env_example())


def test_env_example_documents_every_variable_and_only_holds_placeholders():
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    previous = ""
    for line in lines:
        if line.strip() and not line.startswith("#"):
            assert previous.startswith("#"), f"no comment above {line!r}"
        previous = line
    text = "\n".join(lines)
    assert 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"' in text

    values = env_example()
    for secret in REQUIRED_SECRETS:
        assert values[secret].startswith("change-me-"), secret
    assert len({values[secret] for secret in REQUIRED_SECRETS}) == len(REQUIRED_SECRETS)
    # Every other secret-like variable is optional and empty.
    for name, value in values.items():
        if SECRET_NAME.search(name) and name not in REQUIRED_SECRETS:
            assert value == "", name
    # The containers refuse the placeholders.
    for script in ("entrypoint.sh", "postgres/entrypoint.sh"):
        assert "*change-me*" in (DOCKER / script).read_text(), script
    assert ".env" in (DOCKER / ".gitignore").read_text().split()


def test_plugins_are_those_of_test_ini_with_envvars_first():
    expected = ["envvars", *load_test_ini()["ckan.plugins"].split()]

    for name in CKAN_SERVICES:
        assert environment(services()[name])["CKAN__PLUGINS"].split() == expected


def test_settings_are_those_of_test_ini():
    settings = ckan_settings()
    ini = load_test_ini()

    for key in SETTINGS_SHARED_WITH_TEST_INI:
        assert settings[key].split() == ini[key].split(), key
    assert settings["ckan.harvest.timeout"] == "120"
    assert settings["ckan.display_timezone"] == "Europe/Paris"
    assert settings["ckanext.territoire.name"]
    territory = environment(services()[WEB])["CKANEXT__TERRITOIRE__NAME"]
    assert interpolate(territory, {}), "ckanext.territoire.name needs a default"
    for key in (*CORE_VARIABLES.values(), "SECRET_KEY", "api_token.jwt.encode.secret"):
        assert settings.get(key), key


def test_ckan_services_share_the_environment_and_database_credentials():
    all_services = services()
    shared = environment(all_services[CKAN_WORKERS[0]])
    for name in CKAN_WORKERS:
        assert environment(all_services[name]) == shared, name
    assert environment(all_services[WEB]).items() >= shared.items()

    # The URLs CKAN uses name the users and databases the db service creates.
    env = env_example()
    settings = ckan_settings()
    db = {k: interpolate(v, env) for k, v in environment(all_services["db"]).items()}
    main = f"postgresql://{db['CKAN_DB_USER']}:{db['CKAN_DB_PASSWORD']}@db:5432/"
    read = (
        f"postgresql://{db['DATASTORE_READONLY_USER']}:"
        f"{db['DATASTORE_READONLY_PASSWORD']}@db:5432/"
    )
    assert settings["sqlalchemy.url"] == main + db["CKAN_DB"]
    assert settings["ckan.datastore.write_url"] == main + db["DATASTORE_DB"]
    assert settings["ckan.datastore.read_url"] == read + db["DATASTORE_DB"]


def test_ckan_containers_run_the_expected_commands():
    all_services = services()

    assert "harvester gather-consumer" in command_text(all_services["harvest-gather"])
    assert "harvester fetch-consumer" in command_text(all_services["harvest-fetch"])
    assert "jobs worker" in command_text(all_services["worker"])
    scheduler = command_text(all_services["scheduler"])
    assert "harvester run" in scheduler
    assert "sleep 300" in scheduler
    for name in CKAN_WORKERS:
        assert 'ckan -c "$${CKAN_INI}"' in command_text(all_services[name]), name
    # The web runs the image's command (start_ckan.sh).
    assert "command" not in all_services[WEB]


def test_shell_scripts_are_valid_bash():
    scripts = sorted(DOCKER.rglob("*.sh"))

    assert len(scripts) >= 4
    for script in scripts:
        result = subprocess.run(
            ["bash", "-n", str(script)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, (script, result.stderr)


def test_the_compose_file_loads_with_the_loader_of_docker_compose():
    """compose-go, the library `docker compose` loads and validates files
    with (the Compose specification's schema), built by dev/setup.sh: no
    Docker engine is needed."""
    result = subprocess.run(
        [
            str(REPO / ".dev" / "bin" / "compose-check"),
            "docker/docker-compose.yml",
            "docker/.env.example",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "opendata-territoire",
        "ckan",
        "db",
        "harvest-fetch",
        "harvest-gather",
        "redis",
        "scheduler",
        "solr",
        "worker",
    ]


def test_the_loader_refuses_what_the_specification_refuses(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        (REPO / "docker" / "docker-compose.yml")
        .read_text()
        .replace("\nservices:", "\nservicez:", 1)
    )

    result = subprocess.run(
        [
            str(REPO / ".dev" / "bin" / "compose-check"),
            str(broken),
            str(REPO / "docker" / ".env.example"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert "servicez" in result.stderr


def test_the_web_container_runs_uwsgi_with_the_settings_make_serve_uses():
    """One source of uwsgi settings: deploy/uwsgi.ini, copied into the image
    and passed to uwsgi by the compose file, and read by `make serve`'s
    supervisor configuration."""
    assert (
        "COPY",
        "--chown=ckan-sys:ckan-sys deploy/uwsgi.ini /srv/app/uwsgi.ini",
    ) in dockerfile_instructions()
    assert not dockerignored("deploy/uwsgi.ini", DOCKER / "Dockerfile.dockerignore")
    options = environment(services()[WEB])["EXTRA_UWSGI_OPTS"].split()
    assert options[:2] == ["--ini", "/srv/app/uwsgi.ini"]
    supervisor = (REPO / "deploy" / "supervisord.conf.in").read_text()
    assert "--ini @REPO_DIR@/deploy/uwsgi.ini" in supervisor
    settings = configparser.ConfigParser()
    settings.read(REPO / "deploy" / "uwsgi.ini")
    assert settings["uwsgi"]["master"] == "true"
    assert settings["uwsgi"]["lazy-apps"] == "true"


# Profile cloud: SolrCloud (ZooKeeper, two nodes, collection ckan in 2 shards
# x 2 replicas), two web instances and two Solr nodes behind nginx, two fetch
# consumers.


def compose_check(*profiles: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(COMPOSE_CHECK),
            "docker/docker-compose.yml",
            "docker/.env.example",
            *profiles,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def nginx_upstreams(text: str) -> dict[str, list[str]]:
    """upstream name -> its servers (host:port)."""
    return {
        name: re.findall(r"^\s*server\s+(\S+)", body, re.MULTILINE)
        for name, body in re.findall(r"upstream\s+(\S+)\s*\{(.*?)\}", text, re.DOTALL)
    }


def nginx_servers(text: str) -> dict[str, str]:
    """listen port -> the upstream its `proxy_pass http://...` names."""
    result = {}
    for block in re.split(r"^server\s*\{", text, flags=re.MULTILINE)[1:]:
        (port,) = re.findall(r"^\s*listen\s+(\d+);", block, re.MULTILINE)
        (upstream,) = re.findall(r"proxy_pass\s+http://([\w-]+);", block)
        result[port] = upstream
    return result


def test_cloud_services_exist_only_under_the_profile():
    default, cloud = services(), cloud_services()

    assert set(all_services()) == set(cloud)
    assert set(cloud) - set(default) == set(CLOUD_SERVICES)
    for name in CLOUD_SERVICES:
        assert all_services()[name]["profiles"] == [CLOUD], name
    # No default service waits for, or names, a service of the profile.
    for name, service in default.items():
        assert not set(service.get("depends_on", {})) & set(CLOUD_SERVICES), name


def test_cloud_the_compose_file_loads_with_and_without_the_profile():
    without, cloud = compose_check(), compose_check(CLOUD)

    assert without.returncode == 0, without.stderr
    assert without.stdout.split() == ["opendata-territoire", *sorted(services())]
    assert cloud.returncode == 0, (
        f"{cloud.stderr}\n(compose-check older than docker/compose-check/main.go?"
        " run dev/setup.sh)"
    )
    assert cloud.stdout.split() == [
        "opendata-territoire",
        *sorted({*services(), *CLOUD_SERVICES}),
    ]


def test_cloud_images_are_pinned_and_the_solr_nodes_run_the_solr_image():
    cloud = cloud_services()

    for name in SOLR_NODES:
        assert cloud[name]["image"] == cloud["solr"]["image"], name
        assert cloud[name]["pull_policy"] == "never", name
        assert "build" not in cloud[name], name
    for name in ("ckan-2", "harvest-fetch-2"):
        assert cloud[name]["image"] == cloud[WEB]["image"], name
        assert cloud[name]["pull_policy"] == "never", name
    assert re.fullmatch(r"zookeeper:3\.\d+(\.\d+)?", cloud["zookeeper"]["image"])
    assert re.fullmatch(r"python:3\.\d+-slim-bookworm", cloud["solr-init"]["image"])
    # `server ... resolve` in an upstream needs nginx 1.27.3 or later.
    nginx = re.fullmatch(r"nginx:1\.(\d+)(\.\d+)?-bookworm", cloud["nginx"]["image"])
    assert nginx and int(nginx[1]) >= 28, cloud["nginx"]["image"]


def test_cloud_solr_nodes_share_one_zookeeper():
    cloud = cloud_services()

    volumes = set()
    for name in SOLR_NODES:
        node = cloud[name]
        env = environment(node)
        assert env["ZK_HOST"] == "zookeeper:2181", name
        assert env["SOLR_HOST"] == name, name
        # Solr's own start in the foreground: not the image's solr-precreate,
        # which would make a standalone core.
        assert node["command"] == ["solr-foreground"], name
        assert node["depends_on"] == {"zookeeper": {"condition": "service_healthy"}}
        assert "/solr/admin/info/health" in " ".join(node["healthcheck"]["test"])
        ((volume, target),) = mounts(node)
        assert target == "/var/solr", name
        volumes.add(volume)
    assert len(volumes) == len(SOLR_NODES)
    assert volumes <= set(load_compose()["volumes"])
    zookeeper = cloud["zookeeper"]
    assert {target for _, target in mounts(zookeeper)} == {"/data", "/datalog"}
    assert "zkServer.sh" in zookeeper["healthcheck"]["test"]


class FakeSolr(BaseHTTPRequestHandler):
    """Solr's Collections and Configsets APIs as cloud_init.py uses them:
    records each request, knows which collections exist."""

    requests: list[tuple[str, dict[str, str], bytes]] = []
    collections: dict[str, Any] = {}

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.requests.append((url.path, params, body))
        answer: dict[str, Any] = {"responseHeader": {"status": 0}}
        if params.get("action") == "CLUSTERSTATUS":
            answer["cluster"] = {
                "live_nodes": [f"{node}:8983_solr" for node in SOLR_NODES],
                "collections": dict(self.collections),
            }
        elif params.get("action") == "CREATE":
            self.collections[params["name"]] = {}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def test_cloud_solr_init_creates_the_collection_in_2_shards_of_2_replicas():
    """Runs the solr-init service's command as compose gives it (its
    bind-mounted files, its environment) against a fake Solr."""
    init = cloud_services()["solr-init"]
    env = environment(init)
    assert env["SOLR_NODES"].split() == [f"http://{n}:8983/solr" for n in SOLR_NODES]
    assert init["depends_on"] == {
        name: {"condition": "service_healthy"} for name in SOLR_NODES
    }
    # The container's paths are the repository's files mounted there.
    host = {target: (DOCKER / source).resolve() for source, target in mounts(init)}
    command = [str(host.get(arg, arg)) for arg in init["command"]]
    assert command[:2] == ["python3", str(CLOUD_INIT)]
    assert command[2:] == [str(DEV_SOLR_CONF), str(SOLR_SCHEMA)]
    assert host["/opt/solr-cloud/cloud_configset.py"] == CLOUD_CONFIGSET
    assert Path(init["command"][1]).parent == Path("/opt/solr-cloud")

    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSolr)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeSolr.requests, FakeSolr.collections = [], {}
    url = f"http://127.0.0.1:{server.server_address[1]}/solr"
    run_env = {
        **os.environ,
        **env,
        "SOLR_NODES": f"{url} {url}",
        "no_proxy": "127.0.0.1",
        "NO_PROXY": "127.0.0.1",
    }
    try:
        runs = [
            subprocess.run(
                [sys.executable, *command[1:]],
                env=run_env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            for _ in range(2)
        ]
    finally:
        server.shutdown()
        server.server_close()

    for run in runs:
        assert run.returncode == 0, run.stderr
    actions = [
        (params["action"], params.get("name")) for _, params, _ in FakeSolr.requests
    ]
    # Created by the first run, reloaded (new configuration) by the second.
    assert actions == [
        ("CLUSTERSTATUS", None),
        ("UPLOAD", "ckan"),
        ("CREATE", "ckan"),
        ("CLUSTERSTATUS", None),
        ("UPLOAD", "ckan"),
        ("RELOAD", "ckan"),
    ]
    (create,) = [p for _, p, _ in FakeSolr.requests if p["action"] == "CREATE"]
    assert create["numShards"] == "2"
    assert create["replicationFactor"] == "2"
    assert create["collection.configName"] == "ckan"
    assert "created: 2 shards x 2 replicas" in runs[0].stdout
    # The configset: the dev Solr's conf/ and the French CKAN schema, fit for
    # SolrCloud.
    path, upload, archive = FakeSolr.requests[1]
    assert path == "/solr/admin/configs" and upload["overwrite"] == "true"
    with zipfile.ZipFile(io.BytesIO(archive)) as configset:
        names = set(configset.namelist())
        schema = ET.fromstring(configset.read("schema.xml"))
        solrconfig = ET.fromstring(configset.read("solrconfig.xml"))
    assert {"synonyms.txt", "lang/contractions_fr.txt", "protwords.txt"} <= names
    assert schema.get("name") == "ckan-2.11"
    assert set(text_analyzers(schema)) == {"index", "query"}
    (version,) = [f for f in schema.iter("field") if f.get("name") == "_version_"]
    assert version.get("type") == "plong"
    assert solrconfig.find("updateHandler/updateLog") is not None


def _configset_source(tmp_path: Path, schema_name: str = "schema.xml") -> Path:
    """The dev Solr's conf/ with CKAN's own schema.xml, as installed."""
    source = tmp_path / "source"
    shutil.copytree(DEV_SOLR_CONF, source)
    shutil.copyfile(installed_ckan_schema(), source / schema_name)
    return source


def _cloud_configset(*args: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CLOUD_CONFIGSET), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cloud_configset_script_patches_ckans_schema_and_the_dev_solrconfig(
    tmp_path,
):
    source = _configset_source(tmp_path)
    out = tmp_path / "cloud"

    result = _cloud_configset(source, out)

    assert result.returncode == 0, result.stderr
    # CKAN's schema: _version_ is a long; the name and version CKAN checks,
    # and every other line, unchanged.
    ckan_schema = installed_ckan_schema().read_text(encoding="utf-8")
    schema = ET.parse(out / "schema.xml").getroot()
    (version,) = [f for f in schema.iter("field") if f.get("name") == "_version_"]
    assert version.get("type") == "plong"
    assert version.get("indexed") == "true" and version.get("stored") == "true"
    assert [t for t in schema.iter("fieldType") if t.get("name") == "plong"]
    assert schema.get("name") == ET.fromstring(ckan_schema).get("name")
    before = ckan_schema.splitlines()
    after = (out / "schema.xml").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        (
            '    <field name="_version_" type="string" indexed="true" stored="true"/>',
            '    <field name="_version_" type="plong" indexed="true" stored="true"/>',
        )
    ]
    # The dev solrconfig.xml: the update log in the update handler.
    solrconfig = ET.parse(out / "solrconfig.xml").getroot()
    (handler,) = solrconfig.findall("updateHandler")
    (directory,) = handler.findall("updateLog/str")
    assert (directory.get("name"), directory.text) == ("dir", "${solr.ulog.dir:}")
    assert handler.find("autoCommit") is not None
    # The rest of conf/ copied; the source untouched.
    assert (out / "synonyms.txt").read_bytes() == (source / "synonyms.txt").read_bytes()
    assert (out / "lang" / "contractions_fr.txt").exists()
    assert (source / "schema.xml").read_text(encoding="utf-8") == ckan_schema
    assert ET.parse(source / "solrconfig.xml").find("updateHandler/updateLog") is None
    # Idempotent: again on its own output, in place, nothing changes.
    patched = {p.name: p.read_bytes() for p in out.glob("*.xml")}
    again = _cloud_configset(out, out)
    assert again.returncode == 0, again.stderr
    assert {p.name: p.read_bytes() for p in out.glob("*.xml")} == patched


def test_cloud_configset_script_patches_the_images_managed_schema(tmp_path):
    """The layout of ckan/ckan-solr's configset: the schema named
    managed-schema, and Solr's solrconfig.xml, whose update log is kept."""
    source = _configset_source(tmp_path, "managed-schema")
    (source / "solrconfig.xml").write_text(
        '<config>\n  <updateHandler class="solr.DirectUpdateHandler2">\n'
        '    <updateLog>\n      <str name="dir">${solr.ulog.dir:}</str>\n'
        "    </updateLog>\n  </updateHandler>\n</config>\n"
    )

    result = _cloud_configset(source, tmp_path / "cloud")

    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "cloud" / "schema.xml").exists()
    schema = ET.parse(tmp_path / "cloud" / "managed-schema").getroot()
    (version,) = [f for f in schema.iter("field") if f.get("name") == "_version_"]
    assert version.get("type") == "plong"
    solrconfig = (tmp_path / "cloud" / "solrconfig.xml").read_text()
    assert solrconfig == (source / "solrconfig.xml").read_text()


def test_cloud_configset_script_refuses_an_unexpected_configuration(tmp_path):
    source = _configset_source(tmp_path)
    schema = (source / "schema.xml").read_text(encoding="utf-8")
    solrconfig = (source / "solrconfig.xml").read_text(encoding="utf-8")

    (source / "schema.xml").write_text(re.sub(r".*_version_.*\n", "", schema))
    no_version = _cloud_configset(source, tmp_path / "out")
    (source / "schema.xml").write_text(schema)
    (source / "solrconfig.xml").write_text(
        re.sub(r"<updateHandler.*?</updateHandler>", "", solrconfig, flags=re.DOTALL)
    )
    no_handler = _cloud_configset(source, tmp_path / "out")
    usage = _cloud_configset(source)

    assert no_version.returncode == 1
    assert "_version_" in no_version.stderr
    assert no_handler.returncode == 1
    assert "<updateHandler>" in no_handler.stderr
    assert not (tmp_path / "out").exists()
    assert usage.returncode == 2
    assert "SRC_CONF_DIR OUT_DIR" in usage.stderr


def test_cloud_web_instances_and_consumers_use_nginx_solr_proxy():
    cloud = cloud_services()
    ckan_services = [n for n, s in cloud.items() if "CKAN__PLUGINS" in environment(s)]

    assert set(ckan_services) == {*CKAN_SERVICES, "ckan-2", "harvest-fetch-2"}
    # One Solr URL for every CKAN container: the standalone solr by default,
    # nginx's SolrCloud proxy when docker/.env says so (profile cloud).
    urls = {environment(cloud[name])["CKAN_SOLR_URL"] for name in ckan_services}
    (url,) = urls
    assert interpolate(url, {}) == "http://solr:8983/solr/ckan"
    assert interpolate(url, env_example()) == "http://solr:8983/solr/ckan"
    assert interpolate(url, {"CKAN_SOLR_URL": CLOUD_SOLR_URL}) == CLOUD_SOLR_URL
    solr_proxy = urllib.parse.urlsplit(CLOUD_SOLR_URL)
    assert solr_proxy.hostname == "nginx" and "nginx" in cloud
    assert nginx_servers(NGINX_CONF.read_text())[str(solr_proxy.port)] == "solr_cloud"
    for document in (DOCKER / "README.md", ENV_EXAMPLE):
        assert CLOUD_SOLR_URL in document.read_text(encoding="utf-8"), document
    # ckan-2 starts uwsgi (the image's start_ckan.sh) with that URL only.
    script = interpolate(cloud["ckan-2"]["command"][2], {}).replace(
        "exec /srv/app/start_ckan.sh", "echo start_ckan; exit 0"
    )
    for solr_url, code in ((CLOUD_SOLR_URL, 0), ("http://solr:8983/solr/ckan", 78)):
        result = subprocess.run(
            ["sh", "-c", script],
            env={"CKAN_SOLR_URL": solr_url, "PATH": os.environ["PATH"]},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == code, (solr_url, result.stderr)
    assert cloud["ckan-2"]["command"][:2] == ["sh", "-c"]


def test_cloud_two_web_instances_and_two_fetch_consumers():
    cloud = cloud_services()
    web, second = cloud[WEB], cloud["ckan-2"]

    # Web instances: uwsgi with the same settings, health-checked the same way.
    webs = [n for n, s in cloud.items() if "status_show" in str(s.get("healthcheck"))]
    assert sorted(webs) == sorted(CLOUD_WEB)
    assert second["healthcheck"] == web["healthcheck"]
    web_env = environment(web)
    sysadmin = {k for k in web_env if k.startswith("CKAN_SYSADMIN_")}
    assert len(sysadmin) == 3
    assert environment(second) == {
        k: v for k, v in web_env.items() if k not in sysadmin
    }
    # After the migrations (ckan healthy) and the collection (solr-init).
    assert second["depends_on"] == {
        **web["depends_on"],
        WEB: {"condition": "service_healthy"},
        "solr-init": {"condition": "service_completed_successfully"},
    }
    assert "ports" not in second
    # Fetch consumers: the same command and environment.
    fetchers = [
        name
        for name, service in cloud.items()
        if "harvester fetch-consumer" in command_text(service)
    ]
    assert sorted(fetchers) == ["harvest-fetch", "harvest-fetch-2"]
    assert command_text(cloud["harvest-fetch-2"]) == command_text(
        cloud["harvest-fetch"]
    )
    assert environment(cloud["harvest-fetch-2"]) == environment(cloud["harvest-fetch"])
    assert cloud["harvest-fetch-2"]["depends_on"] == second["depends_on"]
    for name in ("ckan-2", "harvest-fetch-2"):
        assert ("ckan_storage", "/var/lib/ckan") in mounts(cloud[name]), name


def test_cloud_nginx_spreads_both_web_instances_and_both_solr_nodes():
    text = NGINX_CONF.read_text(encoding="utf-8")
    upstreams, servers = nginx_upstreams(text), nginx_servers(text)
    nginx = cloud_services()["nginx"]

    assert upstreams[servers["8080"]] == [f"{name}:5000" for name in CLOUD_WEB]
    assert upstreams[servers["8983"]] == [f"{name}:8983" for name in SOLR_NODES]
    assert set(servers) == {"8080", "8983"}
    # Docker's DNS, asked again as containers come and go.
    assert re.search(r"^resolver 127\.0\.0\.11\b", text, re.MULTILINE)
    for body in re.findall(r"upstream\s+\S+\s*\{(.*?)\}", text, re.DOTALL):
        assert re.search(r"^\s*zone\s", body, re.MULTILINE)
        for line in re.findall(r"^\s*server\s.*$", body, re.MULTILINE):
            assert " resolve " in line, line
    # Mounted as the image's default server; only the web port published,
    # on 127.0.0.1 by default.
    assert (
        "./nginx/cloud.conf",
        "/etc/nginx/conf.d/default.conf",
    ) in mounts(nginx)
    (port,) = nginx["ports"]
    assert interpolate(port, {}) == "127.0.0.1:8080:8080"
    assert interpolate(port, env_example()).startswith("127.0.0.1:")
    assert "/nginx-health" in " ".join(nginx["healthcheck"]["test"])
    assert "location = /nginx-health" in text


def test_cloud_nginx_config_passes_nginx_t(tmp_path):
    """`nginx -t` on the profile's configuration, in the http block as the
    image includes conf.d/, the upstream names replaced by 127.0.0.1 (the
    nginx here resolves them at load)."""
    nginx = Path("/usr/sbin/nginx")
    if not nginx.exists():
        pytest.skip("no /usr/sbin/nginx (Debian's nginx package) on this machine")
    version = subprocess.run(
        [str(nginx), "-v"], capture_output=True, text=True, check=True
    ).stderr
    major, minor, patch = map(
        int, re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", version).groups()
    )
    text = NGINX_CONF.read_text(encoding="utf-8")
    for name in (*CLOUD_WEB, *SOLR_NODES):
        text = re.sub(rf"\bserver {re.escape(name)}:", "server 127.0.0.1:", text)
    if (major, minor, patch) < (1, 27, 3):
        # The `resolve` parameter of upstream servers came with nginx 1.27.3
        # (the image's is 1.28): an older nginx checks the rest.
        text = text.replace(" resolve ", " ")
    (tmp_path / "cloud.conf").write_text(text)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    access_log {tmp_path}/access.log;\n"
        + "".join(
            f"    {kind}_temp_path {tmp_path}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"    include {tmp_path}/cloud.conf;\n"
        "}\n"
    )

    result = subprocess.run(
        [str(nginx), "-t", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_cloud_services_are_health_checked_restarted_and_internal():
    cloud = cloud_services()
    networks = load_compose()["networks"]

    for name in CLOUD_SERVICES:
        service = cloud[name]
        if name == "solr-init":
            # One-shot: runs at each `up`, exits; nothing to probe.
            assert service["restart"] == "no"
            assert "healthcheck" not in service
        elif name == "harvest-fetch-2":
            # As harvest-fetch: nothing to probe, restarted when it exits.
            assert service["restart"] == "unless-stopped"
            assert "healthcheck" not in service
        else:
            assert service["restart"] == "unless-stopped", name
            assert service["healthcheck"]["test"], name
        for dependency, options in service.get("depends_on", {}).items():
            assert dependency in cloud, (name, dependency)
            if dependency == "solr-init":
                assert options == {"condition": "service_completed_successfully"}
            else:
                assert options == {"condition": "service_healthy"}, (name, dependency)
                assert "healthcheck" in cloud[dependency], dependency
        assert service["logging"] == cloud["db"]["logging"], name
    # ZooKeeper and Solr: internal network only; nginx publishes the web.
    for name in ("zookeeper", *SOLR_NODES, "solr-init"):
        for network in cloud[name]["networks"]:
            assert (networks[network] or {}).get("internal") is True, (name, network)
    assert set(cloud["nginx"]["networks"]) == {"backend", "frontend"}
    published = {name for name, service in cloud.items() if "ports" in service}
    assert published == {WEB, "nginx"}


def test_cloud_profile_is_documented():
    readme = (DOCKER / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Several machines: SolrCloud and two web instances")[1]
    section = section.split("\n## ")[0]

    assert "--profile cloud" in section
    for name in CLOUD_SERVICES:
        assert f"`{name}`" in section, name
    assert "python3 docker/solr/cloud_configset.py SRC_CONF_DIR OUT_DIR" in section
    assert "not a quorum" in section
