"""What looks like personal data in a table: e-mail addresses and mobile
phone numbers of persons, social security numbers (NIR), dates of birth,
names of persons next to addresses.

Pure and local: the header and a sample of rows in, the findings out. A
finding names the column, how many values and the first rows where they are,
never the values themselves. Public data that looks alike is let through: the
SIRET of firms, the service addresses of a town hall (mairie@..., accueil@...),
landline numbers of a facility, names of facilities next to their address.
The word lists it relies on are data, in guard.yaml.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

WORDS_FILE = Path(__file__).with_name("guard.yaml")
# Rows named in a finding, to help find the values in the file.
ROWS_SHOWN = 5
# Share of the filled cells of a column that must look like the names of
# persons (or like street addresses) for the column to be taken as such.
SHARE = 0.3

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
PHONE = re.compile(r"^(?:\+33 ?|0033 ?|0)([1-9])(?:[ .-]?\d{2}){4}$")
NIR = re.compile(r"^[1-478]\d{2}(?:0[1-9]|1[0-2]|[2-9]\d)(?:\d{2}|2[AB])\d{6}(\d{2})?$")
DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
STREET = re.compile(
    r"^\d+\s*(?:bis|ter|[a-d])?\s*,?\s*(?:rue|avenue|av|boulevard|bd|chemin|"
    r"impasse|allee|place|route|quai|cours|lotissement|hameau|lieu-dit|square|"
    r"residence|passage|sentier|montee|faubourg)\b",
    re.IGNORECASE,
)
CIVILITY = re.compile(
    r"^(?:m|mr|mme|mlle|monsieur|madame|mademoiselle|dr|docteur)\b\.?\s+",
    re.IGNORECASE,
)


HEADER_PERSON_FIRST_NAME = {"prenom", "prenoms", "firstname", "givenname"}
HEADER_NAME = {"nom", "noms", "name", "lastname", "surname", "patronyme"}
# Header words of names that are not persons' (COLL_NOM, EQUIP_NOM...).
HEADER_BODY = {
    "coll",
    "collectivite",
    "commune",
    "organisme",
    "structure",
    "entreprise",
    "societe",
    "etablissement",
    "equip",
    "equipement",
    "service",
    "voie",
    "nomvoie",
    "rue",
    "lieu",
    "site",
    "projet",
    "budget",
    "plat",
    "menu",
    "restaurant",
    "producteur",
    "attribuant",
    "acheteur",
    "titulaire",
    "fichier",
    "jeu",
}
HEADER_ADDRESS = {"adresse", "address", "adr", "rue", "voie", "domicile", "residence"}
HEADER_NOT_ADDRESS = {
    "mail",
    "email",
    "courriel",
    "web",
    "ip",
    "url",
    "site",
    "internet",
}
HEADER_BIRTH = {"naissance", "birth", "birthdate", "dob", "ddn"}
HEADER_NIR = {"nir", "secu", "securite", "insee"}


@functools.cache
def words_of(name: str) -> frozenset[str]:
    """A word list of guard.yaml: ``service_words``, ``private_mail_domains``,
    ``body_words``, ``first_names``."""
    lists = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return frozenset(str(word) for word in lists[name])


def first_names() -> frozenset[str]:
    return words_of("first_names")


def plain(text: str) -> str:
    """Lower case, without accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def header_words(label: str) -> set[str]:
    """The words of a column label: "nomBeneficiaire" and "NOM_BENEFICIAIRE"
    both give {"nom", "beneficiaire"}."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label)
    return set(re.findall(r"[a-z0-9]+", plain(spaced)))


def is_service_mailbox(local_part: str) -> bool:
    words = re.split(r"[._+-]+", plain(local_part))
    return any(w.rstrip("0123456789") in words_of("service_words") for w in words)


def is_personal_email(address: str) -> bool:
    """An address of a person: "prénom.nom@...", "p.nom@..." or any
    non-service address of a private mailbox provider."""
    local, _, domain = address.rpartition("@")
    if is_service_mailbox(local):
        return False
    if domain.lower() in words_of("private_mail_domains"):
        return True
    parts = [p for p in re.split(r"[._-]+", plain(local)) if p]
    if len(parts) < 2 or not all(p.isalpha() for p in parts):
        return False
    return parts[0] in first_names() or parts[-1] in first_names() or len(parts[0]) == 1


def is_mobile(value: str) -> bool:
    match = PHONE.match(value.strip())
    return match is not None and match.group(1) in "67"


def is_phone(value: str) -> bool:
    return bool(PHONE.match(value.strip()))


def is_nir(value: str) -> bool:
    """A social security number with its key (15 characters), key checked."""
    compact = re.sub(r"[\s.-]", "", value).upper()
    match = NIR.match(compact)
    if not match or not match.group(1):
        return False
    number = int(compact[:13].replace("2A", "19").replace("2B", "18"))
    return 97 - number % 97 == int(match.group(1))


def looks_like_person(value: str) -> bool:
    """ "M. Jean Dupont", "Jean Dupont", "DUPONT Jean"."""
    text = value.strip()
    if not text or any(c.isdigit() for c in text):
        return False
    if CIVILITY.match(text):
        return True
    words = text.replace(",", " ").split()
    if not 2 <= len(words) <= 4:
        return False
    if any(plain(w) in words_of("body_words") for w in words):
        return False
    first = plain(words[0]).split("-")[0]
    if first in first_names():
        return True
    last = words[-1]
    surname_first = words[0].isupper() and len(words[0]) > 1 and last.istitle()
    return surname_first and plain(last).split("-")[0] in first_names()


def _finding(kind: str, label: str, rows: list[int], **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "column": label,
        "count": len(rows),
        "rows": rows[:ROWS_SHOWN],
        **extra,
    }


def _share(cells: list[tuple[int, str]], test: Callable[[str], bool]) -> float:
    filled = [v for _, v in cells if v.strip()]
    if not filled:
        return 0.0
    return sum(1 for v in filled if test(v)) / len(filled)


def inspect(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[dict]:
    """The findings of a table: ``[{"kind", "column", "count", "rows"}]``,
    ``kind`` one of ``email``, ``mobile_phone``, ``phone``, ``nir``,
    ``birth_date``, ``person_address`` (which also names the
    ``address_column``). ``rows`` are line numbers in the file (the header
    is line 1)."""
    columns: list[list[tuple[int, str]]] = [[] for _ in header]
    for line, row in enumerate(rows, start=2):
        for index, value in enumerate(row[: len(header)]):
            columns[index].append((line, value or ""))
    words = [header_words(label) for label in header]
    persons = [
        i
        for i, cells in enumerate(columns)
        if words[i] & HEADER_PERSON_FIRST_NAME
        or (
            words[i] & HEADER_NAME
            and not words[i] & HEADER_BODY
            and _share(cells, looks_like_person) >= SHARE
        )
    ]
    addresses = [
        i
        for i, cells in enumerate(columns)
        if i not in persons
        and not words[i] & HEADER_NOT_ADDRESS
        and (
            words[i] & HEADER_ADDRESS
            or _share(cells, lambda v: bool(STREET.match(v.strip()))) >= SHARE
        )
        and any(v.strip() for _, v in cells)
    ]
    findings: list[dict[str, Any]] = []
    for i, cells in enumerate(columns):
        label = header[i]
        emails = [
            line
            for line, value in cells
            if any(is_personal_email(a) for a in EMAIL.findall(value))
        ]
        if emails:
            findings.append(_finding("email", label, emails))
        mobiles = [line for line, value in cells if is_mobile(value)]
        if mobiles:
            findings.append(_finding("mobile_phone", label, mobiles))
        elif persons and i not in persons:
            # A landline next to the names of persons is theirs.
            phones = [line for line, value in cells if is_phone(value)]
            if phones:
                findings.append(_finding("phone", label, phones))
        nirs = [line for line, value in cells if is_nir(value)]
        if not nirs and words[i] & HEADER_NIR and not words[i] & {"code", "commune"}:
            nirs = [line for line, value in cells if re.fullmatch(r"\d{13}", value)]
        if nirs:
            findings.append(_finding("nir", label, nirs))
        if words[i] & HEADER_BIRTH:
            births = [line for line, value in cells if DATE.search(value)]
            if births:
                findings.append(_finding("birth_date", label, births))
    if addresses:
        for i in persons:
            named = [line for line, value in columns[i] if value.strip()]
            if named:
                findings.append(
                    _finding(
                        "person_address",
                        header[i],
                        named,
                        address_column=header[addresses[0]],
                    )
                )
    return findings
