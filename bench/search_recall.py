"""Recall of French searches on the demo catalogue, before and after the
French Solr configuration (synonyms, elision; dev/solr/).

    # after: the Solr dev/services.sh starts (French)
    .dev/venv/bin/python bench/search_recall.py --url http://127.0.0.1:5000
    # before: CKAN's schema and no synonyms, the index rebuilt
    bash dev/services.sh stop solr
    SOLR_FRENCH=0 bash dev/services.sh start solr
    .dev/venv/bin/ckan -c .dev/demo.ini search-index rebuild
    .dev/venv/bin/python bench/search_recall.py --url http://127.0.0.1:5000

Each of the 32 searches a commune's reusers type has its relevant datasets,
told by their titles (a pattern over the demo's titles, judged by hand); the
recall of a search is the share of them in its first 20 answers, and the
figure is their mean. Searches with no relevant dataset in the catalogue
are left out of the mean (listed).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.parse
import urllib.request
from typing import Any

# (search, pattern of the titles of the relevant datasets)
QUERIES: list[tuple[str, str]] = [
    ("restauration scolaire", r"cantine"),
    ("cantine", r"cantine"),
    ("repas des enfants", r"cantine"),
    ("menus", r"cantine"),
    ("menu de la semaine", r"cantine"),
    ("achats publics", r"^Marchés publics"),
    ("marchés publics", r"^Marchés publics"),
    ("commande publique", r"^Marchés publics"),
    ("contrats de la commune", r"^Marchés publics"),
    ("achats de la commune", r"^Marchés publics"),
    ("marchés de Villard-de-Lans", r"^Marchés publics.*Villard"),
    ("finances de la commune", r"^Budget"),
    ("budget", r"^Budget"),
    ("dépenses et recettes", r"^Budget"),
    ("comptes de la commune", r"^Budget"),
    ("délibérations", r"Délibérations"),
    ("décisions du conseil municipal", r"Délibérations"),
    ("conseil municipal", r"Délibérations"),
    ("deliberations", r"Délibérations"),
    ("l'ordre du jour du conseil", r"Délibérations"),
    ("équipements sportifs", r"Équipements sportifs"),
    ("installations sportives", r"Équipements sportifs"),
    ("equipements", r"Équipements sportifs"),
    ("infrastructures du territoire", r"Équipements sportifs"),
    ("cadastre", r"cadastral"),
    ("plan cadastral", r"cadastral"),
    ("entreprises locales", r"entreprises locales"),
    ("registre des entreprises", r"entreprises locales"),
    ("l'école", r"cantine"),
    ("scolaire", r"cantine"),
    ("décisions", r"Délibérations"),
    ("contrats", r"^Marchés publics"),
]


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def catalogue(base: str) -> list[dict[str, str]]:
    found, start = [], 0
    while True:
        result = _get(
            f"{base}/api/3/action/package_search?rows=1000&start={start}&fl=name,title"
        )["result"]
        found += result["results"]
        start += len(result["results"])
        if not result["results"] or start >= result["count"]:
            return [{"name": d["name"], "title": d["title"]} for d in found]


def measure(base: str) -> dict[str, Any]:
    datasets = catalogue(base)
    rows = []
    for query, pattern in QUERIES:
        relevant = {d["name"] for d in datasets if re.search(pattern, d["title"])}
        answer = _get(
            f"{base}/api/3/action/package_search?rows=20&q=" + urllib.parse.quote(query)
        )["result"]["results"]
        returned = {d["name"] for d in answer}
        rows.append(
            {
                "query": query,
                "relevant": len(relevant),
                "found": len(relevant & returned),
                "recall": round(len(relevant & returned) / len(relevant), 3)
                if relevant
                else None,
            }
        )
    judged = [r for r in rows if r["recall"] is not None]
    return {
        "datasets": len(datasets),
        "queries": len(judged),
        "mean_recall": round(sum(r["recall"] for r in judged) / len(judged), 3)
        if judged
        else None,
        "searches_finding_nothing": sum(1 for r in judged if r["found"] == 0),
        "left_out": [r["query"] for r in rows if r["recall"] is None],
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.url.rstrip("/"))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    for row in result["rows"]:
        print(f"{row['query']:<35} {row['found']}/{row['relevant']}")
    print(
        f"mean recall {result['mean_recall']} over {result['queries']} searches "
        f"({result['datasets']} datasets); finding nothing: "
        f"{result['searches_finding_nothing']}; left out: {result['left_out']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
