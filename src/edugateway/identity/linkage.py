"""Record linkage of persons: which platform (or ЕСИА) person a local person is when the SNILS cannot say.

A Fellegi–Sunter model, run by Splink on an in-process DuckDB, compares normalised names, birth date,
gender, class and SNILS of candidate pairs and turns the agreements into a match weight and a probability.
`link` ranks, for every local (left) record, its best platform (right) candidates; `auto_links` keeps only
the pairs that are clearly right, and everything else goes to the clerk.

Why the parameters are fixed rather than trained: the gateway usually links one school (≈1000 persons).
There, EM has too few true pairs to converge on the same values twice, and random sampling of u sees the
rare levels (a day/month swap) once or never, which would make a swap count for more than an exact date.
So m (how often a true pair shows each level) is a documented prior taken from the error rates real rosters
show (drift.py plants the same rates), and u (how often a random pair does) is a prior from calendar and
name arithmetic — except for the exact-match levels of names and birth date, whose u is the term frequency of
the very value in the two inputs (smoothed towards the prior for small inputs), so a common surname weighs
less than a rare one. The result depends on nothing but
the input: no sampling, no seed, the same candidates every run.

A region's records drift in ways a school's do not (issue 15), and each has a level of its own rather than a
trained weight: a name a platform took from a foreign passport («Shcherbakova Iuliia») agrees with its Cyrillic
record in a Latin key both scripts share ("transliterated", domain/transliteration.py); a double surname agrees on
either part ("one_part"); a patronymic written as «-» or «нет» is missing, which counts neither way; and a
different first name counts so strongly against that twins, who agree on everything else, stay apart.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from edugateway.domain.snils import check_snils
from edugateway.domain.transliteration import latin_key
from edugateway.logs import get_logger
from edugateway.mapping.names import normalize_name

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

log = get_logger(__name__)


@dataclass(frozen=True)
class LinkRecord:
    """One person as a side knows them. Values are raw: `link` normalises them."""

    id: str
    last_name: str
    first_name: str
    middle_name: str | None = None
    birth_date: dt.date | None = None
    gender: str | None = None  # "m" or "f"
    class_name: str | None = None  # "5А"
    snils: str | None = None  # 11 digits; an invalid number counts as absent


@dataclass(frozen=True)
class Label:
    """A clerk's decision on a pair: a match is always proposed (probability 1.0), a non-match never."""

    left_id: str
    right_id: str
    match: bool


@dataclass(frozen=True)
class Candidate:
    left_id: str
    right_id: str
    probability: float
    match_weight: float  # log2 of the Bayes factor, prior included
    agreement: dict[str, str]  # field -> the comparison level that held, e.g. {"birth_date": "day_month_swapped"}
    labelled: bool = False  # a clerk said this pair is a match


@dataclass
class LinkStats:
    """What one `link` call cost; filled in when passed to `link`. Counts and seconds only, no personal data."""

    left: int = 0
    right: int = 0
    pairs_compared: int = 0
    candidates: int = 0
    prepare_seconds: float = 0.0
    predict_seconds: float = 0.0
    rank_seconds: float = 0.0


# --- the model -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Level:
    name: str  # what the clerk's page shows
    sql: str  # a condition on {c}_l and {c}_r, checked after the levels above it failed
    m: float  # P(level | same person)
    u: float  # P(level | different persons); tf_share × the term frequency of tf_column replaces it when that is set
    tf_column: str | None = None
    # u is the value's frequency times the chance that the pair is also written this way (two scripts, say)
    tf_share: float = 1.0


@dataclass(frozen=True)
class _Field:
    name: str
    levels: tuple[_Level, ...]  # strongest first; "different" takes what the others leave

    def all_levels(self) -> tuple[_Level, ...]:
        rest_m = 1.0 - sum(level.m for level in self.levels)
        rest_u = 1.0 - sum(level.u for level in self.levels)
        return (*self.levels, _Level(DIFFERENT, "ELSE", rest_m, rest_u))


