"""English left on French pages: crawls the portal as anonymous, a commune's
editor and the EPCI's administrator, and lists every string of CKAN's and
ckanext-harvest's English catalogues shown untranslated.

    python dev/untranslated.py --url http://127.0.0.1:5000 \\
        --user editeur-villard-de-lans --user admin-ccmv --password ...

prints, for each role, the pages crawled and each English string with the
first page that shows it; exits 1 when one is found. The suite runs the same
scan over the test portal (tests/test_untranslated.py).

What counts: the text a reader sees (text nodes, and the placeholder, title,
aria-label, alt and button values), outside code examples (<code>, <pre>).
A catalogue string is looked for when its French translation differs from it
("Description" is the same word in French). A string of one or two words
counts when it is a whole text (so "Save" is not found inside "Saved");
a longer one counts anywhere in a text. Also counted: dates in the English
order ("décembre 3, 2026") and a singular count with a plural noun
("1 membres").
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from babel.messages.pofile import read_po
from bs4 import BeautifulSoup, Comment, NavigableString

# Words spelled alike in both languages, which CKAN's French catalogue does not
# list as translated to themselves.
SAME_IN_FRENCH = {
    "API",
    "CSV",
    "JSON",
    "URL",
    "Description",
    "Type",
    "Format",
    "Source",
    "Contact",
    "Version",
    "Image",
    "Date",
    "Documentation",
    "Total",
    "Suggestions",
    "Extensions",
    "Message",
    "Mode",
    "Options",
    "Ressources",
    "Action",
    "Actions",
    "Note",
    "Notes",
    "Page",
    "Portal",
    "Transport",
    "Science",
    "Sport",
    "Culture",
    "Environnement",
    "Normal",
    "Public",
    "Article",
    "Variable",
    "Service",
    "Collection",
    "Communication",
    "Information",
    "Installation",
    "Configuration",
    "Distribution",
    "Solution",
    "Dimensions",
    "Local",
    "Global",
    "Direct",
    "Minimal",
    "Original",
    "Visualisation",
    "Identifiant",
    "Tags",
    "Statistiques",
    "Pages",
    "Notifications",
    "Licence",
    "Facebook",
    # The licence's own name (the French one names it so too).
    "Open Database License",
    "Twitter",
}
SKIPPED_TAGS = {"script", "style", "noscript", "template", "code", "pre", "kbd", "samp"}
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
WORD = re.compile(r"[^\W\d_]{2,}")
NUMBERS = ("num", "count", "number", "%d", "bytes", "size")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
ENGLISH_DATE = re.compile(rf"\b(?:{'|'.join(MONTHS)}) \d{{1,2}}, \d{{4}}\b", re.I)
# "1 membres", "1 jeux de données": a count of one with a plural French noun.
ONE_PLURAL = re.compile(
    r"(?<![\d,.])\b1 (membres|jeux de données|ressources|abonnés|organisations|"
    r"groupes|éléments|résultats|contrats|communes|fichiers|utilisateurs)\b"
)


def _pot(module: str, relative: str) -> Path:
    import importlib

    return Path(importlib.import_module(module).__file__).parent / relative


@cache
def english_strings() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    """The English strings worth looking for, each with its pattern, by the
    first word they contain (a text is only tried against the strings whose
    first word it has). CKAN's French strings this extension corrects
    (i18n_overrides.py: "Editer la ressource") count as well."""
    sources = [
        _pot("ckan", "i18n/ckan.pot"),
        _pot("ckanext.harvest", "i18n/ckanext-harvest.pot"),
    ]
    with _pot("ckan", "i18n/fr/LC_MESSAGES/ckan.po").open("rb") as f:
        ckan_french = {m.id: m.string for m in read_po(f) if isinstance(m.id, str)}
    same = {key for key, value in ckan_french.items() if key and value == key}
    found: dict[str, re.Pattern[str]] = {}
    for path in sources:
        with path.open("rb") as f:
            catalogue = read_po(f)
        for message in catalogue:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            for text in ids:
                for part in _parts(text):
                    pattern = _pattern(part, same)
                    if pattern is not None:
                        found.setdefault(part, pattern)
    for text in hard_coded_strings():
        pattern = _pattern(text, same)
        if pattern is not None:
            found.setdefault(text, pattern)
    from ckanext.opendata_territoire.i18n_overrides import OVERRIDES

    for msgid in OVERRIDES:
        wrong = ckan_french.get(msgid)
        if wrong and wrong != msgid:
            pattern = _pattern(wrong, set())
            if pattern is not None:
                found.setdefault(wrong, pattern)
    index: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for text, pattern in sorted(found.items()):
        first = WORD.findall(PLACEHOLDER.sub(" ", text))[0]
        index.setdefault(first, []).append((text, pattern))
    return {word: tuple(entries) for word, entries in index.items()}


TEMPLATE_ROOTS = (
    ("ckan", "templates"),
    ("ckanext.activity", "templates"),
    ("ckanext.datatablesview", "templates"),
    ("ckanext.harvest", "templates"),
)
JINJA = re.compile(
    r"\{%-?\s*trans\b.*?endtrans\s*-?%\}|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S
)


def hard_coded_strings() -> set[str]:
    """English written in the templates of CKAN, its activity and DataTables
    plugins and ckanext-harvest without gettext ("Follow", "Source type"):
    no catalogue has them, a page shows them all the same."""
    found = set()
    for module, folder in TEMPLATE_ROOTS:
        root = _pot(module, folder)
        for path in root.rglob("*.html"):
            if {"development", "tests"} & set(path.relative_to(root).parts):
                continue
            text = JINJA.sub(" ", path.read_text(encoding="utf-8"))
            soup = BeautifulSoup(text, "html.parser")
            for node in soup.find_all(string=True):
                if isinstance(node, Comment) or any(
                    parent.name in SKIPPED_TAGS for parent in node.parents
                ):
                    continue
                literal = " ".join(node.split())
                if re.fullmatch(r"[A-Z][a-z]+(?: [A-Za-z]+){0,8}[.:]?", literal):
                    found.add(literal.rstrip(":"))
            for tag in soup.find_all(True):
                for attribute in (*ATTRIBUTES, "value"):
                    value = tag.get(attribute)
                    if isinstance(value, str) and re.fullmatch(
                        r"[A-Z][a-z]+(?: [a-z]+){0,8}", value.strip()
                    ):
                        found.add(value.strip())
    # ckanext-activity's filter shows the activity types title-cased.
    from ckanext.activity.logic.validators import object_id_validators

    found.update(name.title() for name in object_id_validators)
    return found


def _parts(text: str) -> list[str]:
    """A message with markup ("... <a href>View the current version</a>."):
    each of its sentences of three words or more, looked for on its own."""
    if "<" not in text and "\n" not in text:
        return [text]
    pieces = re.split(r"<[^>]*>|\{\{.*?\}\}|[\n]+", text)
    return [" ".join(p.split()) for p in pieces if len(p.split()) >= 3 and "&" not in p]


def _pattern(text: str, same: set[str]) -> re.Pattern[str] | None:
    if not text or text in same or text in SAME_IN_FRENCH:
        return None
    if "<" in text or "\n" in text or "&" in text:
        return None
    literal = PLACEHOLDER.sub(" ", text)
    words = re.findall(r"[A-Za-z]{2,}", literal)
    if not WORD.findall(literal):
        return None
    # Not a sentence of English: a lone letter, a symbol, a file format...
    if not words or all(w.isupper() for w in words) or len(literal.strip()) < 3:
        return None
    if len(words) == 1 and words[0] in SAME_IN_FRENCH:
        return None
    # A number's placeholder ({num}, %(count)s...) stands for digits; another
    # (a name, a title) for any text, but never for a whole short string.
    pieces = []
    for index, piece in enumerate(PLACEHOLDER.split(text)):
        if index:
            name = PLACEHOLDER.findall(text)[index - 1]
            numeric = any(n in name for n in NUMBERS)
            pieces.append(r"\s*[\d\s.,\u202f]+\s*" if numeric else r"\s*\S.{0,80}?\s*")
        pieces.append(re.escape(piece).replace(r"\ ", r"\s+"))
    body = "".join(pieces)
    if len(words) <= 2:
        # The whole text (a label, a button), punctuation around it allowed.
        return re.compile(rf"^[\s:«»\"'(]*{body}[\s:.…»\"')]*$")
    return re.compile(rf"(?<![A-Za-z]){body}(?![A-Za-z])")


def visible_texts(html: str) -> Iterator[str]:
    """The texts a reader of the page sees or hears."""
    soup = BeautifulSoup(html, "html.parser")
    for node in soup.find_all(string=True):
        if isinstance(node, Comment) or not isinstance(node, NavigableString):
            continue
        if any(parent.name in SKIPPED_TAGS for parent in node.parents):
            continue
        text = " ".join(node.split())
        if text:
            yield text
    for tag in soup.find_all(True):
        if tag.name in SKIPPED_TAGS:
            continue
        for attribute in ATTRIBUTES:
            value = tag.get(attribute)
            if isinstance(value, str) and value.strip():
                yield " ".join(value.split())
        if tag.name == "input" and tag.get("type") in {"submit", "button"}:
            value = tag.get("value")
            if isinstance(value, str) and value.strip():
                yield value.strip()


def untranslated(html: str) -> set[str]:
    """The English strings (and badly ordered dates or plurals) on a page."""
    texts = list(visible_texts(html))
    found = set()
    strings = english_strings()
    for text in texts:
        for word in set(WORD.findall(text)):
            for english, pattern in strings.get(word, ()):
                if pattern.search(text):
                    found.add(english)
        for match in ENGLISH_DATE.finditer(text):
            found.add(f"date in English order: {match.group(0)}")
        for match in ONE_PLURAL.finditer(text):
            found.add(f"plural after 1: {match.group(0)}")
    return found


# Pages not worth crawling: downloads, actions with side effects, the API.
SKIPPED_PATHS = re.compile(
    r"^/(api/|user/_logout|user/logout|dataset/[^/]+/resource/[^/]+/download|"
    r"uploads/|base/|webassets/|_debug|fanstatic/)|\.(csv|json|xml|ttl|rdf|jsonld|"
    r"n3|ics|atom|parquet|zip|png|jpg|svg|ico|css|js)$|/(delete|purge)(/|$)|"
    r"/(follow|unfollow)/|/changes/|/activity/.+\?|/dump/|/datastore/"
)


@dataclass
class Crawl:
    """What one role's crawl saw."""

    pages: list[str] = field(default_factory=list)
    english: dict[str, str] = field(default_factory=dict)  # string -> first page
    errors: dict[str, int] = field(default_factory=dict)  # page -> status


