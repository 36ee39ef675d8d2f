"""The extension's translations: extract, merge, compile, check.

    python dev/i18n.py           extract the UI strings into the .pot template,
                                 merge them into the French catalogue (.po) and
                                 compile it (.mo, committed with the .po)
    python dev/i18n.py --check   exit 1, listing the culprits, if a UI string
                                 has no French translation or the .mo is stale
    python dev/i18n.py --translate FILE.json
                                 set the French translations given as
                                 {"msgid": "msgstr", ...}, then update

Babel's command line cannot load CKAN's template extractor without
pkg_resources, so the extraction runs through Babel's Python API.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "ckanext" / "opendata_territoire"
DOMAIN = "ckanext-opendata_territoire"
POT = PACKAGE / "i18n" / f"{DOMAIN}.pot"
LOCALES = ("fr",)
METHOD_MAP = [
    ("**.py", "python"),
    ("templates/**.html", "ckan.lib.extract:extract_ckan"),
    ("assets/**.js", "javascript"),
]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "N_": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "ungettext": (1, 2),
}


# UI strings of the data files (scheming schemas, choice lists...): the values of
# these keys, at any depth.
YAML_FILES = [REPO / "schemas", PACKAGE]
YAML_KEYS = {
    "label",
    "help_text",
    "form_placeholder",
    "repeating_label",
    "section_title",
    "section_help",
    "question",
    "title",
    "description",
    "notes",
    "reason",
}


def po_path(locale: str) -> Path:
    return PACKAGE / "i18n" / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every translatable string of the package's code and templates."""
    catalog = Catalog(project="ckanext-opendata-territoire", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), METHOD_MAP, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        catalog.add(
            message,
            None,
            [(f"ckanext/opendata_territoire/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    for filename, lineno, message, _comments, context in _borrowed():
        catalog.add(message, None, [(filename, lineno)], context=context)
    # CKAN's strings of its scripts: located in the script that uses them,
    # so that CKAN's `translation js` puts them in the scripts' translations.
    sys.path.insert(0, str(REPO))
    from ckanext.opendata_territoire.i18n_overrides import JS_OVERRIDES

    for message, script in JS_OVERRIDES.items():
        catalog.add(message, None, [(script, 0)])
    for path in sorted({p for folder in YAML_FILES for p in folder.rglob("*.yaml")}):
        if path.name == "config_declaration.yaml":
            continue
        relative = path.relative_to(REPO).as_posix()
        for text in _yaml_strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            catalog.add(text, None, [(relative, 0)])
    return catalog


def _borrowed() -> Iterator[tuple[str, int, Any, list[str], str | None]]:
    """The UI strings of ckanext-harvest, which ships no French: translated in
    this catalogue, which Flask-Babel merges after CKAN's and before theirs,
    so its pages (sources, jobs, reports) are in French too."""
    import ckanext.harvest

    folder = Path(ckanext.harvest.__file__).parent
    method_map = [("tests/**", "ignore"), *METHOD_MAP]
    for filename, lineno, message, comments, context in extract_from_dir(
        str(folder), method_map, keywords=KEYWORDS
    ):
        yield f"ckanext-harvest/{filename}", lineno, message, comments, context


def _yaml_strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in YAML_KEYS and isinstance(value, str) and value.strip():
                yield value
            else:
                yield from _yaml_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _yaml_strings(item)


def read_catalog(path: Path, locale: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def problems(template: Catalog, locale: str) -> list[str]:
    """What stops the catalogue of ``locale`` from covering ``template``."""
    path = po_path(locale)
    if not path.exists():
        return [f"{path} is missing"]
    catalog = read_catalog(path, locale)
    found = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        strings = translated.string if translated else None
        ok = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        if not ok or (translated and translated.fuzzy):
            found.append(f"{locale}: no translation for {message.id!r}")
    mo = path.with_suffix(".mo")
    if not mo.exists():
        found.append(f"{mo} is missing: run python dev/i18n.py")
    else:
        with mo.open("rb") as f:
            shipped = read_mo(f)
        expected = {
            _key(m.id): _key(m.string)
            for m in catalog
            if m.id and m.string and not m.fuzzy
        }
        actual = {_key(m.id): _key(m.string) for m in shipped if m.id}
        if expected != actual:
            found.append(f"{mo} is older than its .po: run python dev/i18n.py")
    return found


def _key(value: Any) -> Any:
    """Plural messages come back from a .mo file as lists."""
    return tuple(value) if isinstance(value, list) else value


def update(template: Catalog) -> None:
    POT.parent.mkdir(parents=True, exist_ok=True)
    with POT.open("wb") as f:
        write_po(f, template, omit_header=True, sort_output=True, width=88)
    for locale in LOCALES:
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            catalog = read_catalog(path, locale)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
        else:
            catalog = Catalog(locale=locale, domain=DOMAIN, charset="utf-8")
            catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as f:
            write_po(f, catalog, sort_output=True, width=88, include_previous=False)
        with path.with_suffix(".mo").open("wb") as f:
            f.write(compiled(catalog))
        todo = [m.id for m in catalog if m.id and not m.string]
        print(
            f"[i18n] {path.relative_to(REPO)}: {len(catalog)} strings, "
            f"{len(todo)} to translate"
        )
        for message_id in todo[:20]:
            print(f"  - {message_id!r}")
        if len(todo) > 20:
            print(f"  ... and {len(todo) - 20} more")


def translate(pairs: dict[str, str], locale: str = "fr") -> None:
    path = po_path(locale)
    catalog = read_catalog(path, locale)
    for message_id, translation in pairs.items():
        message = catalog.get(message_id)
        if message is None:
            print(
                f"[i18n] not in the catalogue (run without --translate first): "
                f"{message_id!r}",
                file=sys.stderr,
            )
            continue
        message.string = (
            tuple(translation) if isinstance(translation, list) else translation
        )
        message.flags.discard("fuzzy")
    with path.open("wb") as f:
        write_po(f, catalog, sort_output=True, width=88, include_previous=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check that every UI string is translated",
    )
    parser.add_argument(
        "--translate",
        type=Path,
        metavar="FILE.json",
        help='set French translations from {"msgid": "msgstr"}',
    )
    args = parser.parse_args()
    template = extract()
    if not args.check:
        update(template)
        if args.translate:
            translate(json.loads(args.translate.read_text(encoding="utf-8")))
            update(template)
        return 0
    found = [p for locale in LOCALES for p in problems(template, locale)]
    for problem in found:
        print(f"[i18n] {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
