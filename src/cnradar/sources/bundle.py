"""The one ingest format: read, validate and import a data bundle (DESIGN.md, "The data bundle").

A bundle is a folder: ``meta.json``, ``instruments``, ``series``, ``option_adjustments``,
``convertible_terms``, ``index_dividends`` (each ``<name>.csv`` or ``<name>.parquet``), and the folders
``bars/`` and ``observations/`` holding any number of CSV or Parquet files with the table's columns. Parquet
files carry the same columns as the CSVs (use them for large generated tables). Extension: ``bars_extra/<name>``
files (``symbol, date`` plus numeric columns) become the store table ``extra_<name>``.

Validation happens before anything is written and reports every problem (up to 25) with file, line and value:
unknown or missing columns, unparseable dates or numbers, blanks in required columns, duplicate keys, unknown
kinds, negative prices or volumes, bars / adjustments / terms for unknown symbols, observations of unknown
series, invalid release rules, and amounts that look like 万元 or 千元 instead of yuan. Handled, not rejected:
unsorted rows (the store is keyed, order is irrelevant); settle = 0 (kept: the ETF-option exercise value at
expiry; analytics treat a zero futures settle as missing); negative commodity-futures prices (WTI 2020-04-20).

The import is one DuckDB transaction: it commits completely or not at all (also when the process is killed).
Re-importing the same bundle changes no data; a changed value for an existing key replaces the old one, and the
old row is kept in ``replaced_values`` and counted in ``ingest_log``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from cnradar.errors import BundleError, explain
from cnradar.store import Store
from cnradar.store.release import apply_rule, validate_rule
from cnradar.store.schema import IMPORT_ORDER, KINDS, TABLES, TableSpec

MAX_PROBLEMS = 25
PRICE_COLUMNS = ("open", "high", "low", "close", "settle")
#: Median of amount / (volume x size x price) per symbol must lie in this band (1 = amount in yuan).
AMOUNT_RATIO_BAND = (0.05, 20.0)
#: For indices, amount / volume is the average share price in yuan.
INDEX_PRICE_PER_SHARE_BAND = (0.3, 2000.0)

Progress = Callable[[str, int, int], None]


@dataclass
class Bundle:
    """A bundle read from disk: validated, typed tables ready to import."""

    path: Path
    meta: dict[str, object]
    tables: dict[str, pd.DataFrame]
    extras: dict[str, pd.DataFrame]
    content_hash: str
    files: list[Path] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or self.path.name)

    @property
    def synthetic(self) -> bool:
        return bool(self.meta.get("synthetic", False))

    def rows(self) -> int:
        return sum(len(t) for t in self.tables.values()) + sum(len(t) for t in self.extras.values())


@dataclass
class ImportReport:
    """What one import did, table by table."""

    bundle: str
    ingest_id: int
    seconds: float
    tables: pd.DataFrame  # table, rows_in, rows_new, rows_replaced, rows_unchanged

    @property
    def changed(self) -> bool:
        return bool((self.tables["rows_new"] + self.tables["rows_replaced"]).sum())


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, what: str, constraint: str, received: object, fix: str) -> None:
        self.items.append(explain(f"{where}: {what}", constraint, received, fix))

    def raise_if_any(self, bundle: Path) -> None:
        if self.items:
            shown = self.items[:MAX_PROBLEMS]
            more = len(self.items) - len(shown)
            tail = f"\n  ... and {more} more" if more > 0 else ""
            raise BundleError(f"bundle {bundle} is invalid; nothing was written:\n  " + "\n  ".join(shown) + tail)


# ---------------------------------------------------------------------- reading
def _table_files(root: Path, spec: TableSpec) -> list[Path]:
    if spec.location.endswith("/"):
        folder = root / spec.location.rstrip("/")
        return sorted(p for p in folder.glob("*") if p.suffix in (".csv", ".parquet")) if folder.is_dir() else []
    return [p for p in (root / f"{spec.location}.csv", root / f"{spec.location}.parquet") if p.exists()]


def _read_raw(path: Path) -> pd.DataFrame:
    """Read a file: CSV as text columns (blank = NA), Parquet with its own types; ``_line`` is the 1-based
    line (CSV) or row (Parquet).

    A CSV row with more fields than the header (e.g. an unquoted thousands separator) is a structural error,
    raised at once with the parser's line number.
    """
    if path.suffix == ".parquet":
        df = pd.read_parquet(path)  # typed columns stay typed; _coerce parses only text
        df["_line"] = np.arange(1, len(df) + 1)
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                df = pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""], encoding="utf-8",
                                 index_col=False)
        except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError) as exc:
            raise BundleError(explain(f"{path}: unreadable CSV", "UTF-8, one field per header column",
                                      str(exc).replace("Error tokenizing data. C error: ", ""),
                                      "Quote fields that contain commas; write numbers without separators.")) from exc
        df["_line"] = np.arange(2, len(df) + 2)
    df["_file"] = str(path)
    return df


def _coerce(df: pd.DataFrame, spec: TableSpec, rel: str, problems: _Problems) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for col, typ in spec.columns.items():
        raw = df[col] if col in df.columns else pd.Series(pd.NA, index=df.index, dtype="string")
        if typ == "date" and pd.api.types.is_datetime64_any_dtype(raw):
            out[col] = raw.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]") if raw.dt.tz else \
                raw.dt.normalize().astype("datetime64[ns]")
            continue
        if typ == "float" and (pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw)):
            out[col] = raw.astype("float64")
            continue
        raw = raw.astype("string").str.strip()
        if typ == "date":
            parsed = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
            bad = raw.notna() & parsed.isna()
            for i in np.flatnonzero(bad.to_numpy())[:5]:
                problems.add(f"{rel} line {df['_line'].iat[i]}", f"column {col} is not a date",
                             "ISO format YYYY-MM-DD", raw.iat[i], "Write the date as e.g. 2024-01-19.")
            out[col] = parsed.astype("datetime64[ns]")
        elif typ == "float":
            parsed = pd.to_numeric(raw, errors="coerce")
            bad = raw.notna() & parsed.isna()
            for i in np.flatnonzero(bad.to_numpy())[:5]:
                problems.add(f"{rel} line {df['_line'].iat[i]}", f"column {col} is not a number",
                             "a plain decimal number (no thousands separators or units)", raw.iat[i],
                             "Fix the value or leave it blank for unknown.")
            out[col] = parsed.astype("float64")
        else:
            out[col] = raw.astype(object).where(raw.notna(), None)
    out["_line"] = df["_line"].to_numpy()
    out["_file"] = rel
    return out


def _pandera_schema(spec: TableSpec) -> pa.DataFrameSchema:
    """Value rules per table (types are already coerced); nullable mirrors ``required``."""
    checks: dict[str, list[pa.Check]] = {c: [] for c in spec.columns}
    if spec.name == "instruments":
        checks["kind"].append(pa.Check.isin(KINDS))
        checks["multiplier"].append(pa.Check.gt(0))
        checks["unit"].append(pa.Check.gt(0))
        checks["right"].append(pa.Check.isin(["C", "P"]))
    if spec.name == "bars":
        for c in ("volume", "open_interest", "amount"):
            checks[c].append(pa.Check.ge(0))
    if spec.name == "option_adjustments":
        for c in ("strike_before", "strike_after", "unit_before", "unit_after"):
            checks[c].append(pa.Check.gt(0))
    if spec.name == "convertible_terms":
        for c in ("par", "conversion_price"):
            checks[c].append(pa.Check.gt(0))
    cols = {c: pa.Column(nullable=c not in spec.required, checks=checks[c] or None, required=True)
            for c in spec.columns}
    return pa.DataFrameSchema(cols, strict=False)


def _check_values(df: pd.DataFrame, spec: TableSpec, problems: _Problems) -> None:
    try:
        _pandera_schema(spec).validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        for _, row in fc.head(MAX_PROBLEMS).iterrows():
            idx = row.get("index")
            where = f"{df['_file'].iat[0]}"
            if idx is not None and not pd.isna(idx) and idx in df.index:
                where = f"{df.at[idx, '_file']} line {df.at[idx, '_line']}"
            check = str(row.get("check"))
            what = f"column {row.get('column')} fails {check}"
            if "not_nullable" in check:
                what = f"column {row.get('column')} is blank but required"
            problems.add(where, what, f"rule {check}", row.get("failure_case"),
                         "Fix the value in the bundle.")


def _check_duplicates(df: pd.DataFrame, spec: TableSpec, problems: _Problems) -> None:
    key = list(spec.key)
    dup = df.duplicated(key, keep=False) & df[key].notna().all(axis=1)
    if dup.any():
        first = df[dup].sort_values(key).head(6)
        for _, g in first.groupby(key, sort=False):
            lines = ", ".join(f"{f} line {n}" for f, n in zip(g["_file"], g["_line"], strict=True))
            problems.add(lines, f"duplicate key in {spec.name}", f"({', '.join(key)}) must be unique",
                         tuple(g[key].iloc[0].astype(str)), "Keep one row per key.")


def _size_of(instruments: pd.DataFrame) -> pd.Series:
    size = instruments["multiplier"].fillna(instruments["unit"]).fillna(1.0)
    return pd.Series(size.to_numpy(), index=instruments["symbol"])


def _check_bars(bars: pd.DataFrame, instruments: pd.DataFrame, problems: _Problems) -> None:
    known = set(instruments["symbol"])
    unknown = ~bars["symbol"].isin(known)
    for _, row in bars[unknown].drop_duplicates("symbol").head(5).iterrows():
        problems.add(f"{row['_file']} line {row['_line']}", "bar for an unknown symbol",
                     "every bar's symbol must be in instruments.csv (this bundle or the store)", row["symbol"],
                     "Add the instrument or drop its bars.")
    kind = bars["symbol"].map(pd.Series(instruments["kind"].to_numpy(), index=instruments["symbol"]))
    price = bars[list(PRICE_COLUMNS)]
    negative = (price < 0).any(axis=1) & (kind != "commodity_future")
    for _, row in bars[negative].head(5).iterrows():
        col = next(c for c in PRICE_COLUMNS if row[c] < 0)
        problems.add(f"{row['_file']} line {row['_line']}", f"negative {col} for {row['symbol']} on "
                     f"{row['date'].date()}", "prices must be >= 0 (only commodity futures may go negative)",
                     row[col], "Fix the price; blank means unknown.")
    _check_amount_units(bars, instruments, kind, problems)


def _check_amount_units(bars: pd.DataFrame, instruments: pd.DataFrame, kind: pd.Series,
                        problems: _Problems) -> None:
    """Order-of-magnitude check of ``amount`` (yuan) per symbol against volume x size x price."""
    ok = bars["amount"].gt(0) & bars["volume"].gt(0) & bars["close"].gt(0)
    if not ok.any():
        return
    b = bars.loc[ok, ["symbol", "amount", "volume", "close", "_file", "_line"]].copy()
    k = kind[ok]
    size = b["symbol"].map(_size_of(instruments))
    is_index = k.eq("index").to_numpy()
    ratio = np.where(is_index, b["amount"] / b["volume"], b["amount"] / (b["volume"] * size * b["close"]))
    b["ratio"] = ratio
    b["is_index"] = is_index
    med = b.groupby("symbol").agg(ratio=("ratio", "median"), is_index=("is_index", "first"),
                                  file=("_file", "first"), line=("_line", "first"))
    lo_i, hi_i = INDEX_PRICE_PER_SHARE_BAND
    lo, hi = AMOUNT_RATIO_BAND
    bad = np.where(med["is_index"], (med["ratio"] < lo_i) | (med["ratio"] > hi_i),
                   (med["ratio"] < lo) | (med["ratio"] > hi))
    for sym, row in med[bad].head(5).iterrows():
        guess = "10,000x too small: 万元?" if row["ratio"] < 1e-2 * (lo_i if row["is_index"] else 1) else "off"
        constraint = ("amount / volume (yuan per share) in {:g}..{:g}".format(*INDEX_PRICE_PER_SHARE_BAND) if row["is_index"]
                      else "amount / (volume x multiplier x close) ~ 1 (in {:g}..{:g})".format(*AMOUNT_RATIO_BAND))
        problems.add(f"{row['file']} (first line {row['line']})", f"amount of {sym} is not in yuan ({guess})",
                     constraint, round(float(row["ratio"]), 6), "Convert amounts to yuan (万元 x 10,000).")


def _check_references(tables: dict[str, pd.DataFrame], store_symbols: set[str], store_series: set[str],
                      problems: _Problems) -> None:
    symbols = store_symbols | set(tables.get("instruments", pd.DataFrame({"symbol": []}))["symbol"])
    for name in ("option_adjustments", "convertible_terms"):
        t = tables.get(name)
        if t is None:
            continue
        for _, row in t[~t["symbol"].isin(symbols)].head(3).iterrows():
            problems.add(f"{row['_file']} line {row['_line']}", f"{name} row for an unknown symbol",
                         "the symbol must be in instruments", row["symbol"], "Add the instrument.")
    obs = tables.get("observations")
    if obs is not None:
        series = store_series | set(tables.get("series", pd.DataFrame({"series": []}))["series"])
        for _, row in obs[~obs["series"].isin(series)].drop_duplicates("series").head(5).iterrows():
            problems.add(f"{row['_file']} line {row['_line']}", "observation of an unknown series",
                         "every series must be declared in series.csv", row["series"], "Declare the series.")
    ser = tables.get("series")
    if ser is not None:
        for _, row in ser.iterrows():
            try:
                validate_rule(row["release_rule"], f"{row['_file']} line {row['_line']}")
            except BundleError as exc:
                problems.items.append(str(exc))


def _hash_files(files: list[Path], root: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def bundle_content_hash(path: str | os.PathLike[str]) -> str:
    """SHA-256 over every file a bundle import reads (names and bytes) — the ``content_hash`` in the log."""
    root = Path(path)
    files = [root / "meta.json"] if (root / "meta.json").exists() else []
    for name in IMPORT_ORDER:
        files += _table_files(root, TABLES[name])
    extra = root / "bars_extra"
    if extra.is_dir():
        files += [p for p in sorted(extra.glob("*")) if p.suffix in (".csv", ".parquet")]
    return _hash_files(files, root)


def already_imported(store: Store, path: str | os.PathLike[str]) -> bool:
    """True when the store's latest import of this bundle had exactly these files (nothing to re-validate)."""
    log = store.sql("SELECT content_hash FROM ingest_log WHERE path = ? ORDER BY ingest_id DESC LIMIT 1",
                    [str(Path(path).resolve())])
    return bool(len(log)) and log["content_hash"].iat[0] == bundle_content_hash(path)


