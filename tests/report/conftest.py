"""Fixtures of the report tests (small hand-made inputs; see report_testdata.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from cnradar.report.labels import INDICATORS


def seed_scores(table: dict[str, tuple[float, float]], days: int = 800, end: str = "2025-03-21") -> pd.DataFrame:
    """A daily score history whose last two Fridays are the seed's two weeks; earlier days are random."""
    idx = pd.bdate_range(end=end, periods=days)
    rng = np.random.default_rng(3)
    ids = [r[0] for r in INDICATORS]
    frame = pd.DataFrame(np.sign(rng.normal(size=(days, len(ids)))), index=idx, columns=ids)
    last_friday = idx[-1]
    prev_week = idx[(idx > last_friday - pd.Timedelta(days=7))]
    for ind, (last, this) in table.items():
        frame.loc[prev_week, ind] = this
        frame.loc[last_friday - pd.Timedelta(days=7), ind] = last
    return frame



@pytest.fixture
def history(seed_table):
    scores = seed_scores(seed_table)
    idx = scores.index
    rng = np.random.default_rng(5)
    raw = pd.Series(np.cumsum(rng.normal(size=len(idx))) + 50, idx)
    factor = (raw - raw.rolling(120, min_periods=20).mean()) / raw.rolling(120, min_periods=20).std()
    details = {ind: pd.DataFrame({"raw": raw, "factor": factor}) for ind in scores.columns}
    return SimpleNamespace(scores=scores, details=details,
                           thresholds={"monetary_strength": (-1.5, 1.5)}, proxies={"risk_aversion": "us.vix"})


class FakeStore:
    """The slice of the Store API the report reads."""

    def __init__(self, close: pd.Series | None = None, synthetic: bool = True):
        self._close = close
        self._synthetic = synthetic

    def meta(self):
        return {"synthetic": self._synthetic, "bundles": [{"bundle": "fake", "synthetic": self._synthetic}]}

    def bars(self, symbols=None, *, asof, columns=None, **kw):
        if self._close is None:
            return pd.DataFrame(columns=["symbol", "date", "close"])
        c = self._close.loc[: pd.Timestamp(asof)]
        return pd.DataFrame({"symbol": "000300.SH", "date": c.index, "close": c.to_numpy()})

    def last_date(self, kind=None):
        return None if self._close is None else self._close.index[-1]

    def sql(self, query, params=None):
        raise RuntimeError("no SQL in the fake store")


@pytest.fixture
def close_series(seed_table):
    idx = seed_scores(seed_table).index
    rng = np.random.default_rng(11)
    return pd.Series(3500 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx)))), idx)


@pytest.fixture(name="FakeStore")
def fake_store_class():
    return FakeStore