MISSING = "missing"  # one side has no value: neither for nor against
DIFFERENT = "different"


# The share of records written in Latin letters (drift.py's latin_transliteration rate, rounded up).
_LATIN_SHARE = 0.01


def _name_field(name: str, *, m: tuple[float, ...], u: tuple[float, ...], jw: float, parts: bool = False) -> _Field:
    """Exact and the same in Latin letters (both term-frequency weighted), for a surname one part of a double
    surname in common, one edit away (a typo: letters swapped, dropped or doubled), alike.

    Two different persons agree in Latin letters only but not in Cyrillic as rarely as two agree exactly, times
    the chance that one of them is written in Latin at all (_LATIN_SHARE): so the level's u is that share of the
    key's term frequency, and the level weighs nearly what "exact" does."""
    c = name
    m_exact, m_latin, *m_rest = m
    u_exact, *u_rest = u
    part = (
        [_Level("one_part", f"list_has_any({c}_parts_l, {c}_parts_r)", m_rest.pop(0), u_rest.pop(0))] if parts else []
    )
    return _Field(
        name,
        (
            _Level("exact", f"{c}_l = {c}_r", m_exact, u_exact, tf_column=c),
            _Level(
                "transliterated",
                f"{c}_lat_l = {c}_lat_r",
                m_latin,
                u_exact * _LATIN_SHARE,
                tf_column=f"{c}_lat",
                tf_share=_LATIN_SHARE,
            ),
            *part,
            _Level("one_edit", f"damerau_levenshtein({c}_l, {c}_r) <= 1", m_rest[0], u_rest[0]),
            _Level("similar", f"jaro_winkler_similarity({c}_l, {c}_r) >= {jw}", m_rest[1], u_rest[1]),
        ),
    )


# m: a surname differs between school and platform for ~6% of people (typos, a teacher's new married name); u of
# "one_edit" is high because brother and sister differ by one letter (Иванов/Иванова). A first name differs for the
# same person only through a registry act or a record confused with a sibling's (official records use no
# diminutives; the levels above take typos and Latin spellings): m of "different" is 1e-4, ~13 bits against. That
# keeps twins apart: they agree on surname, patronymic, birth date and class, and those fields, scored as if
# independent, add up to more than the 7.6 bits an m of 0.005 took back. Patronymics share their endings (-ович,
# -овна), so "similar" needs a high Jaro–Winkler and is weak evidence. The u of "exact" and "transliterated" is only
# the prior the term frequencies are smoothed towards. m of "transliterated" is the share of records a platform took
# from a foreign passport (drift.py's latin_transliteration rate); m of a surname's "one_part" is that of a double
# surname taken or dropped (drift.py's double_surname), and its u that of one of a random pair having a double
# surname (~1%) one of whose parts is the other's surname.
_LAST_NAME = _name_field(
    "last_name", m=(0.93, 0.005, 0.005, 0.03, 0.02), u=(0.003, 0.003 * 0.01, 0.004, 0.01), jw=0.9, parts=True
)
_FIRST_NAME = _name_field("first_name", m=(0.972, 0.005, 0.013, 0.0099), u=(0.03, 0.006, 0.02), jw=0.9)
_MIDDLE_NAME = _name_field("middle_name", m=(0.945, 0.005, 0.02, 0.01), u=(0.03, 0.01, 0.05), jw=0.94)

