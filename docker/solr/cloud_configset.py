"""CKAN's Solr configuration made fit for SolrCloud: copies a conf/ directory
and, in the copy,

- the schema (schema.xml, managed-schema.xml or managed-schema, whichever
  are there): the ``_version_`` field CKAN declares as ``string`` becomes a
  ``plong`` (SolrCloud's update log and replication need a long version);
- solrconfig.xml: an ``<updateLog>`` in ``<updateHandler>`` (replicas recover
  from it), unless one is already there.

Nothing else changes: the schema's name and version, which CKAN checks at
start-up, stay CKAN's. The standalone core keeps CKAN's schema as it is.
Idempotent (a conf/ already patched is copied unchanged); OUT_DIR may be
SRC_CONF_DIR itself (patched in place). Standard library only.

    python3 docker/solr/cloud_configset.py SRC_CONF_DIR OUT_DIR

Exit status 0, 1 when the expected ``_version_`` field or ``<updateHandler``
is missing (nothing is written to OUT_DIR then), 2 for a usage error.
Used by the docker/ cloud profile (docker/solr/cloud_init.py) and by the dev
SolrCloud (dev/solr/cloud.py).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

SCHEMA_NAMES = ("schema.xml", "managed-schema.xml", "managed-schema")
SOLRCONFIG = "solrconfig.xml"
# <field name="_version_" type="..." .../>, attributes in any order.
VERSION_FIELD = re.compile(r'<field\b[^>]*\bname="_version_"[^>]*>')
VERSION_TYPE = re.compile(r'\btype="([^"]*)"')
UPDATE_HANDLER = re.compile(r"<updateHandler\b[^>]*?(/?)>")
UPDATE_LOG = (
    '<updateLog>\n      <str name="dir">${solr.ulog.dir:}</str>\n    </updateLog>'
)


class ConfigsetError(Exception):
    """The conf/ directory is not CKAN's as expected."""


def patch_schema(text: str, name: str = "schema") -> str:
    fields = VERSION_FIELD.findall(text)
    if len(fields) != 1:
        raise ConfigsetError(
            f'{name}: expected one <field name="_version_" .../>, found {len(fields)}'
        )
    (field,) = fields
    kind = VERSION_TYPE.search(field)
    if not kind or kind[1] not in ("string", "plong"):
        raise ConfigsetError(
            f'{name}: expected _version_ of type "string" (CKAN\'s) or "plong": {field}'
        )
    if kind[1] == "plong":
        return text
    if not re.search(r'<fieldType\b[^>]*\bname="plong"', text):
        raise ConfigsetError(f'{name}: no fieldType "plong" for _version_')
    return text.replace(field, field.replace('type="string"', 'type="plong"'), 1)


def patch_solrconfig(text: str, name: str = SOLRCONFIG) -> str:
    handler = UPDATE_HANDLER.search(text)
    if not handler:
        raise ConfigsetError(f"{name}: no <updateHandler> element")
    if handler[1]:  # <updateHandler .../>: give it a body.
        opening = handler[0][:-2].rstrip() + ">"
        return (
            text[: handler.start()]
            + f"{opening}\n    {UPDATE_LOG}\n  </updateHandler>"
            + text[handler.end() :]
        )
    end = text.find("</updateHandler>", handler.end())
    if end < 0:
        raise ConfigsetError(f"{name}: <updateHandler> is never closed")
    if "<updateLog" in text[handler.end() : end]:
        return text
    return text[: handler.end()] + f"\n    {UPDATE_LOG}" + text[handler.end() :]


def make_cloud_configset(source: Path, out: Path) -> list[Path]:
    """Copies `source` to `out` (unless they are the same directory) and
    patches the copy; returns the files patched or checked."""
    source, out = Path(source), Path(out)
    schemas = [source / n for n in SCHEMA_NAMES if (source / n).is_file()]
    if not schemas:
        raise ConfigsetError(f"{source}: no {', '.join(SCHEMA_NAMES)}")
    if not (source / SOLRCONFIG).is_file():
        raise ConfigsetError(f"{source}: no {SOLRCONFIG}")
    # Everything is patched in memory first: an error leaves OUT_DIR alone.
    patched = {
        path.name: patch_schema(path.read_text(encoding="utf-8"), path.name)
        for path in schemas
    }
    solrconfig = (source / SOLRCONFIG).read_text(encoding="utf-8")
    patched[SOLRCONFIG] = patch_solrconfig(solrconfig)
    if source.resolve() != out.resolve():
        shutil.copytree(source, out, dirs_exist_ok=True)
    for name, text in patched.items():
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in patched]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(
            "usage: python3 docker/solr/cloud_configset.py SRC_CONF_DIR OUT_DIR",
            file=sys.stderr,
        )
        return 2
    try:
        files = make_cloud_configset(Path(argv[0]), Path(argv[1]))
    except (ConfigsetError, OSError) as error:
        print(f"cloud_configset.py: error: {error}", file=sys.stderr)
        return 1
    print(f"cloud_configset.py: {' '.join(str(f) for f in files)} fit for SolrCloud")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
