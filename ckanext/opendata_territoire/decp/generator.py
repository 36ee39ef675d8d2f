"""Realistic DECP files, made by the project for its tests and benchmarks.

National consolidated files mix a territory's few buyers with thousands of
others, and carry the defects the cleaning rules mend (``cleaning.py``). This
writes such files in every layout the readers take (2019 JSON, 2022 JSON,
2022 XML), compact or pretty-printed, of a number of contracts or of a size,
streamed (a file of several GB costs no memory), and returns what a correct
reader must find: contracts per territory buyer, their current amounts,
duplicates, and the contracts each cleaning rule must mend.

    python -m ckanext.opendata_territoire.decp.generator --format 2022 \\
        --contracts 5000 --dirty 0.05 -o decp.json --stats

The same seed gives the same file. Identifiers are valid (Luhn, by
python-stdnum) unless a defect says otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any
from xml.sax.saxutils import escape

from stdnum import luhn

from ckanext.opendata_territoire.decp import formats as f

# The demo territory: the CCMV and its six communes (SIREN, name, INSEE code).
CCMV = (
    ("243801024", "Communauté de Communes du Massif du Vercors", "38548"),
    ("213805484", "Commune de Villard-de-Lans", "38548"),
    ("200056224", "Commune d'Autrans-Méaudre en Vercors", "38225"),
    ("213802051", "Commune de Lans-en-Vercors", "38205"),
    ("213804339", "Commune de Saint-Nizier-du-Moucherotte", "38433"),
    ("213801533", "Commune d'Engins", "38153"),
    ("213801293", "Commune de Corrençon-en-Vercors", "38129"),
)

LAYOUTS = ("json-2019", "json-2022", "xml")
# Each defect, as the cleaning rule that must mend it (None: a duplicate,
# which is counted apart). Not every layout can carry every defect.
DEFECTS = {
    "flat_buyer_id": ("json-2019", "json-2022"),
    "nested_titulaires": ("json-2019",),
    "not_communicated": LAYOUTS,
    "bad_date": LAYOUTS,
    "absurd_amount": LAYOUTS,
    "siret_spaces": LAYOUTS,
    "enumeration": LAYOUTS,
    "duplicate": LAYOUTS,
}

OBJECTS = (
    "Déneigement des voiries communales",
    "Travaux de voirie",
    "Entretien des espaces verts",
    "Restauration scolaire",
    "Transport scolaire",
    "Maîtrise d'œuvre de la rénovation de l'école",
    "Fourniture de matériel informatique",
    "Nettoyage des locaux communaux",
    "Collecte des ordures ménagères",
    "Rénovation énergétique de la mairie",
    "Aménagement du front de neige",
    "Fourniture de sel de déneigement",
    "Assurance dommages aux biens",
    "Travaux d'assainissement",
    "Éclairage public",
    "Balisage des sentiers de randonnée",
)
CPV = (
    "45233140",
    "45210000",
    "45310000",
    "45453000",
    "71000000",
    "71320000",
    "72000000",
    "77310000",
    "79340000",
    "80500000",
    "90500000",
    "90620000",
    "09310000",
    "15800000",
    "30213000",
    "34144000",
    "44100000",
    "55520000",
    "60130000",
    "66510000",
)
PROCEDURES = (
    "Procédure adaptée",
    "Procédure adaptée",
    "Appel d'offres ouvert",
    "Appel d'offres restreint",
    "Procédure avec négociation",
    "Dialogue compétitif",
)
PROCEDURES_2022 = (
    *PROCEDURES[:3],
    "Marché passé sans publicité ni mise en concurrence préalable",
)
NATURES_2019 = ("Marché", "Marché", "Accord-cadre", "Marché subséquent")
DEPARTEMENTS = ("38", "73", "26", "69", "75", "13", "33", "59", "35", "44", "67")
FIRM_WORDS = (
    "Alpes",
    "Vercors",
    "Dauphiné",
    "Services",
    "Travaux",
    "Bois",
    "Neige",
    "Environnement",
    "Restauration",
    "Informatique",
    "Conseil",
)


def _siren(rng: random.Random, prefix: str = "") -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(8 - len(prefix)))
    return body + luhn.calc_check_digit(body)


def siret_of(siren: str, rng: random.Random) -> str:
    """A SIRET of ``siren`` whose check digit is valid."""
    body = siren + f"{rng.randrange(1, 9999):04d}"
    return body + luhn.calc_check_digit(body)


@dataclass(frozen=True)
class Body:
    siret: str
    name: str
    commune: str
    in_territory: bool = False
    category: str | None = None  # a firm's size: PME, ETI, GE


@dataclass
class Truth:
    """What a correct reader finds in the file (restricted to the territory's
    buyers where the name says so)."""

    layout: str
    records: int = 0  # records written, duplicates included
    contracts: int = 0  # distinct contracts
    duplicates: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    territory_contracts: int = 0
    territory_by_buyer: Counter[str] = field(default_factory=Counter)  # SIRET
    territory_amount_by_buyer: dict[str, float] = field(default_factory=dict)
    bytes: int = 0
    # The tabular layout: rows written, the territory's awards (one per
    # contract and current titulaire) and those to a PME.
    rows: int = 0
    territory_awards: int = 0
    territory_awards_to_pme: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "layout": self.layout,
            "records": self.records,
            "contracts": self.contracts,
            "duplicates": self.duplicates,
            "rules": dict(sorted(self.rules.items())),
            "territory_contracts": self.territory_contracts,
            "territory_by_buyer": dict(sorted(self.territory_by_buyer.items())),
            "territory_amount_by_buyer": dict(
                sorted(self.territory_amount_by_buyer.items())
            ),
            "bytes": self.bytes,
            "rows": self.rows,
            "territory_awards": self.territory_awards,
            "territory_awards_to_pme": self.territory_awards_to_pme,
        }


class World:
    """The buyers and firms every contract of a file draws from."""

    def __init__(
        self,
        rng: random.Random,
        territory: Sequence[tuple[str, str, str]],
        buyers: int,
        firms: int,
    ) -> None:
        self.territory = [
            Body(siret_of(siren, rng), name, commune, True)
            for siren, name, commune in territory
        ]
        self.others = []
        for number in range(buyers):
            departement = rng.choice(DEPARTEMENTS)
            self.others.append(
                Body(
                    siret_of(_siren(rng, "21"), rng),
                    f"Commune n° {number}",
                    f"{departement}{rng.randrange(1, 600):03d}",
                )
            )
        local = [commune for _s, _n, commune in territory]
        self.firms = [
            Body(
                siret_of(_siren(rng), rng),
                f"{rng.choice(FIRM_WORDS)} {rng.choice(FIRM_WORDS)} {number}",
                rng.choice(local)
                if rng.random() < 0.3
                else f"{rng.choice(DEPARTEMENTS)}{rng.randrange(1, 600):03d}",
                category=rng.choices(("PME", "ETI", "GE"), weights=(85, 10, 5))[0],
            )
            for number in range(firms)
        ]

    def firms_lookup(self) -> dict[str, dict[str, str | None]]:
        """Each firm's establishment commune and size category, by SIRET: the
        shape of a SIRENE lookup (the demo's register of firms)."""
        return {
            firm.siret: {
                "nom": firm.name,
                "commune": firm.commune,
                "categorie": firm.category,
            }
            for firm in self.firms
        }


class Generator:
    def __init__(
        self,
        layout: str = "json-2022",
        seed: int = 6,
        dirty: float = 0.0,
        territory_share: float = 0.01,
        territory: Sequence[tuple[str, str, str]] = CCMV,
        buyers: int = 2000,
        firms: int = 10000,
        pretty: bool = False,
    ) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"layout {layout!r}: one of {', '.join(LAYOUTS)}")
        self.layout = layout
        self.version = f.V2019 if layout == "json-2019" else f.V2022
        self.rng = random.Random(seed)
        self.dirty = dirty
        self.territory_share = territory_share
        self.world = World(self.rng, territory, buyers, firms)
        self.pretty = pretty
        self.defects = [d for d, layouts in DEFECTS.items() if layout in layouts]

    # One contract

    def _buyer(self) -> Body:
        if self.rng.random() < self.territory_share:
            return self.rng.choice(self.world.territory)
        return self.rng.choice(self.world.others)

    def _date(self, year: int) -> str:
        return f"{year}-{self.rng.randrange(1, 13):02d}-{self.rng.randrange(1, 29):02d}"

    def contract(
        self, number: int, buyer: Body | None = None
    ) -> tuple[dict[str, Any], Body, float]:
        """A clean contract in the layout's version, its buyer (``buyer``, else
        drawn) and its current amount (modifications applied)."""
        rng = self.rng
        buyer = buyer or self._buyer()
        year = rng.randrange(2019, 2026)
        notified = self._date(year)
        amount = round(rng.lognormvariate(10.5, 1.2), 2)
        holders = [
            rng.choice(self.world.firms) for _ in range(rng.choice((1, 1, 1, 2)))
        ]
        record: dict[str, Any] = {
            "id": f"{year}{number:08d}",
            "acheteur": {"id": buyer.siret},
            "objet": rng.choice(OBJECTS),
            "codeCPV": rng.choice(CPV),
            "lieuExecution": {"code": buyer.commune, "typeCode": "Code commune"},
            "dureeMois": rng.choice((1, 3, 6, 12, 24, 36, 48)),
            "dateNotification": notified,
            "datePublicationDonnees": notified,
            "montant": amount,
        }
        if self.version == f.V2019:
            record["acheteur"]["nom"] = buyer.name
            record["lieuExecution"]["nom"] = buyer.name
            record.update(
                nature=rng.choice(NATURES_2019),
                procedure=rng.choice(PROCEDURES),
                formePrix=rng.choice(("Ferme", "Ferme et actualisable", "Révisable")),
                titulaires=[
                    {
                        "typeIdentifiant": "SIRET",
                        "id": firm.siret,
                        "denominationSociale": firm.name,
                    }
                    for firm in holders
                ],
                modifications=[],
            )
        else:
            record.update(
                nature="Marché",
                procedure=rng.choice(PROCEDURES_2022),
                techniques={"technique": [rng.choice(("Sans objet", "Accord-cadre"))]},
                modalitesExecution={
                    "modaliteExecution": [
                        rng.choice(("Sans objet", "Tranches", "Bons de commande"))
                    ]
                },
                marcheInnovant=False,
                ccag=rng.choice(("Travaux", "Fournitures courantes et services")),
                offresRecues=rng.choice((1, 1, 2, 3, 4, 6)),
                attributionAvance=False,
                typeGroupementOperateurs="Pas de groupement",
                sousTraitanceDeclaree=False,
                formePrix=rng.choice(("Unitaire", "Forfaitaire", "Mixte")),
                typesPrix={"typePrix": ["Définitif ferme"]},
                considerationsSociales={
                    "considerationSociale": ["Pas de considération sociale"]
                },
                considerationsEnvironnementales={
                    "considerationEnvironnementale": [
                        "Pas de considération environnementale"
                    ]
                },
                titulaires=[
                    {"titulaire": {"typeIdentifiant": "SIRET", "id": firm.siret}}
                    for firm in holders
                ],
            )
            if rng.random() < 0.1:  # an amendment raises the amount
                amount = round(amount * rng.uniform(1.02, 1.3), 2)
                later = min(year + 1, 2025)
                record["modifications"] = [
                    {
                        "modification": {
                            "id": 1,
                            "montant": amount,
                            "dateNotificationModification": f"{later}-06-15",
                            "datePublicationDonneesModification": f"{later}-06-20",
                        }
                    }
                ]
        return record, buyer, amount

    def _spoil(self, record: dict[str, Any], defect: str) -> bool:
        """Gives ``record`` the defect; False when the record cannot carry
        it (then it stays clean)."""
        rng = self.rng
        if defect == "flat_buyer_id":
            record["acheteur.id"] = record.pop("acheteur")["id"]
        elif defect == "nested_titulaires":
            record["titulaires"] = [record["titulaires"]]
        elif defect == "not_communicated":
            record["dureeMois"] = "NC"
        elif defect == "bad_date":
            record["dateNotification"] = rng.choice(("0222-04-29", "5021-02-18"))
        elif defect == "absurd_amount":
            record["montant"] = 1.0e17
            record.pop("modifications", None)
        elif defect == "siret_spaces":
            holder = record["titulaires"][0]
            holder = holder.get("titulaire", holder)
            siret = holder["id"]
            holder["id"] = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
        elif defect == "enumeration":
            record["procedure"] = record["procedure"].lower()
        else:
            return False
        return True

    def records(self) -> Iterator[tuple[dict[str, Any], Body, float, str | None]]:
        """Endless records: (record, buyer, current amount, defect)."""
        number = 0
        previous: tuple[dict[str, Any], Body, float] | None = None
        while True:
            defect = None
            if self.dirty and self.rng.random() < self.dirty:
                defect = self.rng.choice(self.defects)
            if defect == "duplicate" and previous is not None:
                yield previous[0], previous[1], previous[2], "duplicate"
                continue
            record, buyer, amount = self.contract(number)
            number += 1
            if defect is not None and defect != "duplicate":
                if not self._spoil(record, defect):
                    defect = None
                elif defect == "absurd_amount":
                    amount = 0.0
            previous = (record, buyer, amount)
            yield record, buyer, amount, defect if defect != "duplicate" else None

    # A file

    def write(
        self, out: IO[bytes], contracts: int | None = None, size: int | None = None
    ) -> Truth:
        """Writes records until ``contracts`` distinct contracts, or ``size``
        bytes, are written; returns what a reader must find."""
        if contracts is None and size is None:
            raise ValueError("give a number of contracts or a size")
        truth = Truth(layout=self.layout)
        writer = _LAYOUT_WRITERS[self.layout](out, self.pretty)
        writer.start()
        for record, buyer, amount, defect in self.records():
            if contracts is not None and truth.contracts >= contracts:
                break
            if size is not None and writer.written >= size:
                break
            writer.record(record)
            truth.records += 1
            if defect == "duplicate":
                truth.duplicates += 1
                continue
            truth.contracts += 1
            if defect is not None:
                truth.rules[defect] += 1
            if buyer.in_territory:
                truth.territory_contracts += 1
                truth.territory_by_buyer[buyer.siret] += 1
                total = truth.territory_amount_by_buyer.get(buyer.siret, 0.0)
                truth.territory_amount_by_buyer[buyer.siret] = round(total + amount, 2)
        writer.end()
        truth.bytes = writer.written
        return truth