def read_bundle(path: str | os.PathLike[str], *, store: Store | None = None) -> Bundle:
    """Read and validate a bundle; raise :class:`BundleError` listing every problem (nothing is written).

    ``store`` supplies symbols and series already imported, so a bundle may add bars for known instruments.
    """
    root = Path(path)
    if not root.is_dir():
        raise BundleError(explain("no bundle", "a folder with meta.json, instruments.csv, bars/, ...", str(root),
                                  "Pass the bundle folder (e.g. ../shared/data/real)."))
    meta_path = root / "meta.json"
    meta: dict[str, object] = {}
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise BundleError(explain(f"{meta_path}: invalid JSON", "a JSON object", str(exc), "Fix meta.json.")) from exc
    problems = _Problems()
    tables: dict[str, pd.DataFrame] = {}
    files: list[Path] = [meta_path] if meta_path.exists() else []
    for name in IMPORT_ORDER:
        spec = TABLES[name]
        paths = _table_files(root, spec)
        if not paths:
            continue
        parts = []
        for p in paths:
            files.append(p)
            rel = str(p.relative_to(root))
            raw = _read_raw(p)
            cols = [c for c in raw.columns if c not in ("_line", "_file")]
            unknown = [c for c in cols if c not in spec.columns]
            if unknown:
                problems.add(rel, "unknown column", f"columns of {name}: {', '.join(spec.columns)}", unknown,
                             "Rename or drop the column (see DESIGN.md, 'The data bundle').")
            missing = [c for c in spec.columns if c not in cols]
            if missing:
                problems.add(rel, "missing column", f"columns of {name}: {', '.join(spec.columns)}", missing,
                             "Add the column (blank values mean unknown).")
                continue
            parts.append(_coerce(raw, spec, rel, problems))
        if parts:
            df = pd.concat(parts, ignore_index=True)
            _check_values(df, spec, problems)
            _check_duplicates(df, spec, problems)
            tables[name] = df
    extras = _read_extras(root, problems, files)
    store_symbols = set(store.instruments()["symbol"]) if store is not None else set()
    store_series = set(store.series_catalog()["series"]) if store is not None else set()
    _check_references(tables, store_symbols, store_series, problems)
    if "bars" in tables:
        inst = tables.get("instruments", pd.DataFrame(columns=list(TABLES["instruments"].columns)))
        if store is not None:
            inst = pd.concat([store.instruments(), inst[list(TABLES["instruments"].columns)]], ignore_index=True)
            inst = inst.drop_duplicates("symbol", keep="last")
        _check_bars(tables["bars"], inst, problems)
    problems.raise_if_any(root)
    if "observations" in tables:
        catalog = tables.get("series")
        rules = {} if catalog is None else dict(zip(catalog["series"], catalog["release_rule"], strict=True))
        if store is not None:
            rules = {**dict(store.series_catalog()[["series", "release_rule"]].itertuples(index=False)), **rules}
        tables["observations"] = _fill_release_dates(tables["observations"], rules)
    return Bundle(root, meta, tables, extras, _hash_files(files, root), files)


