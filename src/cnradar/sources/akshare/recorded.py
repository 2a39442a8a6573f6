"""Recorded AkShare frames: save real responses once, replay them offline (tests, demos, bug reports).

A recording is one JSON file per function, ``<function>.json``::

    {"function": "...", "date_column": "date" | null,
     "records": [{"match": {kwarg: value, ...}, "dtypes": {column: dtype}, "rows": [[...], ...]}, ...]}

``dtypes`` keeps AkShare's exact dtypes: ``float64``, ``int64``, ``object`` (text), ``date`` (``datetime.date``
objects, what AkShare's ``.dt.date`` gives) or ``datetime64[ns]``. :class:`RecordedFetcher` serves the first
record whose ``match`` is contained in the call's arguments; with ``date_column`` the rows are cut to the call's
``start_date``/``end_date`` window. No matching record -> an empty frame, as AkShare returns for a non-trading day.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cnradar.errors import SourceError, explain


def frame_from_record(record: dict[str, Any]) -> pd.DataFrame:
    """Rebuild a frame with the recorded dtypes."""
    dtypes: dict[str, str] = record["dtypes"]
    cols = list(dtypes)
    rows = record.get("rows", [])
    data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    out = {}
    for c, kind in dtypes.items():
        values = data[c]
        if kind == "date":
            out[c] = pd.Series([dt.date.fromisoformat(v) if v else None for v in values], dtype=object)
        elif kind == "datetime64[ns]":
            out[c] = pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]")
        elif kind == "object":
            out[c] = pd.Series(values, dtype=object)
        else:
            out[c] = pd.Series([np.nan if v is None else v for v in values], dtype=kind)
    return pd.DataFrame(out, columns=cols)


def record_from_frame(frame: pd.DataFrame, match: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON-able record of ``frame`` (inverse of :func:`frame_from_record`)."""
    dtypes, cols = {}, []
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            dtypes[c] = "datetime64[ns]"
            cols.append(s.dt.strftime("%Y-%m-%d %H:%M:%S").where(s.notna(), None).tolist())
        elif s.dtype == object and s.map(lambda v: isinstance(v, dt.date)).any():
            dtypes[c] = "date"
            cols.append([v.isoformat() if isinstance(v, dt.date) else None for v in s])
        elif pd.api.types.is_numeric_dtype(s.dtype):
            dtypes[c] = str(s.dtype)
            cols.append([None if pd.isna(v) else v.item() if hasattr(v, "item") else v for v in s])
        else:
            dtypes[c] = "object"
            cols.append([None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in s])
    return {"match": match or {}, "dtypes": dtypes, "rows": [list(r) for r in zip(*cols, strict=True)]}


def _ymd(value: Any) -> pd.Timestamp:
    return pd.Timestamp(str(value))


class RecordedFetcher:
    """Serve recorded frames from a folder of ``<function>.json`` files; ``calls`` logs every request."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._cache: dict[str, dict[str, Any]] = {}

    def _load(self, function: str) -> dict[str, Any]:
        if function not in self._cache:
            path = self.folder / f"{function}.json"
            if not path.exists():
                raise SourceError(explain("no recorded frame", f"a file {path.name} in {self.folder}",
                                          function, "Record the function's output with record_from_frame."))
            self._cache[function] = json.loads(path.read_text(encoding="utf-8"))
        return self._cache[function]

    def __call__(self, function: str, /, **kwargs: Any) -> pd.DataFrame:
        self.calls.append((function, kwargs))
        doc = self._load(function)
        for rec in doc["records"]:
            if all(str(kwargs.get(k)) == str(v) for k, v in rec.get("match", {}).items()):
                frame = frame_from_record(rec)
                col = doc.get("date_column")
                if col and "start_date" in kwargs and len(frame):
                    day = pd.to_datetime(frame[col].astype(str), format="mixed")
                    keep = day >= _ymd(kwargs["start_date"])
                    if "end_date" in kwargs:
                        keep &= day <= _ymd(kwargs["end_date"])
                    frame = frame[keep.to_numpy()].reset_index(drop=True)
                    if frame.empty:
                        return pd.DataFrame()
                return frame
        return pd.DataFrame()