# The tabular consolidation (decp-processing): one row per contract,
# titulaire and modification, sorted by uid as decp-processing sorts it, with
# the SIRENE fields joined. Defects: a titulaire SIRENE does not know (empty
# category, commune and distance), or a contract amended (its initial rows no
# longer current).
TABULAR_LAYOUTS = ("tabular-csv", "tabular-parquet")
TABULAR_DEFECTS = ("unknown_category", "modification")
# decp-processing's Parquet is written by polars; these row groups are
# pyarrow's (the file of ``gen_decp.py`` has the same size).
ROW_GROUP_ROWS = 100_000


class TabularGenerator(Generator):
    """Files of the tabular consolidation, CSV or Parquet (written with
    pyarrow, typed as its Table Schema says), of a number of contracts."""

    def __init__(self, layout: str = "tabular-parquet", **options: Any) -> None:
        if layout not in TABULAR_LAYOUTS:
            raise ValueError(f"layout {layout!r}: one of {', '.join(TABULAR_LAYOUTS)}")
        super().__init__("json-2022", **options)
        self.layout = layout
        self.defects = list(TABULAR_DEFECTS)
        self.categories = {firm.siret: firm for firm in self.world.firms}

    def write_file(
        self, path: str, contracts: int, row_group_rows: int = ROW_GROUP_ROWS
    ) -> Truth:
        from ckanext.opendata_territoire.decp.tabular import COLUMNS

        truth = Truth(layout=self.layout)
        # Buyers drawn first, then each buyer's contracts written in uid
        # order, buyers in SIRET order: the file is sorted by uid.
        counts: Counter[Body] = Counter(self._buyer() for _ in range(contracts))
        sink = _TabularSink(
            path, self.layout == "tabular-parquet", COLUMNS, row_group_rows
        )
        number = 0
        for buyer in sorted(counts, key=lambda body: body.siret):
            made = []
            for _ in range(counts[buyer]):
                made.append(self.contract(number, buyer))
                number += 1
            made.sort(key=lambda item: item[0]["id"])
            for record, _buyer, amount in made:
                defect = None
                if self.dirty and self.rng.random() < self.dirty:
                    defect = self.rng.choice(self.defects)
                rows, amount, categories = self.tabular_rows(
                    record, buyer, amount, defect
                )
                sink.write(rows)
                truth.records += 1
                truth.contracts += 1
                truth.rows += len(rows)
                if defect is not None:
                    truth.rules[defect] += 1
                if buyer.in_territory:
                    truth.territory_contracts += 1
                    truth.territory_by_buyer[buyer.siret] += 1
                    total = truth.territory_amount_by_buyer.get(buyer.siret, 0.0)
                    truth.territory_amount_by_buyer[buyer.siret] = round(
                        total + amount, 2
                    )
                    truth.territory_awards += len(categories)
                    truth.territory_awards_to_pme += categories.count("PME")
        truth.bytes = sink.close()
        return truth

    def tabular_rows(
        self, record: dict[str, Any], buyer: Body, amount: float, defect: str | None
    ) -> tuple[list[dict[str, Any]], float, list[str | None]]:
        """The rows of one contract, its current amount and its titulaires'
        categories as a reader must find them."""
        rng = self.rng
        modified = record.get("modifications")
        if defect == "modification" and not modified:
            amount = round(amount * rng.uniform(1.02, 1.3), 2)
            modified = [{"modification": {"montant": amount}}]
        base = {
            "uid": buyer.siret + record["id"],
            "id": record["id"],
            "nature": record["nature"],
            "acheteur_id": int(buyer.siret),
            "acheteur_nom": buyer.name,
            "objet": record["objet"],
            "type": "Travaux" if record["codeCPV"].startswith("45") else "Services",
            "codeCPV": record["codeCPV"],
            "procedure": record["procedure"],
            "techniques": record["techniques"]["technique"][0],
            "dureeMois": record["dureeMois"],
            "offresRecues": record["offresRecues"],
            "dateNotification": record["dateNotification"],
            "datePublicationDonnees": record["datePublicationDonnees"],
            "formePrix": record["formePrix"],
            "typesPrix": "Définitif ferme",
            "attributionAvance": False,
            "marcheInnovant": False,
            "modalitesExecution": record["modalitesExecution"]["modaliteExecution"][0],
            "considerationsSociales": "Pas de considération sociale",
            "considerationsEnvironnementales": "Pas de considération environnementale",
            "ccag": record["ccag"],
            "sousTraitanceDeclaree": False,
            "typeGroupementOperateurs": "Pas de groupement",
            "lieuExecution_code": int(buyer.commune)
            if buyer.commune.isdigit()
            else None,
            "lieuExecution_typeCode": "Code commune",
            "acheteur_categorie": "Groupement de communes"
            if buyer.siret.startswith("2438")
            else "Commune",
            "acheteur_commune_code": buyer.commune,
            "acheteur_commune_nom": buyer.name.replace("Commune de ", ""),
            "acheteur_departement_code": buyer.commune[:2],
            "acheteur_latitude": round(rng.uniform(43.0, 50.5), 5),
            "acheteur_longitude": round(rng.uniform(-1.5, 7.5), 5),
            "sourceDataset": "generated",
            "sourceFile": "https://example.invalid/decp.json",
        }
        versions = [(0, record["montant"], not modified)]
        if modified:
            versions.append((1, amount, True))
        rows, categories = [], []
        for item in record["titulaires"]:
            firm = self.categories[item["titulaire"]["id"]]
            if defect == "unknown_category":
                place: dict[str, Any] = {}
            else:
                local = firm.commune in {b.commune for b in self.world.territory}
                place = {
                    "titulaire_categorie": firm.category,
                    "titulaire_commune_code": firm.commune,
                    "titulaire_departement_code": firm.commune[:2],
                    "titulaire_distance": rng.randrange(0, 25)
                    if local
                    else rng.randrange(30, 900),
                    "titulaire_latitude": round(rng.uniform(43.0, 50.5), 5),
                    "titulaire_longitude": round(rng.uniform(-1.5, 7.5), 5),
                }
            categories.append(place.get("titulaire_categorie"))
            for modification_id, montant, current in versions:
                rows.append(
                    {
                        **base,
                        **place,
                        "titulaire_id": int(firm.siret),
                        "titulaire_typeIdentifiant": "SIRET",
                        "titulaire_nom": firm.name,
                        "montant": montant,
                        "modification_id": modification_id,
                        "donneesActuelles": current,
                    }
                )
        return rows, amount, categories