# u of an exact date: one day in ~11 school years; a swap needs the same year and a day <= 12 (~1e-3 of a year's
# pairs); a mistyped day stays within a month. m: ~0.3% of records each show a swap or another date (drift.py).
_BIRTH_DATE = _Field(
    "birth_date",
    (
        _Level("exact", "birth_date_l = birth_date_r", 0.984, 1 / 4000, tf_column="birth_date"),
        _Level(
            "day_month_swapped",
            "month(birth_date_l) = day(birth_date_r) AND day(birth_date_l) = month(birth_date_r)"
            " AND year(birth_date_l) = year(birth_date_r)",
            0.004,
            1e-4,
        ),
        _Level("within_month", "abs(date_diff('day', birth_date_l, birth_date_r)) <= 31", 0.004, 0.015),
        _Level("within_year", "abs(date_diff('day', birth_date_l, birth_date_r)) <= 366", 0.004, 0.15),
    ),
)
_GENDER = _Field("gender", (_Level("exact", "gender_l = gender_r", 0.995, 0.5),))
# A class changes at a year's turn before a platform catches up, or a child moves to a parallel class. The grade
# follows from the birth year, so agreeing on the class says little more than agreeing on the birth date does:
# u is that of the letter among a grade's ~5 parallel classes, and the same grade under another letter is no
# evidence either way. No term frequencies here, for the same reason.
_CLASS = _Field(
    "class_name",
    (
        _Level("exact", "class_name_l = class_name_r", 0.9, 0.2),
        _Level("same_grade", "class_grade_l = class_grade_r", 0.05, 0.05),
    ),
)
# One number per person: an equal valid SNILS is near proof (u: a clerk copied a sibling's number, rarely);
# two different valid numbers happen only through a typo that kept the checksum, or a copied number.
_SNILS = _Field("snils", (_Level("exact", "snils_l = snils_r", 0.99, 1e-7),))

FIELDS: tuple[_Field, ...] = (_LAST_NAME, _FIRST_NAME, _MIDDLE_NAME, _BIRTH_DATE, _GENDER, _CLASS, _SNILS)

# Term frequencies are smoothed as if this many more records showed each value at its prior u: in a linkage of
# five records a surname's frequency says nothing, in one of 100,000 the data decides.
_TF_PSEUDO_RECORDS = 1000

# Every pair that any rule finds is scored; a pair no rule finds is never seen. Names are blocked on in their Latin
# key (domain/transliteration.py), so a name a platform took from a foreign passport meets its Cyrillic record. A
# record with one drift is found by the rules after the first: the same full name (a patronymic absent on one side
# allowed) whatever the birth date, the birth date plus the first name (a typo in the surname, another surname, the
# second part of a double surname), the birth date plus the surname (a first name written differently), first name,
# patronymic and surname start (a typo with no birth date), first name, patronymic and class (a slip in the
# surname's first letters where the platform keeps no birth date, as ГИС ЕЦП), an equal SNILS, pairs a clerk linked.
# The first rule catches two drifts at once — a birth date off within its year (a day/month swap) and a name
# typo — and keeps the patronymic in it: without it, the region's common surnames make its blocks grow with the
# square of the region (in bench_linkage's 100k × 100k it alone found 891k pairs, 108k with the patronymic; all
# rules together score 303k pairs instead of 997k, and find every true pair they found before).
BLOCKING_RULES: tuple[str, ...] = (
    "l.birth_year = r.birth_year AND l.last_key = r.last_key AND l.first_key = r.first_key"
    " AND l.middle_name_lat = r.middle_name_lat",
    "l.last_name_lat = r.last_name_lat AND l.first_name_lat = r.first_name_lat"
    " AND (l.middle_name_lat = r.middle_name_lat OR l.middle_name_lat IS NULL OR r.middle_name_lat IS NULL)",
    "l.birth_date = r.birth_date AND l.first_name_lat = r.first_name_lat",
    "l.birth_date = r.birth_date AND l.last_name_lat = r.last_name_lat",
    "l.first_name_lat = r.first_name_lat AND l.middle_name_lat = r.middle_name_lat AND l.last_key = r.last_key",
    "l.first_name_lat = r.first_name_lat AND l.middle_name_lat = r.middle_name_lat AND l.class_name = r.class_name",
    "l.snils = r.snils",
    "l.label_group = r.label_group",
)
# Four Latin letters of the surname's key are about as selective as three Cyrillic ones («Щер» is «shch»).
_LAST_KEY_LETTERS = 4

