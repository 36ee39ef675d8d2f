"""One-shot set-up of the SolrCloud of the `cloud` profile (solr-init service
of docker/docker-compose.yml), standard library only:

1. makes the configset: CONF_DIR (the dev Solr's conf/: solrconfig.xml,
   synonyms, French elisions) with SCHEMA_XML (docker/solr/schema.xml:
   CKAN's schema with French elision) as schema.xml, made fit for SolrCloud
   by cloud_configset.py (long _version_, update log);
2. waits until every node of SOLR_NODES is live in the cluster;
3. uploads the configset (Configsets API, overwriting the previous one);
4. creates the collection (Collections API: SOLR_SHARDS shards of
   SOLR_REPLICATION_FACTOR replicas), or reloads it when it exists: running
   it again applies a new configuration to the existing index.

    python3 cloud_init.py CONF_DIR SCHEMA_XML

Environment (defaults): SOLR_NODES ("http://solr-1:8983/solr
http://solr-2:8983/solr"), SOLR_COLLECTION (ckan), SOLR_SHARDS (2),
SOLR_REPLICATION_FACTOR (2), SOLR_INIT_TIMEOUT (300 s).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cloud_configset import ConfigsetError, make_cloud_configset

NODES = os.environ.get(
    "SOLR_NODES", "http://solr-1:8983/solr http://solr-2:8983/solr"
).split()
COLLECTION = os.environ.get("SOLR_COLLECTION", "ckan")
SHARDS = int(os.environ.get("SOLR_SHARDS", "2"))
REPLICATION_FACTOR = int(os.environ.get("SOLR_REPLICATION_FACTOR", "2"))
TIMEOUT = float(os.environ.get("SOLR_INIT_TIMEOUT", "300"))


def say(message: str) -> None:
    print(f"[solr-init] {message}", flush=True)


class SolrError(Exception):
    pass


def api(
    node: str, path: str, params: dict[str, object], body: bytes | None = None
) -> dict:
    query = urllib.parse.urlencode({**params, "wt": "json"})
    request = urllib.request.Request(f"{node}/{path}?{query}", data=body)
    if body is not None:
        request.add_header("Content-Type", "application/octet-stream")
    try:
        with urllib.request.urlopen(request, timeout=180) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")
        with contextlib.suppress(ValueError, KeyError, TypeError):
            detail = json.loads(detail)["error"]["msg"]
        raise SolrError(
            f"{path} {params.get('action')}: {error.code} {detail}"
        ) from error


def configset(conf: Path, schema: Path) -> bytes:
    with tempfile.TemporaryDirectory() as work:
        source, cloud = Path(work, "source"), Path(work, "cloud")
        shutil.copytree(conf, source)
        shutil.copyfile(schema, source / "schema.xml")
        make_cloud_configset(source, cloud)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(cloud.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(cloud).as_posix())
        return buffer.getvalue()


def cluster_status(node: str) -> dict:
    return api(node, "admin/collections", {"action": "CLUSTERSTATUS"})["cluster"]


def wait_for_nodes() -> dict:
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            cluster = cluster_status(NODES[0])
            live = cluster.get("live_nodes", [])
            if len(live) >= len(NODES):
                say(f"live nodes: {' '.join(sorted(live))}")
                return cluster
            waiting = f"{len(live)} of {len(NODES)} nodes live"
        except (OSError, SolrError, KeyError, ValueError) as error:
            waiting = str(error)
        if time.monotonic() > deadline:
            raise SolrError(f"the nodes are not live after {TIMEOUT:.0f} s: {waiting}")
        time.sleep(3)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python3 cloud_init.py CONF_DIR SCHEMA_XML", file=sys.stderr)
        return 2
    try:
        archive = configset(Path(argv[0]), Path(argv[1]))
        cluster = wait_for_nodes()
        api(
            NODES[0],
            "admin/configs",
            {
                "action": "UPLOAD",
                "name": COLLECTION,
                "overwrite": "true",
                "cleanup": "true",
            },
            archive,
        )
        say(f"configset '{COLLECTION}' uploaded")
        if COLLECTION in (cluster.get("collections") or {}):
            api(NODES[0], "admin/collections", {"action": "RELOAD", "name": COLLECTION})
            say(f"collection '{COLLECTION}' exists: reloaded with the configset")
        else:
            api(
                NODES[0],
                "admin/collections",
                {
                    "action": "CREATE",
                    "name": COLLECTION,
                    "numShards": SHARDS,
                    "replicationFactor": REPLICATION_FACTOR,
                    "collection.configName": COLLECTION,
                    "waitForFinalState": "true",
                },
            )
            say(
                f"collection '{COLLECTION}' created: {SHARDS} shards x "
                f"{REPLICATION_FACTOR} replicas"
            )
    except (ConfigsetError, SolrError, OSError) as error:
        print(f"[solr-init] ERROR: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
