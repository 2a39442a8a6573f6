"""Deterministic bundle writing: CSV for small tables, Parquet (same columns) for large ones.

Byte-identical output for the same input: CSV floats are written with ``repr`` after rounding, dates as ISO
``YYYY-MM-DD``, ``\\n`` line ends; Parquet files carry no pandas metadata, dates as ``date32`` and a fixed
compression, row-group size and writer version.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: tables with more rows than this are written as Parquet
PARQUET_MIN_ROWS = 20_000


def _coerce_dates(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding only timestamps/NaT (from concatenated frames) become datetime64."""
    out = df
    for c in df.columns:
        col = df[c]
        if col.dtype == object:
            vals = col.dropna()
            if len(vals) and all(isinstance(v, pd.Timestamp | np.datetime64) for v in vals):
                out = out.copy() if out is df else out
                out[c] = pd.to_datetime(col)
    return out


def _date_cols(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c])]


def write_table(df: pd.DataFrame, path_no_ext: Path, *, parquet: bool | None = None) -> Path:
    """Write ``df`` to ``path_no_ext`` + ``.csv`` or ``.parquet``; returns the path written."""
    path_no_ext.parent.mkdir(parents=True, exist_ok=True)
    df = _coerce_dates(df)
    use_parquet = len(df) > PARQUET_MIN_ROWS if parquet is None else parquet
    if use_parquet:
        arrays = {}
        for c in df.columns:
            col = df[c]
            if pd.api.types.is_datetime64_any_dtype(col):
                arrays[c] = pa.array(col.to_numpy().astype("datetime64[D]"), type=pa.date32())
            elif pd.api.types.is_float_dtype(col) or pd.api.types.is_integer_dtype(col):
                arrays[c] = pa.array(col.to_numpy(dtype=float), type=pa.float64())
            else:
                arrays[c] = pa.array(col.astype(object).where(col.notna(), None).tolist(), type=pa.string())
        table = pa.table(arrays)
        path = path_no_ext.with_suffix(".parquet")
        pq.write_table(table, path, compression="zstd", compression_level=3, row_group_size=1_000_000,
                       version="2.6", write_statistics=True, store_schema=False)
        return path
    out = df.copy()
    for c in _date_cols(out):
        out[c] = out[c].dt.strftime("%Y-%m-%d")
    path = path_no_ext.with_suffix(".csv")
    out.to_csv(path, index=False, lineterminator="\n", na_rep="")
    return path


def write_json(obj: object, path: Path) -> Path:
    """Pretty, key-sorted JSON with a trailing newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=_default) + "\n",
                    encoding="utf-8")
    return path


def _default(o: object) -> object:
    if isinstance(o, np.integer | np.floating):
        return o.item()
    if isinstance(o, pd.Timestamp):
        return o.strftime("%Y-%m-%d")
    raise TypeError(type(o))