# A school is the smallest population the gateway links within; it keeps the prior sane for a handful of records.
_MIN_POPULATION = 1000
_DUCKDB_THREADS = 4
_DUCKDB_MEMORY_LIMIT = "2GB"


def _prior(n_left: int, n_right: int) -> float:
    """P(a random pair is a match): each person has at most one counterpart on the other side."""
    return 1.0 / max(n_left, n_right, _MIN_POPULATION)


def _comparison(field: _Field) -> dict[str, Any]:
    c = field.name
    levels: list[dict[str, Any]] = [
        {"sql_condition": f"{c}_l IS NULL OR {c}_r IS NULL", "label_for_charts": MISSING, "is_null_level": True}
    ]
    for level in field.all_levels():
        spec: dict[str, Any] = {
            "sql_condition": level.sql,
            "label_for_charts": level.name,
            "m_probability": level.m,
            "u_probability": level.u,
            "fix_m_probability": True,
            "fix_u_probability": True,
        }
        if level.tf_column:
            spec |= {"tf_adjustment_column": level.tf_column, "tf_adjustment_weight": 1.0}
        levels.append(spec)
    return {"output_column_name": c, "comparison_levels": levels}


def _settings(n_left: int, n_right: int) -> dict[str, Any]:
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": _prior(n_left, n_right),
        "blocking_rules_to_generate_predictions": list(BLOCKING_RULES),
        "comparisons": [_comparison(f) for f in FIELDS],
        # Splink 5 keeps the gamma_ columns (which level agreed) only with the compared values; both stay in DuckDB.
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": False,
    }


def _level_names(field: _Field) -> dict[int, str]:
    """Splink's comparison vector value -> level name: missing is -1, the others count down to 0 (different)."""
    levels = field.all_levels()
    return {-1: MISSING} | {len(levels) - 1 - i: level.name for i, level in enumerate(levels)}


_LEVEL_NAMES = {f.name: _level_names(f) for f in FIELDS}


# --- preparing the inputs --------------------------------------------------------------------------------