class _TabularSink:
    """Rows into a CSV file, or a Parquet file typed as the Table Schema."""

    def __init__(
        self, path: str, parquet: bool, columns: dict[str, str], row_group_rows: int
    ) -> None:
        self.path, self.parquet, self.columns = path, parquet, columns
        self.row_group_rows = row_group_rows
        self.batch: list[dict[str, Any]] = []
        if parquet:
            import pyarrow as pa
            import pyarrow.parquet as pq

            types = {
                "integer": pa.int64(),
                "number": pa.float64(),
                "boolean": pa.bool_(),
                "date": pa.date32(),
                "string": pa.string(),
            }
            self.schema = pa.schema([(n, types[t]) for n, t in columns.items()])
            self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        else:
            import csv

            self.out = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed by close())
            self.csv = csv.DictWriter(self.out, fieldnames=list(columns))
            self.csv.writeheader()

    def write(self, rows: list[dict[str, Any]]) -> None:
        if not self.parquet:
            self.csv.writerows(
                {k: _csv_cell(v) for k, v in row.items()} for row in rows
            )
            return
        self.batch.extend(rows)
        if len(self.batch) >= self.row_group_rows:
            self._flush()

    def _flush(self) -> None:
        import datetime as dt

        import pyarrow as pa

        if not self.batch:
            return
        data = {}
        for name, kind in self.columns.items():
            values = [row.get(name) for row in self.batch]
            if kind == "date":
                values = [dt.date.fromisoformat(v) if v else None for v in values]
            data[name] = values
        self.writer.write_table(
            pa.table(data, schema=self.schema), row_group_size=self.row_group_rows
        )
        self.batch = []

    def close(self) -> int:
        import os

        if self.parquet:
            self._flush()
            self.writer.close()
        else:
            self.out.close()
        return os.path.getsize(self.path)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


