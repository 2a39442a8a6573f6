"""The point-in-time market store: one embedded DuckDB file.

Tables mirror the bundle (:mod:`cnradar.store.schema`), plus:

- ``observations.release_inferred``: true where the release date came from the series' rule, not the bundle;
- ``extra_<name>``: bundle extension tables (``bars_extra/<name>.csv``; columns ``symbol, date, ...``);
- ``derived_<name>``: analytics caches written by :meth:`Store.write_derived` (option indices, CB deviation);
- ``ingest_log``: one row per table per import (source path, content hash, rows new / replaced / unchanged);
- ``replaced_values``: the old row (as JSON) of every value an import replaced, so nothing is lost;
- ``bundles``: each imported bundle's ``meta.json`` (``synthetic`` flags every report built on it).

Every time-varying read takes a keyword-only ``asof`` with no default: a date, or ``None`` explicitly for "all".
Bars are public on their date; observations on their release date. See :meth:`Store.observations` for vintages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from cnradar.config import STORE_FILENAME, resolve_home
from cnradar.errors import ConfigError, StoreError, explain
from cnradar.store.schema import KINDS, TABLES

DateArg = str | pd.Timestamp | None
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

_META_DDL = [
    """CREATE TABLE IF NOT EXISTS ingest_log (
        ingest_id BIGINT, bundle VARCHAR, path VARCHAR, content_hash VARCHAR, "table" VARCHAR,
        rows_in BIGINT, rows_new BIGINT, rows_replaced BIGINT, rows_unchanged BIGINT,
        started_at TIMESTAMP, finished_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS replaced_values (
        ingest_id BIGINT, "table" VARCHAR, key_json VARCHAR, old_json VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS bundles (
        bundle VARCHAR PRIMARY KEY, synthetic BOOLEAN, description VARCHAR, meta_json VARCHAR,
        content_hash VARCHAR, path VARCHAR)""",
]


def _ts(value: DateArg, what: str = "asof") -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value).normalize()
    except (ValueError, TypeError) as exc:
        raise ConfigError(explain(f"invalid {what}", "an ISO date such as 2024-01-19, or None", value,
                                  "Pass a date.")) from exc


def _as_list(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def _check_name(name: str, what: str) -> None:
    if not _NAME.match(name):
        raise ConfigError(explain(f"invalid {what} name", "lower-case letters, digits and _", name,
                                  "Rename it, e.g. 'option_indices'."))


class Store:
    """A DuckDB-backed point-in-time store. Open with :meth:`Store.open`; use as a context manager."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.con, self.path, self.read_only = con, path, read_only

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> Store:
        """Open (creating if needed) the store at ``path``: a ``.duckdb`` file or a home directory.

        ``None`` uses ``$CNRADAR_HOME`` or ``~/.cnradar``.
        """
        p = Path(path) if path is not None else resolve_home().store
        if p.suffix != ".duckdb":
            p = resolve_home(p).store if not p.exists() or p.is_dir() else p
        if read_only and not p.exists():
            raise StoreError(explain("no store", "a store file must exist to open it read-only", str(p),
                                     "Import a bundle first: cnradar data import PATH (or cnradar data demo)."))
        p.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(p), read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(explain("cannot open the store", "one writer at a time", str(p),
                                     f"Close the other cnradar process using it. ({exc})")) from exc
        store = cls(con, p, read_only)
        if not read_only:
            store._create_schema()
        return store

    def _create_schema(self) -> None:
        for spec in TABLES.values():
            self.con.execute(spec.ddl())
        self.con.execute("ALTER TABLE observations ADD COLUMN IF NOT EXISTS release_inferred BOOLEAN DEFAULT FALSE")
        for ddl in _META_DDL:
            self.con.execute(ddl)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: commit on success, roll back on any exception (a killed process never commits)."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # ------------------------------------------------------------------ helpers
    def sql(self, query: str, params: Sequence[object] | None = None) -> pd.DataFrame:
        """Run a read query and return a DataFrame (escape hatch for ad-hoc research)."""
        return self.con.execute(query, params or []).df()

    def _table_exists(self, table: str) -> bool:
        return bool(self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchall()[0][0])

    @staticmethod
    def _typed(df: pd.DataFrame, date_cols: Sequence[str]) -> pd.DataFrame:
        for c in date_cols:
            if c in df.columns:
                df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
        return df

    # ------------------------------------------------------------------ reads
    def instruments(self, kind: str | Sequence[str] | None = None,
                    symbols: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Instrument master (static terms; ETF option strike/unit changes are in :meth:`option_adjustments`)."""
        where, params = ["TRUE"], []
        kinds = _as_list(kind)
        if kinds:
            bad = [k for k in kinds if k not in KINDS]
            if bad:
                raise ConfigError(explain("unknown instrument kind", f"one of {', '.join(KINDS)}", bad[0],
                                          "Check the spelling."))
            where.append("kind IN (SELECT unnest(?))")
            params.append(kinds)
        syms = _as_list(symbols)
        if syms:
            where.append("symbol IN (SELECT unnest(?))")
            params.append(syms)
        df = self.sql(f"SELECT * FROM instruments WHERE {' AND '.join(where)} ORDER BY symbol", params)
        return self._typed(df, TABLES["instruments"].dates)

    def bars(self, symbols: str | Sequence[str] | None = None, *, asof: DateArg,
             kind: str | Sequence[str] | None = None, product: str | Sequence[str] | None = None,
             start: DateArg = None, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Daily bars public by ``asof`` (``date <= asof``), long format sorted by (symbol, date)."""
        cols = list(columns) if columns else list(TABLES["bars"].columns)
        unknown = [c for c in cols if c not in TABLES["bars"].columns]
        if unknown:
            raise ConfigError(explain("unknown bar column", f"one of {', '.join(TABLES['bars'].columns)}",
                                      unknown[0], "Check the spelling."))
        for must in ("symbol", "date"):
            if must not in cols:
                cols.insert(0, must)
        where, params = ["TRUE"], []
        syms = _as_list(symbols)
        if syms:
            where.append("b.symbol IN (SELECT unnest(?))")
            params.append(syms)
        kinds, products = _as_list(kind), _as_list(product)
        if kinds or products:
            sub = "SELECT symbol FROM instruments WHERE TRUE"
            if kinds:
                sub += " AND kind IN (SELECT unnest(?))"
                params.append(kinds)
            if products:
                sub += " AND product IN (SELECT unnest(?))"
                params.append(products)
            where.append(f"b.symbol IN ({sub})")
        if (a := _ts(asof)) is not None:
            where.append("b.date <= ?")
            params.append(a.date())
        if (s := _ts(start, "start")) is not None:
            where.append("b.date >= ?")
            params.append(s.date())
        sel = ", ".join(f'b."{c}"' for c in cols)
        df = self.sql(f"SELECT {sel} FROM bars b WHERE {' AND '.join(where)} ORDER BY b.symbol, b.date", params)
        return self._typed(df, ["date"])

    def observations(self, series: str | Sequence[str], *, asof: DateArg, start: DateArg = None,
                     vintage: Literal["latest", "first", "all"] = "latest") -> pd.DataFrame:
        """Observations public by ``asof`` (``release_date <= asof``).

        ``vintage="latest"``: per (series, period) the most recent value released by ``asof`` — what a
        researcher saw on that day; ``"first"``: the first release of each period (never a revision);
        ``"all"``: every vintage. A release date the bundle gave explicitly beats one derived from the
        series' release rule: rule-derived rows are dropped for periods that have an explicit release.
        ``start`` filters on ``period``. Columns: series, period, release_date, value, consensus,
        consensus_std, release_inferred.
        """
        names = _as_list(series) or []
        where, params = ["series IN (SELECT unnest(?))"], [names]
        if (a := _ts(asof)) is not None:
            where.append("release_date <= ?")
            params.append(a.date())
        if (s := _ts(start, "start")) is not None:
            where.append("period >= ?")
            params.append(s.date())
        base = f"""
            WITH o AS (SELECT * FROM observations WHERE {' AND '.join(where)}),
            e AS (SELECT *, bool_or(NOT release_inferred) OVER (PARTITION BY series, period) AS has_explicit FROM o)
            SELECT series, period, release_date, value, consensus, consensus_std, release_inferred
            FROM e WHERE NOT (release_inferred AND has_explicit)"""
        if vintage == "all":
            query = base + " ORDER BY series, period, release_date"
        elif vintage in ("latest", "first"):
            order = "DESC" if vintage == "latest" else "ASC"
            query = f"""SELECT * EXCLUDE (rn) FROM (
                SELECT *, row_number() OVER (PARTITION BY series, period ORDER BY release_date {order}) AS rn
                FROM ({base})) WHERE rn = 1 ORDER BY series, period"""
        else:
            raise ConfigError(explain("unknown vintage", "one of latest, first, all", vintage, "Check the spelling."))
        df = self.sql(query, params)
        return self._typed(df, ["period", "release_date"])

    def series_catalog(self) -> pd.DataFrame:
        """The series table: id, name, unit, frequency, source, release_rule."""
        return self.sql("SELECT * FROM series ORDER BY series")

    def option_adjustments(self, *, asof: DateArg) -> pd.DataFrame:
        """ETF option strike/unit changes effective by ``asof`` (ex-dividend adjustments)."""
        where, params = "TRUE", []
        if (a := _ts(asof)) is not None:
            where, params = "effective_date <= ?", [a.date()]
        df = self.sql(f"SELECT * FROM option_adjustments WHERE {where} ORDER BY symbol, effective_date", params)
        return self._typed(df, ["effective_date"])

    def convertible_terms(self) -> pd.DataFrame:
        """Convertible bond terms as the bundle gives them (static; blank clause = unknown)."""
        return self._typed(self.sql("SELECT * FROM convertible_terms ORDER BY symbol"),
                           TABLES["convertible_terms"].dates)

    def index_dividends(self, index: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Index dividend points by ex-date. They are expectations as much as history: a basis computation on
        day t uses the points of ex-dates after t as the forecast the market held (documented by the caller)."""
        where, params = "TRUE", []
        if (idx := _as_list(index)) is not None:
            where, params = '"index" IN (SELECT unnest(?))', [idx]
        return self._typed(self.sql(f'SELECT * FROM index_dividends WHERE {where} ORDER BY "index", ex_date',
                                    params), ["ex_date"])

    def extras(self) -> list[str]:
        """Names of the bundle-extension tables (``bars_extra/<name>.csv``) in the store."""
        rows = self.con.execute("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'extra_%' "
                                "ORDER BY table_name").fetchall()
        return [r[0].removeprefix("extra_") for r in rows]

    def extra(self, name: str, *, asof: DateArg, symbols: str | Sequence[str] | None = None) -> pd.DataFrame:
        """A bundle-extension table (``symbol, date, ...``) with ``date <= asof``."""
        _check_name(name, "extra table")
        if not self._table_exists(f"extra_{name}"):
            raise StoreError(explain("no such extra table", f"one of {', '.join(self.extras()) or '(none)'}",
                                     name, "Import a bundle that has bars_extra/<name>.csv."))
        where, params = ["TRUE"], []
        if (a := _ts(asof)) is not None:
            where.append("date <= ?")
            params.append(a.date())
        if (syms := _as_list(symbols)) is not None:
            where.append("symbol IN (SELECT unnest(?))")
            params.append(syms)
        df = self.sql(f"SELECT * FROM extra_{name} WHERE {' AND '.join(where)} ORDER BY symbol, date", params)
        return self._typed(df, ["date"])

    # ------------------------------------------------------------------ derived caches
    def write_derived(self, name: str, frame: pd.DataFrame, key: Sequence[str]) -> int:
        """Upsert ``frame`` into ``derived_<name>`` keyed on ``key`` (created on first write); returns rows.

        The table's columns are fixed by the first write; a frame with other columns is refused (call
        :meth:`drop_derived` first). Runs in one transaction.
        """
        _check_name(name, "derived table")
        table = f"derived_{name}"
        missing = [k for k in key if k not in frame.columns]
        if missing:
            raise ConfigError(explain("derived key column missing", f"key {list(key)} must be columns",
                                      missing, "Add the column or change the key."))
        if frame.duplicated(list(key)).any():
            dup = frame.loc[frame.duplicated(list(key)), list(key)].iloc[0].to_dict()
            raise ConfigError(explain(f"duplicate key in derived table {name}", "key must be unique", dup,
                                      "Deduplicate the frame before writing."))
        if frame.empty:
            return 0
        self.con.register("_derived_in", frame)
        try:
            with self.transaction() as con:
                if not self._table_exists(table):
                    keys = ", ".join(f'"{k}"' for k in key)
                    con.execute(f'CREATE TABLE {table} AS SELECT * FROM _derived_in LIMIT 0')
                    con.execute(f"ALTER TABLE {table} ADD PRIMARY KEY ({keys})")
                have = [r[0] for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                    [table]).fetchall()]
                if sorted(have) != sorted(frame.columns):
                    raise StoreError(explain(f"derived table {name} has other columns", f"columns {have}",
                                             list(frame.columns), f"Call store.drop_derived('{name}') first."))
                cols = ", ".join(f'"{c}"' for c in have)
                keys = ", ".join(f'"{k}"' for k in key)
                upd = ", ".join(f'"{c}" = excluded."{c}"' for c in have if c not in key)
                conflict = f"DO UPDATE SET {upd}" if upd else "DO NOTHING"
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _derived_in "
                            f"ON CONFLICT ({keys}) {conflict}")
        finally:
            self.con.unregister("_derived_in")
        return len(frame)

    def read_derived(self, name: str, *, asof: DateArg, date_col: str = "date") -> pd.DataFrame:
        """Rows of ``derived_<name>`` with ``date_col <= asof`` (an empty frame when the table is absent)."""
        _check_name(name, "derived table")
        table = f"derived_{name}"
        if not self._table_exists(table):
            return pd.DataFrame()
        where, params = "TRUE", []
        if (a := _ts(asof)) is not None:
            where, params = f'"{date_col}" <= ?', [a.date()]
        df = self.sql(f'SELECT * FROM {table} WHERE {where} ORDER BY "{date_col}"', params)
        return self._typed(df, [date_col])

    def drop_derived(self, name: str) -> None:
        """Drop a derived cache (it is recomputed on the next update)."""
        _check_name(name, "derived table")
        self.con.execute(f"DROP TABLE IF EXISTS derived_{name}")

    # ------------------------------------------------------------------ provenance
    def meta(self) -> dict[str, object]:
        """``{"synthetic": any bundle synthetic, "bundles": [{bundle, synthetic, description, path}, ...]}``."""
        rows = self.sql("SELECT bundle, synthetic, description, path FROM bundles ORDER BY bundle")
        bundles = rows.to_dict("records")
        return {"synthetic": bool(rows["synthetic"].any()) if len(rows) else False, "bundles": bundles}

    def ingest_log(self) -> pd.DataFrame:
        """Every import, table by table: rows new, replaced and unchanged, content hash, timing."""
        return self.sql("SELECT * FROM ingest_log ORDER BY ingest_id, \"table\"")

    def last_date(self, kind: str | None = None) -> pd.Timestamp | None:
        """Latest bar date in the store (of one kind, if given) — e.g. the default ``asof`` of a CLI command."""
        q = "SELECT max(date) FROM bars"
        params: list[object] = []
        if kind:
            q += " WHERE symbol IN (SELECT symbol FROM instruments WHERE kind = ?)"
            params.append(kind)
        value = self.con.execute(q, params).fetchall()[0][0]
        return pd.Timestamp(value) if value is not None else None


__all__ = ["STORE_FILENAME", "Store"]
