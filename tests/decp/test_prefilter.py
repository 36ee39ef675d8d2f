"""The pre-filter of large JSON files (decp/prefilter.py): the bytes are
searched for the territory's buyers and only the records around a hit are
parsed. Whatever it reads, it must find what the full parse finds: the same
records (content, kind, order, numbers), the same counts (read, set aside,
bare NaN); the same contracts and report through the pipeline. When in
doubt it gives the file to the full parse.

The pre-filter is forced on small files here (its ``MIN_SIZE``), with small
chunks and windows, so that keys, records and NaN are cut by a chunk's or a
window's end."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ckanext.opendata_territoire import decp
from ckanext.opendata_territoire.decp import prefilter, readers
from tests.decp.conftest import ccmv_sirens, generate
from tests.decp.library import _library_only  # noqa: F401

VILLARD = "21380548400011"
ENGINS = "21380153300017"
CCMV_EPCI = "24380102400018"
OTHERS = ("21750001600019", "21130055300016", "21690123100011", "21380185600010")
TERRITORY = (frozenset(ccmv_sirens()), frozenset())
NEVER = 1 << 62


@contextlib.contextmanager
def sizes(**values: int) -> Iterator[None]:
    """The pre-filter's sizes (MIN_SIZE, CHUNK_SIZE, WINDOW...) for a
    while (hypothesis does not mix with pytest's monkeypatch)."""
    saved = {name: getattr(prefilter, name) for name in values}
    for name, value in values.items():
        setattr(prefilter, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(prefilter, name, value)


def full_records(path: Path, buyers=TERRITORY):
    """What the full parse (ijson) yields and counts."""
    stats = readers.ReadStats()
    with sizes(MIN_SIZE=NEVER), path.open("rb") as fp:
        found = [
            (r.version, r.kind, r.data, r.position)
            for r in decp.read_records(fp, buyers=buyers, stats=stats)
        ]
    return found, (stats.records, stats.skipped, stats.non_finite)


def scanned(path: Path, buyers=TERRITORY, chunk=64 * 1024, window=256):
    """The pre-filter's scan of a file; it must take the file."""
    with sizes(WINDOW=window), path.open("rb") as fp:
        found = prefilter.scan(
            fp, decp.detect_format(fp), buyers, min_size=0, chunk_size=chunk
        )
    assert found is not None, "the pre-filter gave the file to the full parse"
    return found


def prefiltered_records(path: Path, buyers=TERRITORY, chunk=64 * 1024, window=256):
    """What the pre-filter yields and counts; it must take the file."""
    stats = readers.ReadStats()
    with sizes(WINDOW=window), path.open("rb") as fp:
        found = prefilter.scan(
            fp, decp.detect_format(fp), buyers, min_size=0, chunk_size=chunk
        )
        assert found is not None, "the pre-filter gave the file to the full parse"
        records = [
            (r.version, r.kind, r.data, r.position) for r in found.records(stats)
        ]
    return records, (stats.records, stats.skipped, stats.non_finite)


def pipeline(path: Path, prefilter_on: bool, buyers=None, chunk=64 * 1024):
    """read_contracts, the pre-filter forced on or off; whether it took the
    file."""
    buyers = buyers or decp.BuyerFilter.of(ccmv_sirens())
    report, taken = decp.Report(), []
    scan = prefilter.scan

    def spy(*args: Any, **kwargs: Any) -> Any:
        found = scan(*args, **kwargs)
        taken.append(found is not None)
        return found

    with (
        sizes(MIN_SIZE=0 if prefilter_on else NEVER, CHUNK_SIZE=chunk, WINDOW=512),
        path.open("rb") as fp,
    ):
        prefilter.scan = spy  # type: ignore[assignment]
        try:
            contracts = list(decp.read_contracts(fp, buyers, report))
        finally:
            prefilter.scan = scan  # type: ignore[assignment]
    return contracts, report, taken


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def marche(id_: str, buyer: Any, **changes: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "acheteur": {"id": buyer},
        "objet": "Déneigement",
        "montant": 1500.5,
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": OTHERS[0]}}],
        **changes,
    }


def concession(id_: str, buyer: Any, **changes: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "autoriteConcedante": {"id": buyer},
        "objet": "Délégation du service de l'eau",
        "valeurGlobale": 150000.0,
        **changes,
    }


def file_2022(marches: list[Any], concessions: list[Any] | None = None, **dump) -> str:
    layout: dict[str, Any] = {"marche": marches}
    if concessions is not None:
        layout["contrat-concession"] = concessions
    return json.dumps({"marches": layout}, ensure_ascii=False, **dump)


def others(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [marche(f"O{n}", OTHERS[n % len(OTHERS)]) for n in range(start, count)]


# Files made by the project's generator


@pytest.fixture(
    scope="module",
    params=[
        (layout, pretty, dirty)
        for layout in ("json-2019", "json-2022")
        for pretty in (False, True)
        for dirty in (0.0, 0.1)
    ],
    ids=lambda p: f"{p[0]}{'-pretty' if p[1] else ''}{'-dirty' if p[2] else ''}",
)
def generated(request, tmp_path_factory):
    layout, pretty, dirty = request.param
    path = tmp_path_factory.mktemp("prefilter") / f"{layout}.json"
    truth = generate(path, layout, contracts=3000, dirty=dirty, pretty=pretty)
    return path, truth


def test_generated_files_give_the_same_contracts_and_report(generated):
    path, truth = generated

    full, full_report, full_taken = pipeline(path, prefilter_on=False)
    fast, fast_report, fast_taken = pipeline(path, prefilter_on=True, chunk=20_000)

    assert full_taken == [False] and fast_taken == [True]
    assert [c.uid for c in fast] == [c.uid for c in full]
    assert fast == full  # the content too, field by field
    assert fast_report.as_dict() == full_report.as_dict()
    assert fast_report.kept == truth.territory_contracts > 0
    assert dict(fast_report.by_buyer) == dict(truth.territory_by_buyer)


def test_generated_files_give_the_same_raw_records(generated):
    path, _truth = generated

    assert prefiltered_records(path, chunk=7_000, window=100) == full_records(path)


def test_a_buyer_given_by_siret_only(generated):
    path, truth = generated
    siret = sorted(truth.territory_by_buyer)[0]
    buyers = (frozenset(), frozenset({siret}))

    found, counts = prefiltered_records(path, buyers)

    assert (found, counts) == full_records(path, buyers)
    assert len(found) == truth.territory_by_buyer[siret]


# Files of every layout and form, made up by hypothesis

TERRITORY_SIRETS = (VILLARD, ENGINS, CCMV_EPCI)
# Ways of writing a buyer's identifier: what the key holds. Some the full
# parse sets aside as another buyer's (a clean 14-character string), the
# others it yields, for the cleaning to mend or reject.
FORMS = (
    "clean",
    "spaces",
    "dots",
    "number",
    "siren only",
    "missing",
    "null",
    "empty",
    "bare string",
    "with nom",
    "nom first",
    "two ids",
    "escaped key",
    "nested and flat",
)
TRICKY_TEXTS = (
    "Déneigement",
    'le "acheteur": {"id": "21380548400011"}',
    '"acheteur"',
    "x\\",
    "{ } [ ] , :",
    "NaN et Infinity",
    '\\"acheteur',
    "tête-à-tête 😀",
    '"contrat-concession": [',
    "\\u0041",
    "acheteur",
    "acheteur.id",
    "",
)


def buyer_value(form: str, siret: str) -> Any:
    return {
        "clean": siret,
        "spaces": f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}",
        "dots": f"{siret[:3]}.{siret[3:6]}.{siret[6:9]}.{siret[9:]}",
        "number": int(siret),
        "siren only": siret[:9],
        "empty": "",
        "null": None,
    }.get(form, siret)


def place_buyer(record: dict[str, Any], key: str, form: str, siret: str, flat: bool):
    """The buyer under ``key``, written in ``form``, nested or flat."""
    value = buyer_value(form, siret)
    if form == "missing":
        record[key] = {"nom": "Commune"}
    elif form == "bare string":
        record[key] = value
    elif flat:
        record[f"{key}.id"] = value
    elif form == "with nom":
        record[key] = {"id": value, "nom": 'Commune "de" Villard'}
    elif form == "nom first":
        record[key] = {"nom": "Commune", "id": value}
    elif form == "two ids":
        # The last one counts, for JSON readers: written by hand below.
        record[key] = {"id": "__FIRST__", "id2": value}
    elif form == "escaped key":
        # "acheteur" written "ach\u0065teur": by hand below.
        record["__ESCAPED__" + key] = {"id": value}
    elif form == "nested and flat":
        record[key] = {"id": value}
        record[f"{key}.id"] = OTHERS[3] if siret in TERRITORY_SIRETS else VILLARD
    else:
        record[key] = {"id": value}


@st.composite
def records(draw: Any, kind: str) -> dict[str, Any]:
    key = decp.readers.f.BUYER_KEY[kind]
    ours = draw(st.booleans())
    siret = draw(st.sampled_from(TERRITORY_SIRETS if ours else OTHERS))
    record: dict[str, Any] = {
        "id": f"R{draw(st.integers(0, 10**6))}",
        "objet": draw(st.sampled_from(TRICKY_TEXTS)) + draw(st.text(max_size=6)),
    }
    amount = draw(
        st.sampled_from([1500.5, 12, float("nan"), float("inf"), -float("inf")])
    )
    if kind == decp.CONCESSION:
        record["valeurGlobale"] = amount
    else:
        record["montant"] = amount
    buyer: dict[str, Any] = {}
    form = draw(st.sampled_from(FORMS))
    place_buyer(buyer, key, form, siret, flat=draw(st.booleans()))
    # The buyer's key anywhere among the others.
    items = list(record.items())
    at = draw(st.integers(0, len(items)))
    result = dict(items[:at] + list(buyer.items()) + items[at:])
    if draw(st.booleans()):  # a member whose key looks like a buyer's
        result[draw(st.sampled_from(TRICKY_TEXTS))] = draw(st.sampled_from([1, "x"]))
    if draw(st.booleans()):
        result["titulaires"] = [
            {"titulaire": {"typeIdentifiant": "SIRET", "id": OTHERS[1]}}
        ]
    return result


@st.composite
def files(draw: Any) -> bytes:
    version = draw(st.sampled_from(["2019", "2022"]))
    indent = draw(st.sampled_from([None, None, 0, 2, "\t"]))
    separators = draw(st.sampled_from([None, (",", ":"), (" , ", " : ")]))
    ascii_only = draw(st.booleans())

    def dump(record: dict[str, Any]) -> str:
        text = json.dumps(
            record, indent=indent, separators=separators, ensure_ascii=ascii_only
        )
        # Two "id" keys in one buyer: JSON readers keep the last.
        text = text.replace('"id2"', '"id"').replace('"__FIRST__"', f'"{OTHERS[2]}"')
        text = text.replace('"__ESCAPED__ache', '"ach\\u0065')
        return text.replace('"__ESCAPED__a', '"\\u0061')

    def listing(kind_of: Any, last: Any = None) -> str:
        """A list of records; with ``last``, it ends with one of those (a
        file's last list ends with a record)."""
        items = [dump(r) for r in draw(st.lists(kind_of, max_size=8))]
        if last is not None:
            items.append(dump(draw(last)))
        between = draw(st.sampled_from([",", ", ", ",\n", "\n,\n  "]))
        return "[" + draw(st.sampled_from(["", "\n", "  "])) + between.join(items) + "]"

    schema = draw(st.sampled_from(["", '"$schema": "https://x/y.json", ']))
    if version == "2019":
        mixed = st.one_of(records(decp.MARCHE), records(decp.CONCESSION))
        text = "{" + schema + '"marches": ' + listing(mixed, last=mixed) + "}"
    else:
        last = draw(st.sampled_from(["marchés", "concessions", "empty concessions"]))
        marches = listing(
            records(decp.MARCHE),
            last=records(decp.MARCHE) if last != "concessions" else None,
        )
        body = '"marche": ' + marches
        if last == "concessions":
            concessions = listing(
                records(decp.CONCESSION), last=records(decp.CONCESSION)
            )
            body += ',\n "contrat-concession": ' + concessions
        elif last == "empty concessions":
            body += ',\n "contrat-concession": [ ]'
        text = "{" + schema + '"marches": {' + body + "}}"
    return (text + draw(st.sampled_from(["", "\n", "  \n"]))).encode()


@settings(max_examples=300, deadline=None)
@given(
    data=files(),
    chunk=st.sampled_from([40, 300, 1_000, 4_096, 1 << 20]),
    window=st.sampled_from([16, 100, 8_192]),
)
def test_whatever_the_layout_the_prefilter_finds_what_the_full_parse_finds(
    data, chunk, window
):
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / "decp.json", data)

        assert prefiltered_records(path, chunk=chunk, window=window) == full_records(
            path
        )


# Cases one by one


def test_a_siret_written_with_spaces_dots_or_as_a_number_is_found(tmp_path):
    text = file_2022(
        [
            *others(50),
            marche("A", "213 805 484 00011"),
            marche("B", "213.805.484.00011"),
            marche("C", 21380548400011),
            *others(100, 50),
        ]
    )
    path = write(tmp_path / "decp.json", text)

    found, counts = prefiltered_records(path)

    assert [r[2]["id"] for r in found] == ["A", "B", "C"]
    assert [r[3] for r in found] == [51, 52, 53]
    assert counts == (103, 100, 0)
    assert (found, counts) == full_records(path)
    assert scanned(path).parsed == 3


def test_a_flat_buyer_key_is_found(tmp_path):
    flat = marche("F", None)
    del flat["acheteur"]
    flat["acheteur.id"] = VILLARD
    other_flat = dict(flat, id="G", **{"acheteur.id": OTHERS[0]})
    path = write(tmp_path / "decp.json", file_2022([*others(30), flat, other_flat]))

    found, counts = prefiltered_records(path)

    assert [r[2]["id"] for r in found] == ["F"]
    assert counts == (32, 31, 0)
    assert (found, counts) == full_records(path)


def test_pretty_printed_or_on_one_line(tmp_path):
    items = [*others(40), marche("V", VILLARD), *others(80, 40)]
    for indent in (None, 2, 4, "\t"):
        path = write(tmp_path / "decp.json", file_2022(items, indent=indent))

        found, counts = prefiltered_records(path, chunk=500)

        assert [r[2]["id"] for r in found] == ["V"]
        assert (found, counts) == full_records(path)


def test_bare_nan_is_counted_in_every_record_as_by_the_full_parse(tmp_path):
    """README: counted as values for the whole file, other buyers' too."""
    text = file_2022(
        [
            *others(20),
            marche("N", VILLARD, montant=float("nan"), dureeMois=float("inf")),
            marche("P", OTHERS[1], montant=-float("inf")),
            marche("Q", OTHERS[1], objet="NaN Infinity"),
        ]
    )
    path = write(tmp_path / "decp.json", text)

    found, counts = prefiltered_records(path)

    assert [(r[2]["id"], r[2]["montant"], r[2]["dureeMois"]) for r in found] == [
        ("N", None, None)
    ]
    assert counts == (23, 22, 3)
    assert (found, counts) == full_records(path)


def test_a_nan_in_a_2022_file_with_concessions_is_counted_once(tmp_path):
    """The full parse read such a file twice and counted its NaN twice."""
    text = file_2022(
        [marche("N", VILLARD, montant=float("nan"))],
        [concession("C", ENGINS)],
    )
    path = write(tmp_path / "decp.json", text)

    assert full_records(path)[1] == (2, 0, 1)
    assert prefiltered_records(path)[1] == (2, 0, 1)


def test_a_nan_after_the_last_marche_leaves_the_records_counted(tmp_path):
    """yajl stopped on the concessions' NaN during the marchés' pass: read
    again, the marchés were passed over and left out of the records read
    (1 read, 2 set aside)."""
    text = file_2022([marche("M", OTHERS[0])], [concession("C", OTHERS[0])])
    path = write(tmp_path / "decp.json", text.replace("150000.0", "NaN"))

    assert full_records(path) == ([], (2, 2, 1))
    assert prefiltered_records(path) == ([], (2, 2, 1))


def test_a_record_much_larger_than_the_window(tmp_path):
    big = marche("BIG", VILLARD, objet="x" * 300_000, titulaires=[{"a": "{"}] * 2000)
    path = write(tmp_path / "decp.json", file_2022([*others(10), big, *others(20, 10)]))

    found, counts = prefiltered_records(path, chunk=4096, window=64)

    assert [r[2]["id"] for r in found] == ["BIG"]
    assert (found, counts) == full_records(path)


def test_braces_and_buyer_keys_inside_strings(tmp_path):
    tricky = [
        marche("S1", OTHERS[0], objet='{"acheteur": {"id": "21380548400011"}}'),
        marche("S2", OTHERS[0], objet='\\"acheteur": "21380548400011"'),
        marche("S3", OTHERS[0], objet="{{{ [[ NaN"),
        marche("S4", VILLARD, objet='"acheteur" {'),
        marche("S5", OTHERS[1], **{"note": {"acheteur.nom": "x"}}),
    ]
    path = write(tmp_path / "decp.json", file_2022([*others(5), *tricky]))

    found, counts = prefiltered_records(path, window=32)

    assert [r[2]["id"] for r in found] == ["S4"]
    assert counts == (10, 9, 0)
    assert (found, counts) == full_records(path)


@pytest.mark.parametrize("window", [1, 2, 16, 256])
def test_a_buyer_key_in_an_object_inside_a_record(tmp_path, window):
    """The record is the object after a ``,`` or a ``[``, not the one after a
    colon, even when a window begins with it."""
    nested = marche("N", OTHERS[0], note={"acheteur": {"id": VILLARD}})
    path = write(tmp_path / "decp.json", file_2022([*others(5), nested, *others(9, 5)]))

    found, counts = prefiltered_records(path, window=window)

    assert (found, counts) == ([], (10, 10, 0))
    assert (found, counts) == full_records(path)


def test_a_window_that_begins_with_an_object_inside_a_record(tmp_path):
    """The only hit is a NaN in an object inside another buyer's record, the
    window read around it begins with that object's brace: it is not a
    record (a colon comes before it), the record around it is."""
    note = {"acheteur": {"id": OTHERS[1]}, "v": float("nan")}
    text = file_2022([*others(5), marche("N", OTHERS[0], note=note), *others(9, 5)])
    data = text.encode()
    nan = data.index(b"NaN")
    window = nan - data.rindex(b'{"acheteur"', 0, nan)
    path = write(tmp_path / "decp.json", data)

    found, counts = prefiltered_records(path, window=window)

    assert (found, counts) == ([], (10, 10, 1)) == full_records(path)
    assert scanned(path, window=window).parsed == 1


def test_only_the_records_that_may_be_the_territorys_are_parsed(tmp_path):
    """A buyer key as a value, a key or a text is no record to parse."""
    items = [
        *others(30),
        marche("A", OTHERS[1], objet="acheteur", role="acheteur.id"),
        marche("B", OTHERS[1], **{"acheteur public": 1, "l'acheteur": "x"}),
        marche("V", "213 805 484 00011"),
        *others(60, 30),
    ]
    path = write(tmp_path / "decp.json", file_2022(items))

    found = scanned(path)

    assert (found.parsed, len(found), found.keys) == (1, 1, 63)
    assert prefiltered_records(path) == full_records(path)


@pytest.mark.parametrize(
    "change",
    [
        ("}}]}, {", "}}]}, NaN, {"),  # a NaN between records
        ('"objet": "D', '"objet": "\udcff'),  # invalid UTF-8 around a hit
    ],
)
def test_a_doubt_is_a_doubt_at_once(tmp_path, monkeypatch, change):
    """Not a reason to read wider and wider windows."""
    text = file_2022([*others(1000), marche("V", VILLARD), *others(2000, 1000)])
    before, after = change
    at = text.index('"id": "V"')
    text = text[:at] + text[at:].replace(before, after, 1)
    path = write(tmp_path / "decp.json", text.encode("utf-8", "surrogateescape"))
    windows = []
    find = prefilter._Scan._find_record

    def counted(self, data, low, hit):
        windows.append(len(data))
        return find(self, data, low, hit)

    monkeypatch.setattr(prefilter._Scan, "_find_record", counted)
    with path.open("rb") as fp:
        assert prefilter.scan(fp, decp.JSON_2022, TERRITORY, min_size=0) is None

    assert max(windows) <= 2 * prefilter.WINDOW


def test_a_buyer_key_written_with_escapes_is_found(tmp_path):
    text = file_2022([*others(10), marche("E", VILLARD), *others(20, 10)])
    text = text.replace(
        '"acheteur": {"id": "21380548400011"}',
        '"ach\\u0065teur": {"id": "21380548400011"}',
    )
    path = write(tmp_path / "decp.json", text)

    found, counts = prefiltered_records(path)

    assert [r[2]["id"] for r in found] == ["E"]
    assert (found, counts) == full_records(path)


def test_a_record_with_two_buyer_keys_is_one_record(tmp_path):
    both = marche("B", OTHERS[0], **{"acheteur.id": VILLARD})
    also = marche("C", VILLARD, **{"acheteur.id": OTHERS[0]})
    path = write(
        tmp_path / "decp.json", file_2022([*others(10), both, also, *others(20, 10)])
    )

    found, counts = prefiltered_records(path)

    assert [r[2]["id"] for r in found] == ["C"]
    assert counts == (22, 21, 0)
    assert (found, counts) == full_records(path)


def test_a_lone_surrogate_is_read_as_yajl_reads_it(tmp_path):
    text = file_2022([marche("U", VILLARD, objet="x")]).replace('"x"', '"a\\ud800b"')
    path = write(tmp_path / "decp.json", text)

    found, _counts = prefiltered_records(path)

    assert found[0][2]["objet"] == "a?b"
    assert found == full_records(path)[0]


def test_concessions_of_2022_and_2019(tmp_path):
    path_2022 = write(
        tmp_path / "2022.json",
        file_2022(
            [*others(10), marche("M", VILLARD)],
            [
                concession("C1", OTHERS[0]),
                concession("C2", ENGINS),
                concession("C3", "213 801 533 00017"),
            ],
        ),
    )
    mixed = [
        *others(5),
        concession("C1", ENGINS),
        marche("M", VILLARD),
        concession("C2", OTHERS[0]),
    ]
    path_2019 = write(tmp_path / "2019.json", json.dumps({"marches": mixed}))

    found_2022, counts_2022 = prefiltered_records(path_2022)
    found_2019, counts_2019 = prefiltered_records(path_2019)

    assert [(r[1], r[2]["id"], r[3]) for r in found_2022] == [
        ("marche", "M", 11),
        ("concession", "C2", 13),
        ("concession", "C3", 14),
    ]
    assert [(r[0], r[1], r[2]["id"]) for r in found_2019] == [
        ("2019", "concession", "C1"),
        ("2019", "marche", "M"),
    ]
    assert (found_2022, counts_2022) == full_records(path_2022)
    assert (found_2019, counts_2019) == full_records(path_2019)


@pytest.mark.parametrize("last", [VILLARD, OTHERS[0]])
def test_a_truncated_file_gets_the_full_parse_and_its_error(tmp_path, last):
    """Cut in the last record, the territory's or another buyer's, right
    after brackets that look like the file's end (``"x"]}`` then ``}``)."""
    whole = file_2022(
        [*others(30), marche("V", VILLARD), marche("L", last, t={"u": ["x"]}, z=1)]
    )
    cut = whole[: whole.rindex('"x"]}') + len('"x"]}')] + "}"
    path = write(tmp_path / "decp.json", cut)
    messages = []
    for on in (False, True):
        with pytest.raises(decp.DecpReadError) as error:
            pipeline(path, prefilter_on=on)
        messages.append(str(error.value))

    assert messages[0] == messages[1]
    assert "stops before its end" in messages[0]
    with path.open("rb") as fp:
        assert prefilter.scan(fp, decp.JSON_2022, TERRITORY, min_size=0) is None


@pytest.mark.parametrize(
    "text",
    [
        # Not the layout's frame: a member after the list, a list before.
        '{"marches": [{"acheteur": {"id": "21380548400011"}}], "x": 1}',
        '{"x": [1], "marches": [{"acheteur": {"id": "21380548400011"}}]}',
        # Concessions before marchés (yielded after them by the full parse).
        '{"marches": {"contrat-concession": [{"autoriteConcedante": {"id": "1"}}],'
        ' "marche": [{"acheteur": {"id": "21380548400011"}}]}}',
        # A NaN between records, a record without buyer key holding a hit.
        '{"marches": [{"acheteur": {"id": "21750001600019"}}, NaN,'
        ' {"acheteur": {"id": "21380548400011"}}]}',
        '{"marches": [{"id": "x", "objet": "NaN"}, {"acheteur": {"id": "2138"}}]}',
        # A number yajl refuses; invalid UTF-8 around a hit.
        '{"marches": [{"acheteur": {"id": "21380548400011"}, "m": 1e999}]}',
        '{"marches": [{"acheteur": {"id": "21380548400011"},'
        ' "m": 9223372036854775808}]}',
        b'{"marches": [{"acheteur": {"id": "21380548400011"}, "o": "\xff"}]}',
    ],
)
def test_in_doubt_the_file_goes_to_the_full_parse(tmp_path, text):
    path = write(tmp_path / "decp.json", text)

    with path.open("rb") as fp:
        assert prefilter.scan(fp, decp.detect_format(fp), TERRITORY, min_size=0) is None


def test_too_many_records_to_parse_go_to_the_full_parse(tmp_path):
    path = write(
        tmp_path / "decp.json", file_2022([marche(f"V{n}", VILLARD) for n in range(50)])
    )

    with sizes(GUARD_MIN=10), path.open("rb") as fp:
        assert prefilter.scan(fp, decp.JSON_2022, TERRITORY, min_size=0) is None


def test_small_files_and_files_in_memory_are_parsed_in_full(tmp_path):
    path = write(tmp_path / "decp.json", file_2022([marche("V", VILLARD)]))

    with path.open("rb") as fp:
        assert prefilter.scan(fp, decp.JSON_2022, TERRITORY) is None  # < MIN_SIZE
    stream = io.BytesIO(path.read_bytes())
    assert prefilter.scan(stream, decp.JSON_2022, TERRITORY, min_size=0) is None


class OtherDescriptor(io.BufferedReader):
    """A reader whose fileno() is another file's."""

    def __init__(self, path: Path, other: Any) -> None:
        super().__init__(io.FileIO(path, "rb"))
        self.other = other

    def fileno(self) -> int:
        return int(self.other.fileno())


def test_the_descriptor_must_hold_the_files_bytes(tmp_path):
    ours = write(tmp_path / "ours.json", file_2022([*others(20), marche("V", VILLARD)]))
    theirs = write(tmp_path / "theirs.json", file_2022(others(30)))

    with theirs.open("rb") as other, OtherDescriptor(ours, other) as fp:
        assert prefilter.scan(fp, decp.JSON_2022, TERRITORY, min_size=0) is None


def test_a_file_whose_descriptor_holds_other_bytes_is_parsed_in_full(tmp_path):
    """A GzipFile's fileno() is the compressed file's."""
    text = file_2022([*others(500), marche("V", VILLARD)])
    with gzip.open(tmp_path / "decp.json.gz", "wb") as out:
        out.write(text.encode())

    with gzip.open(tmp_path / "decp.json.gz", "rb") as fp:
        assert prefilter.scan(fp, decp.JSON_2022, TERRITORY, min_size=0) is None
        report = decp.Report()
        with sizes(MIN_SIZE=0):
            kept = list(decp.read_contracts(fp, decp.BuyerFilter.of([VILLARD]), report))

    assert [c.id for c in kept] == ["V"] and report.read == 501


def test_what_the_prefilter_does_not_see(tmp_path):
    """Records of no buyer or not objects can be no territory contract: the
    full parse lists them as rejections, the pre-filter passes them over
    (module docstring). The contracts kept are the same."""
    items = [
        *others(20),
        {"id": "NB", "objet": "sans acheteur"},
        "text",
        marche("V", VILLARD),
    ]
    path = write(tmp_path / "decp.json", file_2022(items))

    full, full_report, _ = pipeline(path, prefilter_on=False)
    fast, fast_report, taken = pipeline(path, prefilter_on=True)

    assert taken == [True]
    assert fast == full and len(fast) == 1
    assert full_report.rejected_count == 2 and fast_report.rejected_count == 0
    assert (full_report.read, fast_report.read) == (23, 21)


def test_many_territory_buyers_are_one_pattern(tmp_path):
    """A hundred SIRENs (a large territory): the pattern is a trie."""
    rng = random.Random(4)
    sirens = {f"2{rng.randrange(10**7, 10**8)}" for _ in range(100)}
    chosen = sorted(sirens)[::10]
    items = [marche(f"T{n}", siren + "00011") for n, siren in enumerate(chosen)]
    path = write(tmp_path / "decp.json", file_2022([*others(30), *items]))
    buyers = (frozenset(sirens | set(ccmv_sirens())), frozenset())

    found, counts = prefiltered_records(path, buyers)

    assert len(found) == len(chosen)
    assert (found, counts) == full_records(path, buyers)
