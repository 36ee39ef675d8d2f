"""The readers: formats told apart, files read as a stream (memory does not
grow with the file), broken files reported with how far they were read, XML
read without entities or network."""

from __future__ import annotations

import io
import json
import math
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ckanext.opendata_territoire import decp
from ckanext.opendata_territoire.decp import readers
from tests.decp.conftest import (
    EXAMPLES,
)
from tests.decp.library import _library_only  # noqa: F401

MARCHE = {
    "id": "2024-1",
    "acheteur": {"id": "21380548400011"},
    "objet": "Déneigement",
    "montant": 1500.5,
    "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "55204599900869"}}],
}


def records(data: bytes) -> list[readers.RawRecord]:
    return list(decp.read_records(io.BytesIO(data)))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{"marches": [', decp.JSON_2019),
        (b'{"$schema": "x", "marches": {"marche": [', decp.JSON_2022),
        (b"\xef\xbb\xbf  \n<?xml version='1.0'?><marches>", decp.XML),
        (b'\xef\xbb\xbf{"marches": {"contrat-concession": [', decp.JSON_2022),
    ],
)
def test_detect_format(head, expected):
    fp = io.BytesIO(head)

    assert decp.detect_format(fp) == expected
    assert fp.tell() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"uid;montant\n1;2\n", "neither JSON nor XML"),
        (b'{"data": [1, 2]}', 'no "marches"'),
        (b"", "neither JSON nor XML"),
    ],
)
def test_not_decp(data, message):
    with pytest.raises(decp.DecpReadError) as error:
        decp.detect_format(io.BytesIO(data))

    assert message in str(error.value)


def test_2022_json_gives_marches_then_concessions():
    data = (EXAMPLES / "2022-v2" / "marches_concessions.json").read_bytes()

    found = [(r.kind, r.version, r.position) for r in records(data)]

    assert found == [
        ("marche", "2022", 1),
        ("marche", "2022", 2),
        ("concession", "2022", 3),
        ("concession", "2022", 4),
    ]


CONCESSION = {
    "id": "2024-C1",
    "autoriteConcedante": {"id": "21380548400011"},
    "objet": "Délégation du service de l'eau",
    "valeurGlobale": 1500000.0,
}


@pytest.mark.parametrize("where", ["after", "before", "alone"])
@pytest.mark.parametrize("filtered", [False, True])
def test_concessions_are_found_before_or_after_a_long_list_of_marches(where, filtered):
    # 3,000 marchés (about 1 MB, many read buffers) around the concessions.
    marches = [dict(MARCHE, id=f"2024-{n}") for n in range(3000)]
    if where == "alone":
        marches = []
    layout = {"marche": marches, "contrat-concession": [CONCESSION]}
    if where == "before":
        layout = {"contrat-concession": [CONCESSION], "marche": marches}
    data = json.dumps({"marches": layout}).encode()
    buyers = (frozenset({"213805484"}), frozenset()) if filtered else None

    found = list(decp.read_records(io.BytesIO(data), buyers=buyers))

    assert [r.kind for r in found].count("concession") == 1
    assert len(found) == len(marches) + 1


def test_a_file_without_concessions_is_read_once():
    marches = [dict(MARCHE, id=f"2024-{n}") for n in range(3000)]
    data = json.dumps({"marches": {"marche": marches}}).encode()
    source = io.BytesIO(data)
    reads = []
    original = source.read

    def counted(size=-1):
        chunk = original(size)
        reads.append(len(chunk))
        return chunk

    source.read = counted  # type: ignore[method-assign]

    assert len(list(decp.read_records(source))) == 3000
    # One pass over the file (plus its first bytes to tell the format, and its
    # head and tail searched for the concessions' key), not two.
    assert sum(reads) < 1.5 * len(data)


