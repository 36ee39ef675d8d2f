"""Cleaning rules for the defects of the real DECP files
(docs/reference/french_domain.md, section 2.3).

:func:`clean` takes one record as read and gives it back in the layout of its
format with every defect it can mend mended, each one noted as an
:class:`Issue` (rule, field, value before, value after; ``None`` after when
the value was removed), or raises :class:`Rejected` when the record cannot be
used (no identifier, no buyer). Nothing is guessed beyond what the rules say:
a value that cannot be mended is removed, never invented.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from difflib import get_close_matches
from typing import Any

from ckanext.opendata_territoire.decp import formats as f
from ckanext.opendata_territoire.decp.formats import parse_date
from ckanext.opendata_territoire.decp.model import Cleaned, Issue
from ckanext.opendata_territoire.i18n_markers import N_

# Rule id -> what it does (an English msgid, translated where shown).
RULES: dict[str, str] = {
    "flat_buyer_id": N_(
        'buyer given as a flat "acheteur.id" key, put back in its object'
    ),
    "nested_titulaires": N_("titulaires nested in lists of lists, flattened"),
    "non_finite_number": N_(
        "bare NaN or Infinity (as pandas and Python write them, not JSON) read "
        "as a missing value (counted for the whole file)"
    ),
    "list_layout": N_("list items wrapped unlike the format's layout, rewrapped"),
    "not_communicated": N_('"NC" (not communicated) value removed'),
    "bad_date": N_("impossible date repaired, or removed when it cannot be"),
    "future_date": N_("date in the future removed"),
    "absurd_amount": N_("absurd amount removed (negative or over 10 billion euros)"),
    "siret_spaces": N_("identifier written with spaces or punctuation, compacted"),
    "identifier_type": N_(
        "missing identifier type of a 14-digit identifier set to SIRET"
    ),
    "enumeration": N_("value of a list in lower case or misspelt, corrected"),
    "unknown_enumeration": N_("value outside the format's list removed"),
    "typed_text": N_("number or yes/no written as text, converted"),
    "bad_value": N_("number, yes/no or CPV code that cannot be read, removed"),
    "cpv_format": N_("CPV code in a wrong form, corrected"),
}

# Rejection reason id -> what it means.
REJECTIONS: dict[str, str] = {
    "not_an_object": N_("the record is not a JSON object"),
    "missing_id": N_("the contract has no identifier (id)"),
    "missing_buyer": N_("the contract has no buyer identifier"),
    "invalid_buyer": N_("the buyer identifier is not a 14-digit SIRET"),
}

# Above this, a count (months, offers, a modification's number) is garbage,
# and PostgreSQL's integer columns could not hold it.
INTEGER_MAX = 2**31 - 1
# Above this, an amount in euros is a typing accident (1.0E17...).
AMOUNT_MAX = 10_000_000_000
# Contracts older than this are not DECP (the format dates from 2016; the
# official examples go back to 2001).
YEAR_MIN = 1980

AMOUNT_KEYS = frozenset(
    {"montant", "valeurGlobale", "montantSubventionPublique", "depensesInvestissement"}
)

NOT_COMMUNICATED = frozenset({"nc", "n/c", "n.c.", "non communique", "non communiqué"})


class Rejected(Exception):
    """The record cannot be used; ``reason`` is a key of :data:`REJECTIONS`."""

    def __init__(self, reason: str, contract_id: str | None, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.contract_id = contract_id
        self.detail = detail


def clean(version: str, kind: str, data: Any, today: dt.date | None = None) -> Cleaned:
    """The record, mended in place, with what was done to it. Raises Rejected
    for a record that cannot be used."""
    if not isinstance(data, dict):
        raise Rejected("not_an_object", None, type(data).__name__)
    cleaner = _Cleaner(version, kind, today or dt.date.today())
    cleaner.run(data)
    return Cleaned(version, kind, data, cleaner.issues)


def compact_identifier(value: Any) -> str:
    """An identifier without its spaces and punctuation (``"213 805 484
    00011"`` -> ``"21380548400011"``)."""
    return re.sub(r"[\s.\-_/]", "", str(value))


def _plain(text: str) -> str:
    """Lower case, no accents, single spaces: for comparing enumeration
    values."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("œ", "oe").replace("\u2019", "'")
    return " ".join(stripped.casefold().split())


def match_enumeration(
    value: str, allowed: tuple[str, ...], aliases: dict[str, str] | None = None
) -> str | None:
    """The allowed value ``value`` stands for, or None."""
    if value in allowed:
        return value
    plain = _plain(value)
    by_plain = {_plain(a): a for a in allowed}
    if plain in by_plain:
        return by_plain[plain]
    if aliases and plain in aliases and aliases[plain] in allowed:
        return aliases[plain]
    close = get_close_matches(plain, list(by_plain), n=1, cutoff=0.88)
    return by_plain[close[0]] if close else None


# The form both formats accept: a date, perhaps with its time zone.
_STRICT_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([+-]\d{2}:\d{2}Z?)?$")
_TEXT_DATE_FORMATS = (
    "%B, %d %Y %H:%M:%S",
    "%B %d, %Y",
    "%B, %d %Y",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S",
)


class _Cleaner:
    def __init__(self, version: str, kind: str, today: dt.date) -> None:
        self.version = version
        self.kind = kind
        self.today = today
        self.issues: list[Issue] = []
        self.contract_id: str | None = None

    def note(self, rule: str, field: str, before: Any, after: Any = None) -> None:
        self.issues.append(Issue(rule, field, before, after))

    def run(self, data: dict[str, Any]) -> None:
        self.contract_id = _text_id(data.get("id"))
        self._flat_buyer(data)
        self._not_communicated(data, "")
        self._identifier(data)
        self._buyer(data)
        self._layout(data, "")
        self._holders(data, "", self.kind)
        self._modifications_holders(data)
        self._walk(data, "", None)
        self._enumerations(data)
        self._cpv(data)

    # The record's identity: rejected when missing

    def _identifier(self, data: dict[str, Any]) -> None:
        value = data.get("id")
        if isinstance(value, int | float) and not isinstance(value, bool):
            data["id"] = _text_id(value)
            self.note("typed_text", "id", value, data["id"])
        if not isinstance(data.get("id"), str) or not data["id"].strip():
            raise Rejected("missing_id", None)
        self.contract_id = data["id"]

    def _flat_buyer(self, data: dict[str, Any]) -> None:
        key = f.BUYER_KEY[self.kind]
        flat = [k for k in data if k.startswith(key + ".")]
        if flat:
            current = data.get(key)
            buyer: dict[str, Any] = current if isinstance(current, dict) else {}
            for k in flat:
                buyer.setdefault(k[len(key) + 1 :], data.pop(k))
            data[key] = buyer
            self.note("flat_buyer_id", key, ", ".join(flat), key)
        elif isinstance(data.get(key), str | int) and not isinstance(
            data.get(key), bool
        ):
            data[key] = {"id": str(data[key])}
            self.note("flat_buyer_id", key, data[key]["id"], key)

    def _buyer(self, data: dict[str, Any]) -> None:
        key = f.BUYER_KEY[self.kind]
        buyer = data.get(key)
        value = buyer.get("id") if isinstance(buyer, dict) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            raise Rejected("missing_buyer", self.contract_id)
        assert isinstance(buyer, dict)
        compact = compact_identifier(value)
        if compact != value:
            buyer["id"] = compact
            self.note("siret_spaces", f"{key}.id", value, compact)
        if not (len(compact) == 14 and compact.isdigit()):
            raise Rejected("invalid_buyer", self.contract_id, str(value))

    # "NC"

    def _not_communicated(self, node: Any, path: str) -> Any:
        if isinstance(node, dict):
            for key in list(node):
                value = node[key]
                if _is_nc(value):
                    del node[key]
                    self.note("not_communicated", _join(path, key), value)
                else:
                    self._not_communicated(value, _join(path, key))
        elif isinstance(node, list):
            keep = []
            for i, value in enumerate(node):
                if _is_nc(value):
                    self.note("not_communicated", f"{path}[{i}]", value)
                else:
                    self._not_communicated(value, f"{path}[{i}]")
                    keep.append(value)
            node[:] = keep

    # Lists: wrapped items in 2022 (``[{"modification": {...}}]``), plain in 2019

    def _layout(self, node: Any, path: str) -> None:
        if isinstance(node, list):
            for i, value in enumerate(node):
                self._layout(value, f"{path}[{i}]")
            return
        if not isinstance(node, dict):
            return
        lists = f.WRAPPED_LISTS_2022 if self.version == f.V2022 else f.LISTS_2019
        for key in list(node):
            value = node[key]
            where = _join(path, key)
            if (
                key in lists
                and key not in f.HOLDERS_KEY.values()
                and isinstance(value, list)
            ):
                item_key = lists[key]
                items = []
                for i, item in enumerate(value):
                    wrapped = (
                        isinstance(item, dict)
                        and set(item) == {item_key}
                        and isinstance(item[item_key], dict)
                    )
                    if (
                        self.version == f.V2022
                        and isinstance(item, dict)
                        and not wrapped
                    ):
                        item = {item_key: item}
                        self.note(
                            "list_layout",
                            f"{where}[{i}]",
                            "{...}",
                            _shape(item_key),
                        )
                    elif self.version == f.V2019 and wrapped:
                        item = item[item_key]
                        self.note(
                            "list_layout",
                            f"{where}[{i}]",
                            _shape(item_key),
                            "{...}",
                        )
                    items.append(item)
                node[key] = value = items
            self._layout(value, where)

    # Titulaires and concessionnaires

    def _holders(self, node: dict[str, Any], path: str, kind: str) -> None:
        key = f.HOLDERS_KEY[kind]
        if key not in node:
            return
        item_key = f.HOLDER_ITEM[kind]
        items = node[key]
        if not isinstance(items, list):
            items = [items]
        flat = list(_flatten(items))
        if len(flat) != len(items) or any(isinstance(i, list) for i in items):
            self.note("nested_titulaires", _join(path, key), "[[...]]", "[...]")
        holders = []
        for i, item in enumerate(flat):
            where = f"{_join(path, key)}[{i}]"
            wrapped = isinstance(item, dict) and set(item) == {item_key}
            holder = item[item_key] if wrapped else item
            if not isinstance(holder, dict):
                continue
            if self.version == f.V2022 and not wrapped:
                self.note("list_layout", where, "{...}", _shape(item_key))
            elif self.version == f.V2019 and wrapped:
                self.note("list_layout", where, _shape(item_key), "{...}")
            self._holder(holder, where)
            holders.append({item_key: holder} if self.version == f.V2022 else holder)
        node[key] = holders

    def _holder(self, holder: dict[str, Any], where: str) -> None:
        value = holder.get("id")
        kind = holder.get("typeIdentifiant")
        if isinstance(value, int) and not isinstance(value, bool):
            value = holder["id"] = str(value)
        if isinstance(value, str):
            compact = compact_identifier(value)
            if compact != value and (
                kind in (None, "SIRET", "siret") or len(compact) == 14
            ):
                holder["id"] = compact
                self.note("siret_spaces", f"{where}.id", value, compact)
        if (
            not kind
            and isinstance(holder.get("id"), str)
            and len(holder["id"]) == 14
            and holder["id"].isdigit()
        ):
            holder["typeIdentifiant"] = "SIRET"
            self.note("identifier_type", f"{where}.typeIdentifiant", kind, "SIRET")
        elif isinstance(kind, str):
            allowed = (
                f.IDENTIFIER_TYPES_2022
                if self.version == f.V2022
                else f.IDENTIFIER_TYPES_2019
            )
            self._enumeration(
                holder, "typeIdentifiant", allowed, f"{where}.typeIdentifiant"
            )

    def _modifications_holders(self, data: dict[str, Any]) -> None:
        modifications = data.get("modifications")
        if not isinstance(modifications, list):
            modifications = []
        for i, item in enumerate(modifications):
            if self.version == f.V2022 and isinstance(item, dict):
                inner = item.get("modification")
                if isinstance(inner, dict):
                    self._holders(inner, f"modifications[{i}].modification", f.MARCHE)
                else:
                    self._holders(item, f"modifications[{i}]", f.MARCHE)
            elif isinstance(item, dict):
                self._holders(item, f"modifications[{i}]", f.MARCHE)
        # The subcontractors, whether the contract was modified or not (a
        # record without modifications skipped them).
        acts = data.get("actesSousTraitance")
        for item in acts if isinstance(acts, list) else []:
            acte = item.get("acteSousTraitance") if isinstance(item, dict) else None
            if isinstance(acte, dict) and isinstance(acte.get("sousTraitant"), dict):
                self._holder(acte["sousTraitant"], "actesSousTraitance.sousTraitant")

    # Dates, numbers, yes/no: by key, at any depth

    def _walk(self, node: Any, path: str, parent: str | None) -> None:
        if isinstance(node, list):
            for i, value in enumerate(node):
                self._walk(value, f"{path}[{i}]", parent)
            return
        if not isinstance(node, dict):
            return
        for key in list(node):
            value = node[key]
            where = _join(path, key)
            if isinstance(value, dict | list):
                self._walk(value, where, key)
            elif value is None:
                continue
            elif key in f.DATE_KEYS:
                self._date(node, key, where)
            elif key in f.NUMBER_KEYS or (
                key == "tarif" and parent in ("tarif", "tarifs")
            ):
                self._number(node, key, where, integer=False)
            elif key in f.INTEGER_KEYS or (
                key == "id"
                and parent in f.INTEGER_ID_PARENTS
                and self.version == f.V2022
            ):
                self._number(node, key, where, integer=True)
            elif key in f.BOOLEAN_KEYS:
                self._boolean(node, key, where)

    def _date(self, node: dict[str, Any], key: str, where: str) -> None:
        value = node[key]
        past = key in f.PAST_DATE_KEYS
        date = parse_date(value) if _STRICT_DATE.match(str(value)) else None
        if date is not None and date.year >= YEAR_MIN:
            if date <= self.today or (not past and date.year <= self.today.year + 100):
                return
            if date.year <= self.today.year + 1:  # plausible, but not yet
                del node[key]
                self.note("future_date", where, value)
                return
        repaired = self._repair_date(value)
        if repaired is None:
            del node[key]
            self.note("bad_date", where, value)
        elif repaired > self.today and past:
            del node[key]
            self.note("future_date", where, value)
        else:
            node[key] = repaired.isoformat()
            self.note("bad_date", where, value, node[key])

    def _repair_date(self, value: Any) -> dt.date | None:
        """The date a mistyped one meant, when one reading alone is plausible:
        a year typed wrong (0222, 5021, 2921) or a date written as text."""
        if not isinstance(value, str):
            return None
        text = value.strip()
        date = parse_date(text)
        if date is None:
            for pattern in _TEXT_DATE_FORMATS:
                try:
                    date = dt.datetime.strptime(text, pattern).date()
                    break
                except ValueError:
                    continue
        if date is not None and YEAR_MIN <= date.year <= self.today.year + 1:
            return date
        match = re.match(r"^(\d{4})(-\d{2}-\d{2})", text)
        if not match:
            return None
        year = match[1]
        candidates = {
            "2" + year[1:],  # 5021 -> 2021
            year[1] + year[0] + year[2:],  # 0222 -> 2022
            year[0] + "0" + year[2:],  # 2921 -> 2021
        }
        plausible = []
        for candidate in sorted(candidates):
            date = parse_date(candidate + match[2])
            if date is not None and 2000 <= date.year <= self.today.year:
                plausible.append(date)
        return plausible[0] if len(plausible) == 1 else None

    def _number(
        self, node: dict[str, Any], key: str, where: str, integer: bool
    ) -> None:
        value = node[key]
        number: int | float | None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | float):
            number = value
        else:
            number = _read_number(value)
            if number is None:
                del node[key]
                self.note("bad_value", where, value)
                return
        if number is None or (isinstance(number, float) and not math.isfinite(number)):
            # "1e400" written as text reads as infinity: no JSON can hold it.
            del node[key]
            self.note(
                "absurd_amount" if key in AMOUNT_KEYS else "bad_value", where, value
            )
            return
        if integer:
            if number != int(number) or abs(number) > INTEGER_MAX:
                del node[key]
                self.note("bad_value", where, value)
                return
            number = int(number)
        if key in AMOUNT_KEYS and not 0 <= number <= AMOUNT_MAX:
            del node[key]
            self.note("absurd_amount", where, value)
            return
        if key in ("tauxAvance", "origineUE", "origineFrance") and not 0 <= number <= 1:
            del node[key]
            self.note("bad_value", where, value)
            return
        if key == "dureeMois" and number < 1:
            del node[key]
            self.note("bad_value", where, value)
            return
        if number is not value or type(number) is not type(value):
            node[key] = number
            if not (isinstance(value, float) and value == number):
                self.note("typed_text", where, value, number)

    def _boolean(self, node: dict[str, Any], key: str, where: str) -> None:
        value = node[key]
        if isinstance(value, bool):
            return
        word = str(value).strip().casefold()
        if word in ("oui", "true", "1", "vrai", "yes", "o"):
            node[key] = True
            self.note("typed_text", where, value, True)
        elif word in ("non", "false", "0", "faux", "no", "n"):
            node[key] = False
            self.note("typed_text", where, value, False)
        else:
            del node[key]
            self.note("bad_value", where, value)

    # Enumerations

    def _enumerations(self, data: dict[str, Any]) -> None:
        for key, allowed in f.ENUMERATIONS[(self.version, self.kind)].items():
            self._enumeration(data, key, allowed, key, f.ALIASES.get(key))
        place = data.get("lieuExecution")
        if isinstance(place, dict):
            self._enumeration(
                place, "typeCode", f.PLACE_CODE_TYPES, "lieuExecution.typeCode"
            )
        if self.version != f.V2022:
            return
        for key, (item, allowed) in f.LIST_ENUMERATIONS[self.kind].items():
            holder = data.get(key)
            if isinstance(holder, list):  # the list without its object
                data[key] = holder = {item: holder}
                self.note("list_layout", key, "[...]", _shape(item, "[...]"))
            if not isinstance(holder, dict):
                continue
            values = holder.get(item)
            if isinstance(values, str):
                holder[item] = values = [values]
                self.note("list_layout", f"{key}.{item}", "...", "[...]")
            if not isinstance(values, list):
                continue
            kept: list[str] = []
            for i, value in enumerate(values):
                where = f"{key}.{item}[{i}]"
                fixed = (
                    match_enumeration(value, allowed)
                    if isinstance(value, str)
                    else None
                )
                if fixed is None:
                    self.note("unknown_enumeration", where, value)
                    continue
                if fixed != value:
                    self.note("enumeration", where, value, fixed)
                if fixed not in kept:
                    kept.append(fixed)
            holder[item] = kept

    def _enumeration(
        self,
        node: dict[str, Any],
        key: str,
        allowed: tuple[str, ...],
        where: str,
        aliases: dict[str, str] | None = None,
    ) -> None:
        value = node.get(key)
        if value is None or value in allowed:
            return
        fixed = (
            match_enumeration(value, allowed, aliases)
            if isinstance(value, str)
            else None
        )
        if fixed is None:
            del node[key]
            self.note("unknown_enumeration", where, value)
        else:
            node[key] = fixed
            self.note("enumeration", where, value, fixed)

    def _cpv(self, data: dict[str, Any]) -> None:
        value = data.get("codeCPV")
        if value is None or (
            isinstance(value, str) and re.match(r"^\d{8}(-\d)?$", value)
        ):
            return
        text = re.sub(r"\s", "", str(value))
        match = re.match(r"^(\d{1,8})(?:[-.]?(\d))?$", text)
        if match and len(match[1]) >= 7:
            fixed = match[1].rjust(8, "0") + (f"-{match[2]}" if match[2] else "")
            data["codeCPV"] = fixed
            self.note("cpv_format", "codeCPV", value, fixed)
        else:
            del data["codeCPV"]
            self.note("bad_value", "codeCPV", value)


def _text_id(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value).strip() or None


def _is_nc(value: Any) -> bool:
    return isinstance(value, str) and value.strip().casefold() in NOT_COMMUNICATED


def _shape(key: str, inner: str = "{...}") -> str:
    """How a wrapped item looks, for the issues: ``{titulaire: {...}}``."""
    return "{" + key + ": " + inner + "}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _flatten(items: list[Any]) -> Any:
    for item in items:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def _read_number(value: Any) -> int | float | None:
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    text = text.replace(",", ".")
    if re.match(r"^[+-]?\d+$", text):
        return int(text)
    if re.match(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", text):
        return float(text)
    return None


__all__ = [
    "REJECTIONS",
    "RULES",
    "Cleaned",
    "Issue",
    "Rejected",
    "clean",
    "compact_identifier",
    "match_enumeration",
    "parse_date",
]
