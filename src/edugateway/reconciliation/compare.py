"""The comparison of one entity, done by DuckDB over Arrow columns: pair the two sides (through the id-link map,
or by the natural key), translate the platform's references into local keys, and classify every record as
equal, different (which fields, both values), only local or only on the platform; list natural-key
duplicates on each side. Only the findings come back to Python; the equal records never do.

A field the platform leaves empty on every record is one it does not keep (ЕЦП keeps no birth dates): it is
not compared, and the caller says so in the report's notes.
"""

# The statements are built from the constant entity specs (identifiers quoted by _q, literals by _lit); no
# value from a record or a user is ever spliced in: the data reaches DuckDB only as registered Arrow tables.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from edugateway.domain.entities import Entity
from edugateway.reconciliation.entities import EntitySpec, Pairing
from edugateway.reconciliation.report import EntityCounts

if TYPE_CHECKING:
    import duckdb

UNLINKED = "#"  # prefixes a platform id no local record is linked to, so it never equals a local key
_THREADS = 2
_MEMORY_LIMIT = "768MB"


@dataclass
class EntityFindings:
    entity: str
    counts: EntityCounts
    different: list[dict[str, Any]] = field(default_factory=list)  # {local_key, remote_id, fields, local, remote}
    only_local: list[dict[str, Any]] = field(default_factory=list)  # the local record's columns
    only_remote: list[dict[str, Any]] = field(default_factory=list)  # the platform record's (refs translated)
    duplicated: list[dict[str, Any]] = field(default_factory=list)  # {side, key, count, ids}
    not_kept: list[str] = field(default_factory=list)  # fields the platform leaves empty everywhere


@contextmanager
def comparison_engine() -> Iterator[duckdb.DuckDBPyConnection]:
    import duckdb

    con = duckdb.connect(":memory:", config={"threads": _THREADS, "memory_limit": _MEMORY_LIMIT})
    try:
        _run(con, "SET enable_progress_bar = false")
        yield con
    finally:
        con.close()


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    """Runs a statement to its end: DuckDB holds the connection until a result is read whole."""
    return con.execute(sql).fetchall()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _name_key(columns: list[str]) -> str:
    parts = ", ".join(_q(c) for c in columns)
    return f"replace(lower(concat_ws(' ', {parts})), 'ё', 'е')"


def _natural_columns(spec: EntitySpec) -> str:
    """The extra columns the natural key needs (a normalised name)."""
    if "name_key" not in spec.natural_key:
        return ""
    names = ["last_name", "first_name", "middle_name"] if spec.name is Entity.PERSONS else ["name"]
    return f", {_name_key(names)} AS name_key"


def _translate_remote(con: duckdb.DuckDBPyConnection, spec: EntitySpec, remote: pa.Table) -> None:
    con.register("r_raw", remote)
    select = ["r.remote_id"]
    joins = []
    for i, column in enumerate(remote.column_names[1:]):
        target = spec.refs.get(column)
        if target is None:
            select.append(f"r.{_q(column)}")
            continue
        alias = f"t{i}"
        joins.append(
            f"LEFT JOIN links {alias} ON {alias}.entity = {_lit(target)} AND {alias}.remote_id = r.{_q(column)}"
        )
        select.append(
            f"CASE WHEN r.{_q(column)} IS NULL THEN NULL "
            f"ELSE coalesce({alias}.local_key, {_lit(UNLINKED)} || r.{_q(column)}) END AS {_q(column)}"
        )
    _run(
        con,
        f"CREATE OR REPLACE TEMP TABLE r AS SELECT *, TRUE AS present{_natural_columns(spec)} FROM "
        f"(SELECT {', '.join(select)} FROM r_raw r {' '.join(joins)}) AS x",
    )
    con.unregister("r_raw")


def _load_local(con: duckdb.DuckDBPyConnection, spec: EntitySpec, local: pa.Table) -> None:
    con.register("l_raw", local)
    _run(con, f"CREATE OR REPLACE TEMP TABLE l AS SELECT *, TRUE AS present{_natural_columns(spec)} FROM l_raw")
    con.unregister("l_raw")


def _not_kept(con: duckdb.DuckDBPyConnection, spec: EntitySpec) -> list[str]:
    """Fields the platform leaves empty on every record while the school has them."""
    counts = ", ".join(f"count({_q(f)})" for f in spec.fields)
    remote_total, *remote_filled = _run(con, f"SELECT count(*), {counts} FROM r")[0]
    _, *local_filled = _run(con, f"SELECT count(*), {counts} FROM l")[0]
    if not remote_total:
        return []
    return [f for f, r, n in zip(spec.fields, remote_filled, local_filled, strict=True) if r == 0 and n > 0]