class _Writer:
    def __init__(self, out: IO[bytes], pretty: bool) -> None:
        self.out = out
        self.pretty = pretty
        self.written = 0
        self.count = 0

    def put(self, text: str) -> None:
        data = text.encode("utf-8")
        self.out.write(data)
        self.written += len(data)

    def start(self) -> None:
        raise NotImplementedError

    def record(self, record: dict[str, Any]) -> None:
        raise NotImplementedError

    def end(self) -> None:
        raise NotImplementedError


class _JsonWriter(_Writer):
    opening = ""
    closing = ""

    def start(self) -> None:
        self.put(self.opening)

    def record(self, record: dict[str, Any]) -> None:
        text = json.dumps(record, ensure_ascii=False, indent=2 if self.pretty else None)
        self.put(("," if self.count else "") + "\n" + text)
        self.count += 1

    def end(self) -> None:
        self.put("\n" + self.closing)


class _Json2019(_JsonWriter):
    opening = '{"marches": ['
    closing = "]}\n"


class _Json2022(_JsonWriter):
    opening = '{"marches": {"marche": ['
    closing = "]}}\n"


class _Xml2022(_Writer):
    def start(self) -> None:
        self.put('<?xml version="1.0" encoding="UTF-8"?>\n<marches>')

    def record(self, record: dict[str, Any]) -> None:
        self.put("\n" + _element("marche", record, "  " if self.pretty else None, 0))
        self.count += 1

    def end(self) -> None:
        self.put("\n</marches>\n")


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _element(name: str, value: Any, indent: str | None, depth: int) -> str:
    """``value`` as the element ``name`` in the 2022 XML layout: an object's
    keys are children, a list repeats its items (the JSON layout wraps each
    in an object named after the element, as XML does)."""
    pad, inner = ("", "") if indent is None else ("\n" + indent * depth, indent)
    if isinstance(value, dict):
        children = []
        for key, item in value.items():
            if isinstance(item, list):
                children.append(_list(key, item, indent, depth + 1))
            else:
                children.append(_element(key, item, indent, depth + 1))
        close = "" if indent is None else "\n" + inner * depth
        return f"{pad}<{name}>{''.join(children)}{close}</{name}>"
    return f"{pad}<{name}>{_xml_text(value)}</{name}>"


