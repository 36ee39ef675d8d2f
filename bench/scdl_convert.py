"""Benchmark of "Mettre au format national" (scdl_convert/) on a large
spreadsheet: a town hall's délibérations over many years, with the defects
of the test fixtures (French headers, dates written 03/12/2025 or as date
cells, codes with a comma, stray spaces, no commune columns).

    .dev/venv/bin/python bench/scdl_convert.py [--rows 50000] [--ods-rows 10000]

Written in a temporary folder: an XLSX file of --rows rows, the same rows as
CSV, and an ODS file of --ods-rows rows (ezodf builds ODS files in memory:
slow to write, the reader too). For each: the time to read the header and
sample and recognise the schema (what the first page waits for), to propose
the mapping, then the conversion itself (reading every row, converting,
writing the CSV: what the background job does, progress reported every
1,000 rows), the validation of the result with frictionless
(quality/validation.py) and the personal-data guard on its first rows; rows
per second and the peak memory (RSS) of the process.

Needs no services (the conversion's functions are pure; the job adds only
database writes of the progress).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

import ezodf
import openpyxl

from ckanext.opendata_territoire.quality import guard, validation
from ckanext.opendata_territoire.scdl_convert import (
    convert,
    mapping,
    read,
    recognise,
    schemas,
)

# As in tests/scdl_convert/fixtures/make.py.
OBJETS = [
    "Approbation du compte administratif",
    " Subvention à l'association Ski Club Engins ",
    "Travaux de voirie  chemin des Pins",
    "Tarifs de location de la salle des fêtes",
]
MATIERES = [
    ("7,1", "Finances locales/Décisions budgétaires"),
    ("8.4", "Domaines de compétences par thèmes/Aménagement du territoire"),
    ("1.4", "Commande publique/Autres types de contrats"),
]

ENGINS = {"title": "Engins", "siret": "21380153300018", "insee_code": "38153"}
HEADER = [
    "N° délibération",
    "Date de la séance",
    "Objet",
    "Code matière",
    "Matière",
    "Membres en exercice",
    "Votants",
    "Pour",
    "Contre",
    "Abstentions",
    "Transmis en préfecture le",
    "Lien",
]


def row(i: int) -> list[object]:
    day = dt.date(2000, 1, 1) + dt.timedelta(days=i % 9000)
    code, matiere = MATIERES[i % len(MATIERES)]
    return [
        f"D{i:06d}",
        day if i % 2 else day.strftime("%d/%m/%Y"),
        OBJETS[i % len(OBJETS)],
        code,
        matiere,
        15,
        14 - i % 3,
        12 - i % 3,
        i % 2,
        2 - i % 2,
        (day + dt.timedelta(days=2)).strftime("%d/%m/%Y "),
        f"https://www.engins.fr/deliberations/D{i:06d}.pdf",
    ]


def write_xlsx(path: Path, rows: int) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Feuille1")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append(row(i))
    book.save(path)


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(";".join(HEADER) + "\n")
        for i in range(rows):
            out.write(";".join(read.cell_text(c) for c in row(i)) + "\n")


def write_ods(path: Path, rows: int) -> None:
    document = ezodf.newdoc(doctype="ods", filename=str(path))
    sheet = ezodf.Sheet("Feuille1", size=(rows + 1, len(HEADER)))
    document.sheets += sheet
    for column, label in enumerate(HEADER):
        sheet[0, column].set_value(label)
    for line in range(rows):
        for column, value in enumerate(row(line)):
            if isinstance(value, dt.date):
                sheet[line + 1, column].set_value(value.isoformat(), value_type="date")
            else:
                sheet[line + 1, column].set_value(value)
    document.backup = False
    document.save()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path) -> dict[str, float]:
    form = read.file_format(path.name)
    schema = schemas.get("scdl/deliberations")
    assert schema is not None
    started = time.perf_counter()
    table = read.sample(str(path), form)
    ranked = recognise.recognise(table.header, table.sample, schemas.descriptors())
    recognised = time.perf_counter() - started
    assert ranked[0].name == schema.name, ranked[0].name
    started = time.perf_counter()
    proposal = mapping.propose(
        table.header, table.sample, schema.descriptor, schema.name, ENGINS
    )
    proposed = time.perf_counter() - started
    out_path = path.with_suffix(".converted.csv")
    progress_calls = []
    started = time.perf_counter()
    found = read.rows(str(path), form)
    header = read.header_of(next(found))
    with out_path.open("w", encoding="utf-8", newline="") as out:
        report = convert.convert(
            header,
            found,
            schema.descriptor,
            proposal.mapping,
            out,
            progress_calls.append,
        )
    converted = time.perf_counter() - started
    started = time.perf_counter()
    checked = validation.validate_table(str(out_path), schema.descriptor, "utf-8", ",")
    validated = time.perf_counter() - started
    started = time.perf_counter()
    head = out_path.read_bytes()[:2_000_000].decode("utf-8")
    lines = [line.split(",") for line in head.splitlines()[:1001]]
    guard.inspect(lines[0], lines[1:])
    guarded = time.perf_counter() - started
    return {
        "rows": report.rows,
        "size_mb": path.stat().st_size / 1e6,
        "recognise_s": recognised,
        "propose_s": proposed,
        "convert_s": converted,
        "rows_per_s": report.rows / converted,
        "changes": sum(report.changes.values()),
        "problems": report.problem_count,
        "progress_calls": len(progress_calls),
        "validate_s": validated,
        "valid": checked["valid"],
        "guard_s": guarded,
        "peak_rss_mb": peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--ods-rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scdl-") as folder:
        base = Path(folder)
        files = []
        for name, writer, rows in (
            ("deliberations.xlsx", write_xlsx, args.rows),
            ("deliberations.csv", write_csv, args.rows),
            ("deliberations.ods", write_ods, args.ods_rows),
        ):
            started = time.perf_counter()
            writer(base / name, rows)
            print(f"wrote {name}: {rows} rows in {time.perf_counter() - started:.1f} s")
            files.append(base / name)
        print(
            "| file | rows | MB | recognise | propose | convert | rows/s | changes "
            "| problems | validate | guard | valid | peak RSS |"
        )
        print("| --- " * 13 + "|")
        for path in files:
            m = measure(path)
            print(
                f"| {path.suffix[1:]} | {m['rows']:,} | {m['size_mb']:.1f} "
                f"| {m['recognise_s']:.2f} s | {m['propose_s'] * 1000:.0f} ms "
                f"| {m['convert_s']:.1f} s | {m['rows_per_s']:,.0f} "
                f"| {m['changes']:,} | {m['problems']} | {m['validate_s']:.1f} s "
                f"| {m['guard_s'] * 1000:.0f} ms | {m['valid']} "
                f"| {m['peak_rss_mb']:.0f} MB |"
            )


if __name__ == "__main__":
    main()