def _duplicates(con: duckdb.DuckDBPyConnection, spec: EntitySpec) -> list[dict[str, Any]]:
    if not spec.natural_key:
        return []
    key = ", ".join(_q(k) for k in spec.natural_key)
    filled = " AND ".join(f"{_q(k)} IS NOT NULL" for k in spec.natural_key)
    found: list[dict[str, Any]] = []
    for side, table, ident in (("local", "l", "local_key"), ("platform", "r", "remote_id")):
        rows = _run(
            con,
            f"SELECT {key}, count(*) AS n, list({_q(ident)} ORDER BY {_q(ident)}) AS ids FROM {table} "
            f"WHERE {filled} GROUP BY {key} HAVING count(*) > 1 ORDER BY {key}",
        )
        for row in rows:
            keys = dict(zip(spec.natural_key, row[: len(spec.natural_key)], strict=True))
            found.append({"side": side, "key": keys, "count": row[-2], "ids": list(row[-1])})
    return found


def _paired(spec: EntitySpec) -> str:
    """The full outer join of the two sides, one row per pair."""
    if spec.pairing is Pairing.LINK:
        return "l FULL OUTER JOIN r ON l.remote_id = r.remote_id"
    # Paired by natural key: a duplicate pairs once (it is listed among the duplicates anyway).
    key = ", ".join(_q(k) for k in spec.natural_key)
    on = " AND ".join(f"l.{_q(k)} = r.{_q(k)}" for k in spec.natural_key)
    first = f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY remote_id) = 1"
    return f"(SELECT * FROM l {first}) AS l FULL OUTER JOIN (SELECT * FROM r {first}) AS r ON {on}"


def compare_entity(
    con: duckdb.DuckDBPyConnection, spec: EntitySpec, local: pa.Table, remote: pa.Table, links: pa.Table
) -> EntityFindings:
    """Compares one entity. `links` is (entity, remote_id, local_key) of the entities `spec.refs` point at."""
    con.register("links", links)
    try:
        _load_local(con, spec, local)
        _translate_remote(con, spec, remote)
        not_kept = _not_kept(con, spec)
        compared = [f for f in spec.fields if f not in not_kept]
        columns = list(remote.column_names[1:])
        picks = ", ".join(f"l.{_q(c)} AS {_q('l_' + c)}, r.{_q(c)} AS {_q('r_' + c)}" for c in columns)
        tests = ", ".join(f"CASE WHEN l.{_q(f)} IS DISTINCT FROM r.{_q(f)} THEN {_lit(f)} END" for f in compared)
        differing = f"list_filter([{tests}], lambda x: x IS NOT NULL)" if compared else "[]::VARCHAR[]"
        _run(
            con,
            "CREATE OR REPLACE TEMP TABLE j AS SELECT l.local_key AS l_key, l.remote_id AS l_remote_id, "
            "r.remote_id AS r_id, l.present AS l_present, r.present AS r_present, "
            f"{differing} AS diff, {picks} FROM {_paired(spec)}",
        )
        counts = _counts(con, spec.name)
        duplicated = _duplicates(con, spec)
        counts.duplicated = len(duplicated)
        findings = EntityFindings(spec.name, counts, duplicated=duplicated, not_kept=not_kept)
        _collect(con, findings, columns)
        return findings
    finally:
        con.unregister("links")
        for table in ("j", "l", "r"):
            _run(con, f"DROP TABLE IF EXISTS {table}")


def _counts(con: duckdb.DuckDBPyConnection, entity: str) -> EntityCounts:
    both = "l_present AND r_present"
    row = _run(
        con,
        "SELECT count(l_present), count(r_present), "
        f"count(*) FILTER (WHERE {both} AND len(diff) = 0), count(*) FILTER (WHERE {both} AND len(diff) > 0), "
        "count(*) FILTER (WHERE r_present IS NULL), count(*) FILTER (WHERE l_present IS NULL) FROM j",
    )[0]
    local, remote, equal, different, only_local, only_remote = (int(v) for v in row)
    return EntityCounts(
        entity=entity,
        local=local,
        remote=remote,
        equal=equal,
        different=different,
        only_local=only_local,
        only_remote=only_remote,
    )


def _collect(con: duckdb.DuckDBPyConnection, findings: EntityFindings, columns: list[str]) -> None:
    rows = con.sql(
        "SELECT * FROM j WHERE NOT (l_present IS NOT NULL AND r_present IS NOT NULL AND len(diff) = 0) "
        "ORDER BY l_key NULLS LAST, r_id NULLS LAST"
    ).to_arrow_table()
    for row in rows.to_pylist():
        local = {c: row["l_" + c] for c in columns}
        remote = {c: row["r_" + c] for c in columns}
        if row["r_present"] is None:
            findings.only_local.append({"local_key": row["l_key"], "remote_id": row["l_remote_id"], **local})
        elif row["l_present"] is None:
            findings.only_remote.append({"remote_id": row["r_id"], **remote})
        else:
            findings.different.append(
                {
                    "local_key": row["l_key"],
                    "remote_id": row["r_id"],
                    "fields": {f: [local[f], remote[f]] for f in row["diff"]},
                    "local": local,
                    "remote": remote,
                }
            )