def test_2019_json_tells_concessions_from_marches():
    data = (EXAMPLES / "2019-v1.5.0" / "paquet.json").read_bytes()

    assert [r.kind for r in records(data)] == ["marche", "concession"]


def test_json_numbers_are_floats_not_decimals():
    data = json.dumps({"marches": {"marche": [MARCHE]}}).encode()

    (record,) = records(data)

    assert record.data["montant"] == 1500.5
    assert type(record.data["montant"]) is float


def test_byte_order_mark_is_skipped():
    data = b"\xef\xbb\xbf" + json.dumps({"marches": [MARCHE]}).encode()

    assert [r.data["id"] for r in records(data)] == ["2024-1"]


def test_truncated_json_is_an_error_after_the_complete_records():
    data = json.dumps({"marches": {"marche": [MARCHE, MARCHE, MARCHE]}}).encode()
    truncated = data[: len(data) - 60]
    got = []

    with pytest.raises(decp.DecpReadError) as error:
        for record in decp.read_records(io.BytesIO(truncated)):
            got.append(record)

    assert len(got) == 2
    assert error.value.records == 2
    assert "truncated" in str(error.value)


def test_invalid_json_is_an_error():
    data = b'{"marches": [{"id": "1", "montant": 12,,}]}'

    with pytest.raises(decp.DecpReadError) as error:
        records(data)

    assert "invalid JSON after 0 records" in str(error.value)


def test_truncated_xml_is_an_error_after_the_complete_records():
    data = (EXAMPLES / "2022-v2" / "Marche.xml").read_bytes()
    cut = data.index(b"<marche>", 20) + 200

    got = []
    with pytest.raises(decp.DecpReadError) as error:
        for record in decp.read_records(io.BytesIO(data[:cut])):
            got.append(record)

    assert len(got) == 1
    assert "after 1 records" in str(error.value)


def test_xml_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the content of a local file")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE marches [<!ENTITY leak SYSTEM "file://{secret}">]>
<marches><marche><id>1</id><acheteur><id>21380548400011</id></acheteur>
<objet>before &leak; after</objet><ccag>Travaux</ccag></marche></marches>
""".encode()

    (record,) = records(data)

    assert "content of a local file" not in json.dumps(record.data)
    assert record.data["id"] == "1"


def test_xml_namespaces_and_2019_records():
    data = b"""<marches xmlns="urn:example"><marche><id>201812300</id>
