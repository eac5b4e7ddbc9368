"""The yardstick for identity/linkage.py: a generic Splink model, trained by EM as Splink's tutorial trains one.

Standard comparisons (NameComparison with term frequencies on the names, DateOfBirthComparison, ExactMatch),
the tutorial's training steps (the match prior from a deterministic rule, u by random sampling with a fixed seed,
m by expectation maximisation on two blocking rules), and the same inputs the gateway's model gets: names through
`normalize_name` (case, ё, look-alike letters), a SNILS only when its checksum holds. Its pairs go through the
same `auto_links` as ours, so both are judged by the same one-to-one rule and threshold.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from edugateway.domain.snils import check_snils
from edugateway.identity.linkage import Candidate, LinkRecord
from edugateway.mapping.names import normalize_name

U_SEED = 1  # the tutorial's fixed seed for u sampling
U_MAX_PAIRS = 1e6


@dataclass
class BaselineRun:
    candidates: list[Candidate]
    train_seconds: float
    predict_seconds: float


def _name(value: str | None) -> str | None:
    return normalize_name(value) or None


def _snils(value: str | None) -> str | None:
    verdict = check_snils(value) if value else None
    return verdict.digits if verdict and verdict.valid else None


def _table(records: Sequence[LinkRecord]) -> pa.Table:
    return pa.table(
        {
            "unique_id": pa.array([r.id for r in records], pa.string()),
            "last_name": pa.array([_name(r.last_name) for r in records], pa.string()),
            "first_name": pa.array([_name(r.first_name) for r in records], pa.string()),
            "middle_name": pa.array([_name(r.middle_name) for r in records], pa.string()),
            "birth_date": pa.array([r.birth_date for r in records], pa.date32()),
            "gender": pa.array([r.gender for r in records], pa.string()),
            "class_name": pa.array([_name(r.class_name) for r in records], pa.string()),
            "snils": pa.array([_snils(r.snils) for r in records], pa.string()),
        }
    )


def _settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "last_name"),
            block_on("last_name", "birth_date"),
            block_on("first_name", "birth_date"),
            block_on("snils"),
        ],
        comparisons=[
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("middle_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.ExactMatch("gender"),
            cl.ExactMatch("class_name"),
            cl.ExactMatch("snils"),
        ],
    )


def generic_splink(
    left: Sequence[LinkRecord], right: Sequence[LinkRecord], min_probability: float = 0.5
) -> BaselineRun:
    """Train on the inputs themselves (as the tutorial does), then score every blocked pair."""
    started = time.perf_counter()
    logging.getLogger("splink").setLevel(logging.ERROR)  # training's notes on levels it could not estimate
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    con.register("left_arrow", _table(left))
    con.register("right_arrow", _table(right))
    con.execute("CREATE TABLE base_left AS SELECT * FROM left_arrow")
    con.execute("CREATE TABLE base_right AS SELECT * FROM right_arrow")
    db_api = DuckDBAPI(connection=con)
    inputs = [
        db_api.register("base_left", dataset_display_name="left"),
        db_api.register("base_right", dataset_display_name="right"),
    ]
    linker = Linker(inputs, _settings(), log_level=logging.ERROR)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "birth_date")], recall=0.9
    )
    training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=U_SEED)
    training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "last_name"), estimate_without_term_frequencies=True
    )
    training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_date"), estimate_without_term_frequencies=True
    )
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=min_probability)
    rows: list[Any] = con.execute(
        f"SELECT source_dataset_l, unique_id_l, unique_id_r, match_probability, match_weight "  # noqa: S608
        f"FROM {predictions.physical_name}"
    ).fetchall()
    con.close()
    candidates = [
        Candidate(a, b, float(p), float(w), {}) if src == "left" else Candidate(b, a, float(p), float(w), {})
        for src, a, b, p, w in rows
    ]
    return BaselineRun(candidates, trained - started, time.perf_counter() - trained)
