"""The production Docker material in docker/: the Compose stack, the image and
.env.example, checked as files (no Docker engine needed). One test also asks
`docker compose config` to validate the stack when the Compose plugin is
installed."""

from __future__ import annotations

import configparser
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
DOCKER = REPO / "docker"
COMPOSE_FILE = DOCKER / "docker-compose.yml"
ENV_EXAMPLE = DOCKER / ".env.example"
DOCKERFILE = DOCKER / "Dockerfile"

WEB = "ckan"
CKAN_WORKERS = ("harvest-gather", "harvest-fetch", "worker", "scheduler")
CKAN_SERVICES = (WEB, *CKAN_WORKERS)
BACKING_SERVICES = ("db", "solr", "redis")
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


def services() -> dict[str, dict[str, Any]]:
    return load_compose()["services"]


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


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
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


def test_compose_file_defines_the_expected_services():
    compose = load_compose()

    assert "version" not in compose
    assert set(compose["services"]) == {*CKAN_SERVICES, *BACKING_SERVICES}


def test_every_image_has_an_explicit_tag_that_is_not_latest():
    for env in (env_example(), {}):
        for name, service in services().items():
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
    assert all_services["solr"]["image"] == "ckan/ckan-solr:2.11-solr9"
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