<acheteur><id>21380548400011</id><nom>Villard</nom></acheteur>
<dureeMois>12</dureeMois><montant>1200.50</montant>
<titulaires><titulaire><typeIdentifiant>SIRET</typeIdentifiant>
<id>55204599900869</id><denominationSociale>A</denominationSociale></titulaire>
</titulaires><modifications/></marche></marches>"""

    (record,) = records(data)

    assert record.version == "2019"
    assert record.data["titulaires"] == [
        {"typeIdentifiant": "SIRET", "id": "55204599900869", "denominationSociale": "A"}
    ]
    assert record.data["dureeMois"] == 12
    assert record.data["montant"] == 1200.5
    assert record.data["modifications"] == []


def _big_json(path, contracts: int) -> None:
    with path.open("w") as out:
        out.write('{"marches": {"marche": [')
        for n in range(contracts):
            item = dict(MARCHE, id=f"2024-{n}", objet="Travaux " * 20)
            out.write(("," if n else "") + json.dumps(item))
        out.write("]}}")


def _peak_reading(path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = 0
        with path.open("rb") as fp:
            for _record in decp.read_records(fp):
                count += 1
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(tmp_path):
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    _big_json(small, 2_000)
    _big_json(large, 20_000)

    small_count, small_peak = _peak_reading(small)
    large_count, large_peak = _peak_reading(large)

    assert (small_count, large_count) == (2_000, 20_000)
    assert large.stat().st_size > 5_000_000
    # Ten times the contracts, about the same memory: a stream.
    assert large_peak < 2 * small_peak + 100_000
    assert large_peak < 1_000_000


def test_memory_of_xml_does_not_grow_with_the_file(tmp_path):
    path = tmp_path / "big.xml"
    with path.open("w") as out:
        out.write("<marches>")
        for n in range(20_000):
            out.write(
                f"<marche><id>{n}</id><acheteur><id>21380548400011</id></acheteur>"
                f"<objet>{'Travaux ' * 20}</objet><ccag>Travaux</ccag></marche>"
            )
        out.write("</marches>")

    count, peak = _peak_reading(path)

    assert count == 20_000
    assert peak < 1_000_000


def test_progress_reports_the_bytes_read(tmp_path):
    path = tmp_path / "f.json"
    _big_json(path, 3_000)
    seen: list[int] = []

    with path.open("rb") as fp:
        list(decp.read_records(fp, progress=seen.append))

    assert seen == sorted(seen)
    assert seen[-1] == path.stat().st_size


# JSON as pandas and Python's json.dump write it: bare NaN and Infinity.


def test_bare_nan_and_infinity_are_read_as_null_and_counted():
    marche = dict(MARCHE, objet='Étude "NaN" et Infinity', id="2024-2")
    text = json.dumps({"marches": {"marche": [MARCHE, marche]}}, ensure_ascii=False)
    text = text.replace('"montant": 1500.5', '"montant": NaN', 1)
    text = text.replace('"montant": 1500.5', '"montant": -Infinity', 1)
    text = text.replace('"id": "2024-1",', '"id": "2024-1", "dureeMois": Infinity,')
    stats = readers.ReadStats()

    found = list(decp.read_records(io.BytesIO(text.encode()), stats=stats))

    assert [r.data["montant"] for r in found] == [None, None]
    assert found[0].data["dureeMois"] is None
    # Inside a string, the words are text and stay.
    assert found[1].data["objet"] == 'Étude "NaN" et Infinity'
    assert stats.non_finite == 3


def test_a_file_without_them_is_read_as_before():
    data = json.dumps({"marches": {"marche": [MARCHE]}}).encode()
    stats = readers.ReadStats()

    assert [r.data for r in decp.read_records(io.BytesIO(data), stats=stats)] == [
        MARCHE
    ]
    assert stats.non_finite == 0


class Trickle(io.RawIOBase):
    """A file that gives at most ``step`` bytes a read: every token and
    string is cut somewhere by a chunk's end."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.at = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self.step if size is None or size < 0 else min(size, self.step)
        chunk = self.data[self.at : self.at + size]
        self.at += len(chunk)
        return chunk


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.sampled_from('NaInfity-"\\\\ é{}[],:'), max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(alphabet='NaInfity"\\\\é', max_size=6), inner, max_size=4
        )
    ),
    max_leaves=12,
)


def finite(value):
    """What a JSON reader must give for a value json.dump wrote."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    return value


@settings(max_examples=150, deadline=None)
@given(value=values, step=st.integers(1, 7))
def test_whatever_json_dump_writes_reads_as_its_finite_values(value, step):
    """Strings holding NaN, quotes and backslashes, tokens cut anywhere: the
    strings come back whole, every bare NaN or Infinity as null."""
    text = json.dumps(value, ensure_ascii=False).encode()
    stats = readers.ReadStats()
    reader = readers.NonFiniteReader(readers.CountingReader(Trickle(text, step)), stats)

    read = json.loads(reader.read())

    assert read == finite(value)
    assert stats.non_finite == text.count(b"NaN") + text.count(b"Infinity") - sum(
        s.count("NaN") + s.count("Infinity") for s in strings_of(value)
    )


def strings_of(value):
    if isinstance(value, str):
        yield json.dumps(value, ensure_ascii=False)
    elif isinstance(value, list):
        for item in value:
            yield from strings_of(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield json.dumps(key, ensure_ascii=False)
            yield from strings_of(item)
