"""Timing backtest and hit rates on hand-computed examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cnradar.errors import DataError
from cnradar.report.evaluation import hit_rates, timing_backtest

IDX = pd.bdate_range("2024-01-01", periods=4)


def test_timing_backtest_hand_example():
    close = pd.Series([100.0, 110.0, 99.0, 108.9], IDX)
    comp = pd.Series([0.5, -0.2, 0.4, 0.1], IDX)
    nav, stats = timing_backtest(comp, close, periods_per_year=242)
    # positions from the previous day's composite: [0, 1, 0, 1] -> returns 0.1, 0, 0.1
    np.testing.assert_allclose(nav["strategy"].to_numpy(), [1.0, 1.1, 1.1, 1.21])
    np.testing.assert_allclose(nav["buy_hold"].to_numpy(), [1.0, 1.1, 0.99, 1.089])
    assert stats.loc["buy_hold", "max_drawdown"] == pytest.approx(-0.1)
    assert stats.loc["strategy", "max_drawdown"] == pytest.approx(0.0)
    assert stats.loc["strategy", "annual_return"] == pytest.approx(1.21 ** (242 / 3) - 1)
    assert stats.loc["strategy", "turnover"] == pytest.approx(3 * 242 / 3)  # three one-way trades in 3 days
    x = np.array([0.1, -0.1, 0.1])
    assert stats.loc["buy_hold", "volatility"] == pytest.approx(np.std(x, ddof=1) * np.sqrt(242))


def test_timing_backtest_costs():
    close = pd.Series([100.0, 110.0, 99.0, 108.9], IDX)
    comp = pd.Series([0.5, -0.2, 0.4, 0.1], IDX)
    nav, _ = timing_backtest(comp, close, cost=0.01)
    assert nav["strategy"].iloc[-1] == pytest.approx(1.09 * 0.99 * 1.09)


def test_timing_backtest_needs_data():
    with pytest.raises(DataError, match="needs at least 3 days"):
        timing_backtest(pd.Series([np.nan] * 4, IDX), pd.Series([1.0, 2, 3, 4], IDX))


def test_hit_rates_hand_example():
    idx = pd.bdate_range("2024-01-01", periods=5)
    close = pd.Series([100.0, 101, 99, 102, 103], idx)  # 1-day forward returns: +, -, +, +, nan
    scores = pd.DataFrame({"a": [1.0, 1.0, 1.0, -1.0, 1.0], "b": [0.0, np.nan, -1.0, 0.0, 1.0]}, idx)
    hr = hit_rates(scores, close, horizon=1)
    assert hr.loc["a", "n_signals"] == 4 and hr.loc["a", "hit_rate"] == pytest.approx(2 / 4)
    assert hr.loc["b", "n_signals"] == 1 and hr.loc["b", "hit_rate"] == pytest.approx(0.0)
    assert hr.loc["a", "fwd_when_bullish"] == pytest.approx(np.mean([0.01, 99 / 101 - 1, 102 / 99 - 1]))
    assert hr.loc["a", "fwd_when_bearish"] == pytest.approx(103 / 102 - 1)