def _fill_release_dates(obs: pd.DataFrame, rules: dict[str, str]) -> pd.DataFrame:
    obs = obs.copy()
    obs["release_inferred"] = obs["release_date"].isna()
    for series, idx in obs[obs["release_inferred"]].groupby("series").groups.items():
        obs.loc[idx, "release_date"] = apply_rule(rules[series], obs.loc[idx, "period"]).to_numpy()
    dup = obs.duplicated(["series", "period", "release_date"], keep=False)
    if dup.any():
        row = obs[dup].iloc[0]
        raise BundleError(explain(f"{row['_file']} line {row['_line']}: duplicate observation after applying the "
                                  "release rule", "one value per (series, period, release date)",
                                  (row["series"], str(row["period"].date())), "Drop the duplicate row."))
    return obs


def _read_extras(root: Path, problems: _Problems, files: list[Path]) -> dict[str, pd.DataFrame]:
    folder = root / "bars_extra"
    extras: dict[str, pd.DataFrame] = {}
    if not folder.is_dir():
        return extras
    for p in sorted(folder.glob("*")):
        if p.suffix not in (".csv", ".parquet"):
            continue
        files.append(p)
        rel = str(p.relative_to(root))
        raw = _read_raw(p)
        cols = [c for c in raw.columns if c not in ("_line", "_file")]
        if "symbol" not in cols or "date" not in cols:
            problems.add(rel, "extra table without symbol/date", "columns symbol, date, then numbers", cols,
                         "Add symbol and date columns.")
            continue
        spec = TableSpec(p.stem, {"symbol": "str", "date": "date", **{c: "float" for c in cols[2:]
                                                                       if c not in ("symbol", "date")}},
                         required=("symbol", "date"), key=("symbol", "date"), location=rel)
        df = _coerce(raw, spec, rel, problems)
        _check_duplicates(df, spec, problems)
        extras[p.stem.replace("-", "_").lower()] = df
    return extras


