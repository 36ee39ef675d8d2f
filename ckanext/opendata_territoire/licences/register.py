"""The licence register: register.yaml (or the file named by
``ckanext.territoire.licences_file``), read once, checked, and installed as
CKAN's licence list, so that the dataset form, ``license_list``,
``package_show``'s ``license_title`` and the licence facet all use it."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import yaml
from ckan import model
from ckan.model.license import License, LicenseRegister

REGISTER_FILE = Path(__file__).with_name("register.yaml")
LANGUAGES = ("fr", "en")
FLAGS = ("homologated", "share_alike", "attribution", "allows_fee", "generic", "open")
TEXTS = ("id", "datagouv_title")


@dataclasses.dataclass(frozen=True)
class Licence:
    """One entry of the register (see the keys in register.yaml)."""

    id: str
    title: dict[str, str]
    short_title: dict[str, str]
    datagouv_title: str
    url: str
    uri: str
    homologated: bool
    share_alike: bool
    attribution: bool
    allows_fee: bool
    generic: bool
    open: bool
    description: str = ""
    legal_reference: str = ""
    alternate_uris: tuple[str, ...] = ()

    def title_in(self, language: str) -> str:
        return _in(self.title, language)

    def short_title_in(self, language: str) -> str:
        return _in(self.short_title, language)

    def as_dict(self, language: str) -> dict[str, Any]:
        """What the API shows of the licence (license_list, the actions)."""
        return {
            "id": self.id,
            "title": self.title_in(language),
            "title_fr": self.title["fr"],
            "title_en": self.title["en"],
            "short_title": self.short_title_in(language),
            "url": self.url,
            "uri": self.uri,
            "homologated": self.homologated,
            "legal_reference": self.legal_reference,
            "share_alike": self.share_alike,
            "attribution": self.attribution,
            "allows_fee": self.allows_fee,
            "generic": self.generic,
        }


def _in(texts: dict[str, str], language: str) -> str:
    """The text in ``language`` (``fr_FR`` reads ``fr``); English otherwise."""
    return texts.get(language.split("_")[0].lower()) or texts["en"]


def current_language() -> str:
    """The language of the request; outside a request (CLI, background
    jobs), English, the language gettext speaks there."""
    from ckan.lib import i18n

    try:
        return i18n.get_lang()
    except RuntimeError:
        return "en"


def _problem(path: Path, entry: Any, text: str) -> ValueError:
    name = entry.get("id") if isinstance(entry, dict) else entry
    return ValueError(f"{path}: licence {name!r}: {text}")


def _entry(path: Path, raw: Any) -> Licence:
    if not isinstance(raw, dict):
        raise _problem(path, raw, "an entry is a mapping of keys")
    for key in TEXTS:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _problem(path, raw, f"{key} is missing")
    for key in ("title", "short_title"):
        texts = raw.get(key)
        if not isinstance(texts, dict) or any(
            not isinstance(texts.get(lang), str) or not texts[lang].strip()
            for lang in LANGUAGES
        ):
            raise _problem(path, raw, f"{key} needs a text in {', '.join(LANGUAGES)}")
    for key in FLAGS:
        if not isinstance(raw.get(key), bool):
            raise _problem(path, raw, f"{key} must be true or false")
    if raw["homologated"] and not raw.get("legal_reference"):
        raise _problem(path, raw, "a homologated licence needs its legal_reference")
    url = raw.get("url") or ""
    if not raw["generic"] and not url:
        raise _problem(path, raw, "url is missing (only generic entries have none)")
    alternate = raw.get("alternate_uris") or []
    if not isinstance(alternate, list):
        raise _problem(path, raw, "alternate_uris must be a list")
    return Licence(
        id=raw["id"],
        title={lang: raw["title"][lang] for lang in LANGUAGES},
        short_title={lang: raw["short_title"][lang] for lang in LANGUAGES},
        datagouv_title=raw["datagouv_title"],
        url=url,
        uri=raw.get("uri") or url,
        homologated=raw["homologated"],
        share_alike=raw["share_alike"],
        attribution=raw["attribution"],
        allows_fee=raw["allows_fee"],
        generic=raw["generic"],
        open=raw["open"],
        description=raw.get("description") or "",
        legal_reference=raw.get("legal_reference") or "",
        alternate_uris=tuple(str(uri) for uri in alternate),
    )


@functools.cache
def load(path: Path) -> tuple[Licence, ...]:
    """The licences of a register file, refused with the file and the entry
    named when a key is missing or wrong or an id is repeated."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("licences"), list):
        raise ValueError(f"{path}: a list of licences is expected")
    entries = tuple(_entry(path, raw) for raw in data["licences"])
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise ValueError(f"{path}: licence id {entry.id!r} is repeated")
        seen.add(entry.id)
    return entries


def register_file() -> Path:
    configured = tk.config.get("ckanext.territoire.licences_file")
    return Path(configured) if configured else REGISTER_FILE


def licences() -> tuple[Licence, ...]:
    return load(register_file())


def licence(licence_id: Any) -> Licence | None:
    return next((entry for entry in licences() if entry.id == licence_id), None)


def homologated() -> list[Licence]:
    return [entry for entry in licences() if entry.homologated]


def by_uri(uri: str) -> Licence | None:
    """The licence whose DCAT URI, text URL or an alternate URI is ``uri``
    (scheme, case and trailing slash aside)."""
    wanted = normalised_uri(uri)
    for entry in licences():
        known = (entry.uri, entry.url, *entry.alternate_uris)
        if wanted in {normalised_uri(candidate) for candidate in known if candidate}:
            return entry
    return None


def normalised_uri(uri: str) -> str:
    text = uri.strip().lower()
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            text = text[len(scheme) :]
    return text.rstrip("/")


class CkanLicence(License):
    """A register entry as CKAN's licence object. Its title follows the
    language of the request."""

    def __init__(self, entry: Licence) -> None:
        super().__init__(
            {
                "id": entry.id,
                "title": entry.title["fr"],
                "url": entry.url,
                "status": "active",
                "od_conformance": "approved" if entry.open else "not reviewed",
                "osd_conformance": "not reviewed",
                "is_generic": entry.generic,
                "domain_data": True,
            }
        )
        self.entry = entry

    @property
    def title(self) -> str:
        return self.entry.title_in(current_language())

    def license_dictize(self) -> dict[str, Any]:
        return {**super().license_dictize(), **self.entry.as_dict(current_language())}


class TerritoireLicenceRegister(LicenseRegister):
    """CKAN's licence register, filled from our register file instead of
    CKAN's default list or ``licenses_group_url``."""

    def __init__(self, entries: tuple[Licence, ...]) -> None:
        self.licenses = [CkanLicence(entry) for entry in entries]


def install() -> None:
    """Make the register CKAN's licence list (called when the plugin is
    configured; the file is read, and checked, at that moment)."""
    model.Package._license_register = TerritoireLicenceRegister(licences())
