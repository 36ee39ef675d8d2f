"""package_search with a large index: 100,000 datasets added to a served
portal's Solr core in bulk, searches timed through the portal's action API,
then the added documents removed.

    .dev/venv/bin/python bench/search_scale.py --portal http://127.0.0.1:5001 \\
        --solr http://127.0.0.1:8983/solr/ckan --site-id territoire-demo \\
        [--count 100000] [--rounds 5] [--keep]

How the index is made: the portal's own indexed datasets (as CKAN indexed
them: every field, `data_dict` and `validated_data_dict` included) are the
models; each added document is a copy of one of them with a new id and name
(`bench-<n>-...`), a title and description drawn from French words and the
territory's communes, a theme and a publication date varied, sent to Solr's
update handler in batches of 5,000 (JSON), committed once. CKAN's
package_search reads its results from Solr (`validated_data_dict`), so the
portal answers for these datasets as for its own; the database does not
know them (their pages would answer 404). Nothing else of the index is
touched; the added documents are deleted at the end (`--keep` keeps them).

Timed: a set of searches a visitor and a reuser make (words, a phrase, a
theme or a publisher facet, sorted by date, a second page, every dataset
with the facets), each `--rounds` times, one at a time, through the action
API (a portal without nginx's cache, or the development server: a kept
answer would time nginx, not the search); prints p50/p95/mean of the
portal's answers, before and after.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from typing import Any

import requests

WORDS = [
    "budget",
    "délibérations",
    "conseil",
    "municipal",
    "subventions",
    "associations",
    "équipements",
    "sportifs",
    "cantine",
    "menus",
    "école",
    "restauration",
    "scolaire",
    "marchés",
    "publics",
    "voirie",
    "travaux",
    "éclairage",
    "public",
    "déchets",
    "collecte",
    "tri",
    "eau",
    "assainissement",
    "urbanisme",
    "permis",
    "construire",
    "cadastre",
    "parcelles",
    "transport",
    "scolaire",
    "horaires",
    "bus",
    "randonnée",
    "sentiers",
    "tourisme",
    "hébergements",
    "population",
    "recensement",
    "élections",
    "bureaux",
    "vote",
    "défibrillateurs",
    "bibliothèque",
    "prêts",
    "culture",
    "patrimoine",
    "monuments",
    "forêt",
    "bois",
    "énergie",
    "consommation",
    "bâtiments",
    "communaux",
    "arbres",
    "espaces",
    "verts",
    "stationnement",
]
COMMUNES = (
    "Autrans-Méaudre en Vercors",
    "Corrençon-en-Vercors",
    "Engins",
    "Lans-en-Vercors",
    "Saint-Nizier-du-Moucherotte",
    "Villard-de-Lans",
)
THEMES = [
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "INTR",
    "JUST",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
]
SEARCHES: list[dict[str, Any]] = [
    {"q": "budget"},
    {"q": "restauration scolaire"},
    {"q": "marchés publics"},
    {"q": "délibérations du conseil municipal"},
    {"q": '"espaces verts"'},
    {"q": "déchets", "fq": "vocab_territoire_theme:ENVI"},
    {"q": "", "fq": "vocab_territoire_theme:EDUC"},
    {"q": "", "fq": "organization:villard-de-lans"},
    {"q": "travaux", "sort": "metadata_modified desc"},
    {"q": "eau", "start": 20},
    {
        "q": "",
        "facet.field": '["organization","vocab_territoire_theme","res_format"]',
        "rows": 20,
    },
    {"q": "horaires bus", "rows": 10},
]


def models(solr: str, site_id: str) -> list[dict[str, Any]]:
    params: dict[str, Any] = {
        "q": f"site_id:{site_id} AND entity_type:package AND capacity:public",
        "rows": 1000,
        "wt": "json",
    }
    answer = requests.get(f"{solr}/select", params=params, timeout=60).json()
    docs = answer["response"]["docs"]
    if not docs:
        raise SystemExit(f"no public dataset of site {site_id} in {solr}")
    return docs


def variant(model: dict[str, Any], number: int, rng: random.Random) -> dict[str, Any]:
    commune = rng.choice(COMMUNES)
    words = rng.sample(WORDS, 4)
    title = f"{words[0].capitalize()} {words[1]} — {commune} ({number})"
    notes = " ".join(rng.choice(WORDS) for _ in range(30))
    new_id = str(uuid.uuid4())
    name = f"bench-{number}-{words[0]}"[:100]
    theme = rng.choice(THEMES)
    modified = f"20{rng.randint(18, 26):02d}-{rng.randint(1, 12):02d}-15T10:00:00Z"
    doc = {
        key: value
        for key, value in model.items()
        if key not in ("_version_", "indexed_ts", "score")
    }
    doc.update(
        id=new_id,
        index_id=uuid.uuid4().hex,
        name=name,
        title=title,
        notes=notes,
        vocab_territoire_theme=[theme],
        metadata_modified=modified,
        metadata_created=modified,
        # Indexed, not stored: what CKAN's package_search filters on
        # (a public dataset's label).
        permission_labels=["public"],
    )
    for key in ("data_dict", "validated_data_dict"):
        if key in doc:
            data = json.loads(doc[key])
            data.update(id=new_id, name=name, title=title, notes=notes, theme=[theme])
            data["metadata_modified"] = modified[:-1]
            doc[key] = json.dumps(data)
    return doc


def add(solr: str, site_id: str, count: int, batch: int = 5000) -> float:
    rng = random.Random(2026)
    found = models(solr, site_id)
    started = time.monotonic()
    for first in range(0, count, batch):
        docs = [
            variant(rng.choice(found), number, rng)
            for number in range(first, min(first + batch, count))
        ]
        response = requests.post(
            f"{solr}/update", json=docs, params={"wt": "json"}, timeout=600
        )
        response.raise_for_status()
        done = first + len(docs)
        print(f"[index] {done:,} / {count:,}", file=sys.stderr, flush=True)
    requests.get(
        f"{solr}/update", params={"commit": "true"}, timeout=600
    ).raise_for_status()
    return time.monotonic() - started


def remove(solr: str, site_id: str) -> None:
    requests.post(
        f"{solr}/update",
        params={"commit": "true", "wt": "json"},
        json={"delete": {"query": f"site_id:{site_id} AND name:bench-*"}},
        timeout=600,
    ).raise_for_status()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_searches(portal: str, rounds: int) -> dict[str, Any]:
    session = requests.Session()
    latencies: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(rounds):
        for search in SEARCHES:
            started = time.perf_counter()
            answer = session.get(
                f"{portal}/api/3/action/package_search", params=search, timeout=60
            )
            latencies.append(time.perf_counter() - started)
            answer.raise_for_status()
            result = answer.json()["result"]
            counts[json.dumps(search, ensure_ascii=False)] = result["count"]
    return {
        "searches": len(latencies),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
        "counts": counts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portal", default="http://127.0.0.1:5000")
    parser.add_argument("--solr", default="http://127.0.0.1:8983/solr/ckan")
    parser.add_argument("--site-id", default="territoire-demo")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    portal, solr = args.portal.rstrip("/"), args.solr.rstrip("/")

    before = time_searches(portal, args.rounds)
    seconds = add(solr, args.site_id, args.count)
    try:
        total = requests.get(
            f"{portal}/api/3/action/package_search", params={"rows": 0}, timeout=60
        ).json()["result"]["count"]
        time_searches(portal, 1)  # Solr's caches warmed once, as in use
        after = time_searches(portal, args.rounds)
    finally:
        if not args.keep:
            remove(solr, args.site_id)
    print(f"indexed {args.count:,} datasets in {seconds:.0f} s")
    print(f"the portal counts {total:,} public datasets")
    print("| index | searches | p50 ms | p95 ms | mean ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, figures in (("the demo's", before), (f"+{args.count:,}", after)):
        print(
            f"| {label} | {figures['searches']} | {figures['p50_ms']} | "
            f"{figures['p95_ms']} | {figures['mean_ms']} |"
        )
    print("results per search with the large index:")
    for search, count in after["counts"].items():
        print(f"  {count:>7,}  {search}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