# ---------------------------------------------------------------------- importing
def _upsert(con, table: str, frame: pd.DataFrame, key: tuple[str, ...], ingest_id: int) -> tuple[int, int, int]:
    cols = [c for c in frame.columns if not c.startswith("_")]
    con.register("_in", frame[cols])
    try:
        on = " AND ".join(f't."{k}" = i."{k}"' for k in key)
        values = [c for c in cols if c not in key]
        differs = " OR ".join(f't."{c}" IS DISTINCT FROM i."{c}"' for c in values) or "FALSE"
        stats = con.execute(f"""
            SELECT count(*) FILTER (WHERE t."{key[0]}" IS NULL),
                   count(*) FILTER (WHERE t."{key[0]}" IS NOT NULL AND ({differs})),
                   count(*) FILTER (WHERE t."{key[0]}" IS NOT NULL AND NOT ({differs}))
            FROM _in i LEFT JOIN "{table}" t ON {on}""").fetchall()[0]
        if stats[1]:
            key_json = "to_json({" + ", ".join(f"'{k}': t.\"{k}\"" for k in key) + "})"
            con.execute(f"""INSERT INTO replaced_values
                SELECT {ingest_id}, '{table}', {key_json}, to_json(t)
                FROM "{table}" t JOIN _in i ON {on} WHERE {differs}""")
        if stats[0] or stats[1]:
            collist = ", ".join(f'"{c}"' for c in cols)
            keys = ", ".join(f'"{k}"' for k in key)
            upd = ", ".join(f'"{c}" = excluded."{c}"' for c in values)
            conflict = f"DO UPDATE SET {upd}" if upd else "DO NOTHING"
            con.execute(f'INSERT INTO "{table}" ({collist}) SELECT {collist} FROM _in ON CONFLICT ({keys}) {conflict}')
        return int(stats[0]), int(stats[1]), int(stats[2])
    finally:
        con.unregister("_in")


