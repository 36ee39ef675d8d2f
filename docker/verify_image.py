"""Build-time checks of the installed extension, run by docker/Dockerfile.

    python3 verify_image.py REQUIREMENTS_LOCK

Reads the configuration from the image's environment (CKAN__PLUGINS and the
CKAN___SCHEMING__* variables set by the Dockerfile). Fails the build (exit 1)
when:
- a plugin of CKAN__PLUGINS has no `ckan.plugins` entry point, or its module
  cannot be imported (e.g. a broken `ckanext` namespace package);
- a scheming schema or preset file cannot be resolved the way ckanext-scheming
  resolves it (module:path, relative to the module's directory);
- no compiled translation (.mo) ships in the package (nothing is compiled at
  runtime);
- a distribution required, directly or not, by the extension is installed at
  another version than the one of requirements.lock.

Only warns when the base image's CKAN is not the locked one: nothing requires
`ckan`, so the lock cannot (and must not) replace the base image's CKAN.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from importlib import metadata
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pragma: no cover - pip always vendors packaging
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name

DISTRIBUTION = "ckanext-opendata-territoire"
PACKAGE = "ckanext.opendata_territoire"
SCHEMING_VARIABLES = (
    "CKAN___SCHEMING__DATASET_SCHEMAS",
    "CKAN___SCHEMING__ORGANIZATION_SCHEMAS",
    "CKAN___SCHEMING__PRESETS",
)


def locked_versions(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line.strip())
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def requirement_closure(root: str) -> dict[str, str]:
    """Installed version of every distribution `root` needs (markers evaluated,
    extras ignored)."""
    versions: dict[str, str] = {}
    todo = [root]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in versions:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            versions[name] = "(not installed)"
            continue
        versions[name] = dist.version
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(requirement.name)
    return versions


def main(lock: Path) -> int:
    errors = []

    entry_points = {ep.name: ep for ep in metadata.entry_points(group="ckan.plugins")}
    plugins = os.environ.get("CKAN__PLUGINS", "").split()
    if "opendata_territoire" not in plugins:
        errors.append("CKAN__PLUGINS does not enable opendata_territoire")
    for plugin in plugins:
        if plugin not in entry_points:
            errors.append(f"plugin {plugin!r}: no ckan.plugins entry point")
            continue
        try:
            entry_points[plugin].load()
        except Exception as exc:
            errors.append(f"plugin {plugin!r}: {type(exc).__name__}: {exc}")

    for variable in SCHEMING_VARIABLES:
        references = os.environ.get(variable, "").split()
        if not references:
            errors.append(f"{variable} is not set")
        for reference in references:
            module_name, _, relative = reference.partition(":")
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                errors.append(f"{reference}: cannot import {module_name}: {exc}")
                continue
            path = Path(module.__file__ or "").parent / relative
            if not path.is_file():
                errors.append(f"{reference}: {path} does not exist")

    package_dir = Path(importlib.import_module(PACKAGE).__file__ or "").parent
    catalogues = sorted(package_dir.glob("i18n/*/LC_MESSAGES/*.mo"))
    if not catalogues:
        errors.append(f"no compiled translation (.mo) under {package_dir}/i18n")

    locked = locked_versions(lock)
    unlocked = []
    for name, version in sorted(requirement_closure(DISTRIBUTION).items()):
        if name == canonicalize_name(DISTRIBUTION):
            continue
        if name not in locked:
            unlocked.append(f"{name} {version}")
        elif locked[name] != version:
            errors.append(f"{name} {version} installed, {locked[name]} locked")
    if unlocked:
        # e.g. setuptools (never in a lock), or a dependency only needed on
        # this image's Python version.
        print(f"WARNING: not in the lock: {', '.join(unlocked)}", file=sys.stderr)

    ckan_version = metadata.version("ckan")
    if locked.get("ckan") and locked["ckan"] != ckan_version:
        print(
            f"WARNING: the base image runs CKAN {ckan_version}, "
            f"requirements.lock (and the test suite) CKAN {locked['ckan']}",
            file=sys.stderr,
        )

    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    if not errors:
        names = ", ".join(str(c.relative_to(package_dir)) for c in catalogues)
        print(
            f"{DISTRIBUTION} {metadata.version(DISTRIBUTION)} installed in "
            f"{package_dir} on CKAN {ckan_version}; translations: {names}"
        )
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} REQUIREMENTS_LOCK")
    sys.exit(main(Path(sys.argv[1])))