# DuckDB's damerau_levenshtein and jaro_winkler_similarity count bytes, and a Cyrillic letter is two bytes in
# UTF-8: «Павел»/«Пвел» would be two edits apart. Normalised names are lower case, so each Cyrillic letter is
# spelt as one upper-case ASCII letter or digit for the comparison; the mapping is one to one, so equality,
# term frequencies and blocking keys are unchanged.
_ONE_BYTE_PER_LETTER = str.maketrans(
    dict(zip("абвгдежзийклмнопрстуфхцчшщъыьэюя", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", strict=True))
)


# What a record writes where it has no patronymic (or, rarely, no other name): no information, not a name.
_NO_NAME = frozenset({"нет", "отсутствует", "не указано", "не указан", "б/о", "без отчества", "none", "null"})


@dataclass(frozen=True)
class _Name:
    compared: str  # normalised, one byte per letter
    latin: str  # the key both scripts share
    parts: tuple[str, ...]  # the Latin keys of a double surname's parts («petrova», «sokolova»)


class _Normaliser:
    """normalize_name, one byte per letter and the Latin key, with a memo: a region's 200,000 names hold a few
    thousand words."""

    def __init__(self) -> None:
        self._seen: dict[str, _Name | None] = {}

    def __call__(self, value: str | None) -> _Name | None:
        if not value:
            return None
        if value not in self._seen:
            self._seen[value] = self._name(value)
        return self._seen[value]

    @staticmethod
    def _name(value: str) -> _Name | None:
        normal = normalize_name(value)
        if normal in _NO_NAME or not any(ch.isalpha() for ch in normal):
            return None
        latin = latin_key(normal)
        parts = tuple(p for p in re.split(r"[- ]", latin) if p)
        return _Name(normal.translate(_ONE_BYTE_PER_LETTER), latin, parts)


@functools.lru_cache(maxsize=4096)
def _class_key(value: str | None) -> str | None:
    """«5 А», «5-а», «5А» -> «5а». A school has a few dozen class names, hence the cache."""
    key = normalize_name(value).replace(" ", "").replace("-", "")
    return key or None


def _grade(class_key: str | None) -> str | None:
    digits = "".join(c for c in (class_key or "")[:2] if c.isdigit())
    return digits or None


def _valid_snils(value: str | None) -> str | None:
    if not value:
        return None
    verdict = check_snils(value)
    return verdict.digits if verdict.valid else None


def _gender(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value if value in ("m", "f") else None


_Groups = dict[tuple[str, str], str]  # ("l" or "r", record id) -> the group of records a clerk linked


def _label_groups(labels: Sequence[Label]) -> _Groups:
    """Records a clerk linked share a group, so a blocking rule brings every linked pair to scoring."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for label in labels:
        if label.match:
            parent[root(("l", label.left_id))] = root(("r", label.right_id))
    return {node: "|".join(root(node)) for node in parent}


def _table(records: Sequence[LinkRecord], side: str, groups: _Groups, names: _Normaliser) -> pa.Table:
    """The records as Splink compares them: normalised values plus the blocking keys."""
    import pyarrow as pa

    last = [names(r.last_name) for r in records]
    first = [names(r.first_name) for r in records]
    middle = [names(r.middle_name) for r in records]
    classes = [_class_key(r.class_name) for r in records]
    dates = [r.birth_date for r in records]
    columns: dict[str, tuple[Any, list[Any]]] = {"unique_id": (pa.string(), [r.id for r in records])}
    for column, values in (("last_name", last), ("first_name", first), ("middle_name", middle)):
        columns[column] = (pa.string(), [v.compared if v else None for v in values])
        columns[f"{column}_lat"] = (pa.string(), [v.latin if v else None for v in values])
    columns |= {
        "last_name_parts": (pa.list_(pa.string()), [list(v.parts) if v else None for v in last]),
        "birth_date": (pa.date32(), dates),
        "birth_year": (pa.int32(), [d.year if d else None for d in dates]),
        "gender": (pa.string(), [_gender(r.gender) for r in records]),
        "class_name": (pa.string(), classes),
        "class_grade": (pa.string(), [_grade(c) for c in classes]),
        "snils": (pa.string(), [_valid_snils(r.snils) for r in records]),
        "last_key": (pa.string(), [v.latin[:_LAST_KEY_LETTERS] if v else None for v in last]),
        "first_key": (pa.string(), [v.latin[:1] if v else None for v in first]),
        "label_group": (pa.string(), [groups.get((side, r.id)) for r in records]),
    }
    return pa.table({name: pa.array(values, type=kind) for name, (kind, values) in columns.items()})


def _check_unique_ids(records: Sequence[LinkRecord], side: str) -> None:
    ids = [r.id for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError(f"record ids on the {side} side must be unique; give each record its own id")


# --- running Splink --------------------------------------------------------------------------------------


def _connect(spill_dir: str) -> duckdb.DuckDBPyConnection:
    import duckdb

    threads = max(1, min(_DUCKDB_THREADS, os.cpu_count() or 1))
    con = duckdb.connect(
        ":memory:",
        config={
            "threads": threads,
            "memory_limit": _DUCKDB_MEMORY_LIMIT,
            "temp_directory": spill_dir,  # spilled pages hold personal data: they go where link() cleans up
        },
    )
    con.execute("SET enable_progress_bar = false")
    return con


def _quiet_splink() -> None:
    """Splink's info lines name tables and steps; nothing of it belongs in the gateway's log."""
    logging.getLogger("splink").setLevel(logging.ERROR)


def _register_term_frequencies(linker: Any, db_api: Any, con: duckdb.DuckDBPyConnection) -> None:
    """Smoothed term frequency of every value of each tf column over both inputs, for Splink to use as u."""
    for field in FIELDS:
        for level in field.levels:
            if not level.tf_column:
                continue
            c = level.tf_column
            table = f"edugateway_tf_{c}"
            con.execute(
                f"""
                CREATE OR REPLACE TABLE {table} AS
                WITH v AS (SELECT {c} FROM link_left UNION ALL SELECT {c} FROM link_right)
                SELECT {c}, {level.tf_share} * (count(*) + {_TF_PSEUDO_RECORDS * level.u / level.tf_share})
                            / ((SELECT count({c}) FROM v) + {_TF_PSEUDO_RECORDS}) AS tf_{c}
                FROM v WHERE {c} IS NOT NULL GROUP BY {c}
                """  # noqa: S608 - names and numbers come from this module's constants, not from input
            )
            linker.table_management.register_term_frequency_lookup(db_api.register(table), c)


def _predict(con: duckdb.DuckDBPyConnection, left: pa.Table, right: pa.Table) -> str:
    """Blocks, scores every blocked pair; returns the DuckDB table that holds the scored pairs."""
    from splink import DuckDBAPI, Linker

    _quiet_splink()
    db_api = DuckDBAPI(connection=con)
    con.register("link_left_arrow", left)
    con.register("link_right_arrow", right)
    con.execute("CREATE TABLE link_left AS SELECT * FROM link_left_arrow")
    con.execute("CREATE TABLE link_right AS SELECT * FROM link_right_arrow")
    inputs = [
        db_api.register("link_left", dataset_display_name="left"),
        db_api.register("link_right", dataset_display_name="right"),
    ]
    linker = Linker(inputs, _settings(left.num_rows, right.num_rows), log_level=None)
    _register_term_frequencies(linker, db_api, con)
    predictions = linker.inference.predict(warning_mode="never")
    return str(predictions.physical_name)


# --- ranking ---------------------------------------------------------------------------------------------


def _register_labels(con: duckdb.DuckDBPyConnection, labels: Sequence[Label]) -> None:
    import pyarrow as pa

    table = pa.table(
        {
            "left_id": [lb.left_id for lb in labels],
            "right_id": [lb.right_id for lb in labels],
            "match": [lb.match for lb in labels],
        },
        schema=pa.schema([("left_id", pa.string()), ("right_id", pa.string()), ("match", pa.bool_())]),
    )
    con.register("link_labels", table)


def _ranked_rows(
    con: duckdb.DuckDBPyConnection, predictions: str, min_probability: float, top_n: int
) -> list[tuple[Any, ...]]:
    """Per left record its top_n right records: clerk's matches first, then by probability; rejected pairs gone."""
    gammas = ", ".join(f"p.gamma_{f.name}" for f in FIELDS)
    # Splink may put either input on the _l side of a pair; the source dataset says which is which.
    sql = f"""
        WITH pairs AS (
            SELECT
                CASE WHEN p.source_dataset_l = 'left' THEN p.unique_id_l ELSE p.unique_id_r END AS left_id,
                CASE WHEN p.source_dataset_l = 'left' THEN p.unique_id_r ELSE p.unique_id_l END AS right_id,
                p.match_probability, p.match_weight, {gammas}
            FROM {predictions} AS p
        ), scored AS (
            SELECT pairs.*, coalesce(lb.match, false) AS labelled,
                   CASE WHEN lb.match THEN 1.0 ELSE pairs.match_probability END AS probability
            FROM pairs LEFT JOIN link_labels AS lb USING (left_id, right_id)
            WHERE lb.match IS DISTINCT FROM false
        )
        SELECT left_id, right_id, probability, match_weight, labelled, {gammas.replace("p.", "")}
        FROM scored
        WHERE probability >= $min_probability
        QUALIFY row_number() OVER (
            PARTITION BY left_id ORDER BY labelled DESC, probability DESC, match_weight DESC, right_id
        ) <= $top_n
    """  # noqa: S608 - the table and column names are Splink's and this module's, never input
    return con.execute(sql, {"min_probability": min_probability, "top_n": top_n}).fetchall()


def _candidate(row: tuple[Any, ...]) -> Candidate:
    left_id, right_id, probability, weight, labelled, *gammas = row
    agreement = {f.name: _LEVEL_NAMES[f.name][int(g)] for f, g in zip(FIELDS, gammas, strict=True)}
    return Candidate(left_id, right_id, float(probability), float(weight), agreement, bool(labelled))


def _rank_key(c: Candidate) -> tuple[bool, float, float]:
    return (c.labelled, c.probability, c.match_weight)


# --- the API ---------------------------------------------------------------------------------------------


def link(
    left: Sequence[LinkRecord],
    right: Sequence[LinkRecord],
    *,
    labels: Sequence[Label] = (),
    min_probability: float = 0.5,
    top_n: int = 3,
    stats: LinkStats | None = None,
) -> list[Candidate]:
    """For every left (local) record, its best right (platform or ЕСИА) candidates: at most `top_n`, each with
    probability >= `min_probability`, best first; left records in input order. Pairs a clerk labelled a match
    come first with probability 1.0, pairs labelled a non-match never come out."""
    stats = stats if stats is not None else LinkStats()
    stats.left, stats.right = len(left), len(right)
    _check_unique_ids(left, "left")
    _check_unique_ids(right, "right")
    if not left or not right or top_n < 1:
        return []
    started = time.perf_counter()
    groups = _label_groups(labels)
    names = _Normaliser()
    left_table, right_table = _table(left, "l", groups, names), _table(right, "r", groups, names)
    stats.prepare_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="edugateway-linkage-") as spill_dir:
        con = _connect(spill_dir)
        try:
            started = time.perf_counter()
            predictions = _predict(con, left_table, right_table)
            [(count,)] = con.execute(f"SELECT count(*) FROM {predictions}").fetchall()  # noqa: S608 - Splink's table
            stats.pairs_compared = int(count)
            stats.predict_seconds = time.perf_counter() - started
            started = time.perf_counter()
            _register_labels(con, labels)
            rows = _ranked_rows(con, predictions, min_probability, top_n)
        finally:
            con.close()
    position = {record.id: i for i, record in enumerate(left)}
    candidates = sorted(
        (_candidate(row) for row in rows),
        key=lambda c: (position[c.left_id], -c.labelled, -c.probability, -c.match_weight, c.right_id),
    )
    stats.candidates = len(candidates)
    stats.rank_seconds = time.perf_counter() - started
    log.info(
        "linkage done",
        left=stats.left,
        right=stats.right,
        pairs_compared=stats.pairs_compared,
        candidates=stats.candidates,
    )
    return candidates


def auto_links(candidates: Iterable[Candidate], threshold: float) -> list[Candidate]:
    """The pairs safe to link without a clerk: probability >= `threshold`, and strictly the best candidate of both
    its left and its right record (one to one). A tie — twins, a person entered twice — is for the clerk."""
    by_left: dict[str, list[Candidate]] = defaultdict(list)
    by_right: dict[str, list[Candidate]] = defaultdict(list)
    pool = list(candidates)
    for c in pool:
        by_left[c.left_id].append(c)
        by_right[c.right_id].append(c)
    return [
        c
        for c in pool
        if c.probability >= threshold
        and _strictly_best(c, by_left[c.left_id])
        and _strictly_best(c, by_right[c.right_id])
    ]


def _strictly_best(candidate: Candidate, rivals: list[Candidate]) -> bool:
    key = _rank_key(candidate)
    return all(other is candidate or _rank_key(other) < key for other in rivals)