def _ensure_extra_table(con, name: str, frame: pd.DataFrame) -> None:
    cols = [c for c in frame.columns if not c.startswith("_")]
    table = f"extra_{name}"
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchall()[0][0]
    if not exists:
        defs = ", ".join(['"symbol" VARCHAR', '"date" DATE'] + [f'"{c}" DOUBLE' for c in cols if c not in
                                                                 ("symbol", "date")])
        con.execute(f'CREATE TABLE "{table}" ({defs}, PRIMARY KEY ("symbol", "date"))')
        return
    have = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                      "ORDER BY ordinal_position", [table]).fetchall()]
    if sorted(have) != sorted(cols):
        raise BundleError(explain(f"bars_extra/{name}: columns differ from the store's extra_{name}",
                                  f"columns {have}", cols, "Use the same columns as the earlier import."))


def import_bundle(store: Store, path: str | os.PathLike[str] | Bundle, *,
                  progress: Progress | None = None) -> ImportReport:
    """Validate and import a bundle into ``store`` in one transaction; return what changed.

    >>> # with Store.open(tmp) as s: import_bundle(s, "../shared/data/real").tables
    """
    started = time.time()
    bundle = path if isinstance(path, Bundle) else read_bundle(path, store=store)
    steps = [(n, TABLES[n].key, df) for n, df in bundle.tables.items()]
    steps += [(f"extra_{n}", ("symbol", "date"), df) for n, df in bundle.extras.items()]
    # Crash-safety tests pause here, mid-transaction, and kill the process (tests/store/test_ingest.py).
    pause = float(os.environ.get("CNRADAR_TEST_PAUSE_IN_INGEST", "0") or 0)
    ingest_id = int(store.con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingest_log").fetchall()[0][0])
    rows = []
    with store.transaction() as con:
        for i, (table, key, df) in enumerate(steps):
            if progress:
                progress(f"importing {table}", i, len(steps))
            if table.startswith("extra_"):
                _ensure_extra_table(con, table.removeprefix("extra_"), df)
            new, replaced, unchanged = _upsert(con, table, df, key, ingest_id)
            rows.append({"table": table, "rows_in": len(df), "rows_new": new, "rows_replaced": replaced,
                         "rows_unchanged": unchanged})
            if pause and i == 0:
                marker = os.environ.get("CNRADAR_TEST_PAUSE_MARKER")
                if marker:
                    Path(marker).touch()
                time.sleep(pause)
        finished = time.time()
        for r in rows:
            con.execute("INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, to_timestamp(?), to_timestamp(?))",
                        [ingest_id, bundle.name, str(bundle.path.resolve()), bundle.content_hash, r["table"], r["rows_in"],
                         r["rows_new"], r["rows_replaced"], r["rows_unchanged"], started, finished])
        con.execute("INSERT INTO bundles VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (bundle) DO UPDATE SET "
                    "synthetic = excluded.synthetic, description = excluded.description, "
                    "meta_json = excluded.meta_json, content_hash = excluded.content_hash, path = excluded.path",
                    [bundle.name, bundle.synthetic, str(bundle.meta.get("description", "")),
                     json.dumps(bundle.meta, ensure_ascii=False), bundle.content_hash, str(bundle.path.resolve())])
    if progress:
        progress("done", len(steps), len(steps))
    return ImportReport(bundle.name, ingest_id, time.time() - started, pd.DataFrame(rows))