def crawl(
    fetch: Callable[[str], tuple[int, str]],
    start: Iterable[str],
    limit: int = 80,
    per_pattern: int = 2,
) -> Crawl:
    """Visits the pages reachable from ``start`` (paths of the portal), at
    most ``limit``, and at most ``per_pattern`` pages of one shape
    (/dataset/<name>: two datasets tell as much as two hundred)."""
    result = Crawl()
    queue = list(start)
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    while queue and len(result.pages) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        shape = _shape(path)
        if shapes.get(shape, 0) >= per_pattern:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        status, html = fetch(path)
        result.pages.append(path)
        if status >= 400:
            result.errors[path] = status
        if not html or "<html" not in html[:2000].lower():
            continue
        for english in sorted(untranslated(html)):
            result.english.setdefault(english, path)
        for link in _links(html, path):
            if link not in seen:
                queue.append(link)
    return result


def _shape(path: str) -> str:
    """/dataset/a-b-c?page=2 and /dataset/x: one shape, /dataset/<>."""
    parts = urlsplit(path)
    segments = parts.path.strip("/").split("/")
    head = segments[:1]
    rest = ["<>" if i % 2 == 0 else s for i, s in enumerate(segments[1:])]
    query = "?" + ",".join(sorted(k.split("=")[0] for k in parts.query.split("&")))
    return "/".join(head + rest) + (query if parts.query else "")