def _list(name: str, items: list[Any], indent: str | None, depth: int) -> str:
    pad = "" if indent is None else "\n" + indent * depth
    if all(isinstance(i, dict) and len(i) == 1 for i in items) and items:
        inner = "".join(
            _element(key, value, indent, depth + 1)
            for item in items
            for key, value in item.items()
        )
        close = "" if indent is None else pad
        return f"{pad}<{name}>{inner}{close}</{name}>"
    if not items:
        return f"{pad}<{name}/>"
    return "".join(_element(name, item, indent, depth) for item in items)


_LAYOUT_WRITERS: dict[str, type[_Writer]] = {
    "json-2019": _Json2019,
    "json-2022": _Json2022,
    "xml": _Xml2022,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--format", choices=(*LAYOUTS, *TABULAR_LAYOUTS), default="json-2022"
    )
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--contracts", type=int, help="distinct contracts to write")
    size.add_argument("--size-mb", type=float, help="size of the file to write")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--dirty", type=float, default=0.0, help="share of contracts with a defect"
    )
    parser.add_argument(
        "--territory-share",
        type=float,
        default=0.01,
        help="share of contracts bought by the territory (the CCMV)",
    )
    parser.add_argument("--buyers", type=int, default=2000, help="buyers elsewhere")
    parser.add_argument("--firms", type=int, default=10000, help="titulaires")
    parser.add_argument(
        "--firms-out", help="write each firm's commune and size category (JSON)"
    )
    parser.add_argument("--pretty", action="store_true", help="indented JSON or XML")
    parser.add_argument(
        "--stats", action="store_true", help="print what a reader must find (JSON)"
    )
    parser.add_argument(
        "--row-group-rows",
        type=int,
        default=ROW_GROUP_ROWS,
        help="rows per Parquet row group (tabular-parquet)",
    )
    args = parser.parse_args(argv)
    if args.format in TABULAR_LAYOUTS:
        if args.contracts is None:
            parser.error("the tabular layouts take --contracts, not --size-mb")
        tabular = TabularGenerator(
            args.format,
            seed=args.seed,
            dirty=args.dirty,
            territory_share=args.territory_share,
            buyers=args.buyers,
            firms=args.firms,
        )
        truth = tabular.write_file(args.output, args.contracts, args.row_group_rows)
        if args.stats:
            print(json.dumps(truth.as_dict(), ensure_ascii=False, indent=1))
        return 0
    generator = Generator(
        args.format,
        seed=args.seed,
        dirty=args.dirty,
        territory_share=args.territory_share,
        buyers=args.buyers,
        firms=args.firms,
        pretty=args.pretty,
    )
    with open(args.output, "wb") as out:
        truth = generator.write(
            out,
            contracts=args.contracts,
            size=int(args.size_mb * 1024 * 1024) if args.size_mb else None,
        )
    if args.firms_out:
        with open(args.firms_out, "w", encoding="utf-8") as out_firms:
            json.dump(generator.world.firms_lookup(), out_firms, ensure_ascii=False)
    if args.stats:
        print(json.dumps(truth.as_dict(), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