def _links(html: str, here: str) -> Iterator[str]:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all("a", href=True):
        href = str(tag["href"])
        if href.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        url = urlsplit(urljoin("http://portal" + here, href))
        if url.netloc != "portal" or url.path.startswith("/en/"):
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if not SKIPPED_PATHS.search(url.path):
            yield path


def report(name: str, result: Crawl) -> str:
    lines = [f"{name}: {len(result.pages)} pages, {len(result.english)} English"]
    for english, page in sorted(result.english.items()):
        lines.append(f"  {english!r}  (first on {page})")
    for page, status in sorted(result.errors.items()):
        lines.append(f"  HTTP {status} on {page}")
    return "\n".join(lines)


START = [
    "/",
    "/dataset/",
    "/organization/",
    "/group/",
    "/about",
    "/guide-api",
    "/observatory",
    "/reuses",
    "/licences",
    "/user/login",
    "/user/register",
    "/dataset/page-qui-n-existe-pas",
    "/harvest",
]
SIGNED_IN = [
    "/dashboard/datasets",
    "/dashboard/organizations",
    "/dashboard/",
    "/user/activity/{user}",
    "/user/{user}/api-tokens",
    "/user/edit/{user}",
    "/dataset/new",
    "/harvest/new",
]


def main(argv: list[str] | None = None) -> int:
    import requests

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--user", action="append", default=[])
    parser.add_argument("--password", default="")
    parser.add_argument("--limit", type=int, default=80)
    args = parser.parse_args(argv)

    total = 0
    for user in [None, *args.user]:
        session = requests.Session()
        start = list(START)
        if user:
            login = session.get(args.url + "/user/login", timeout=30)
            token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text)
            session.post(
                args.url + "/user/login",
                data={
                    "login": user,
                    "password": args.password,
                    "_csrf_token": token.group(1) if token else "",
                },
                timeout=30,
            )
            start += [p.format(user=user) for p in SIGNED_IN]

        def fetch(path: str, session: requests.Session = session) -> tuple[int, str]:
            response = session.get(args.url + path, timeout=60)
            kind = response.headers.get("content-type", "")
            return response.status_code, response.text if "html" in kind else ""

        result = crawl(fetch, start, limit=args.limit)
        print(report(user or "anonymous", result), flush=True)
        total += len(result.english)
    print(f"untranslated strings: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
