"""Evaluation: backtest mechanics, performance statistics and signal study on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cnradar.radar import engine
from cnradar.radar import evaluate as ev

from ._synth import make_store

IDX = pd.bdate_range("2024-01-01", periods=5)


def test_backtest_next_close_by_hand():
    bars = pd.DataFrame({"close": [100.0, 110.0, 99.0, 108.9, 108.9]}, index=IDX)
    w = pd.Series([1.0, 1.0, 0.0, 0.0, 0.0], index=IDX)
    d = ev.backtest(w, bars, execution="next_close", cost_bps=10.0)
    # decided at close 0, traded at close 1 (cost 10 bp on |Δw| = 1), earns day 2's -10 %; sold at close 3
    np.testing.assert_allclose(d["strategy"], [0.0, -0.001, -0.1, 0.1 - 0.001, 0.0], atol=1e-12)
    np.testing.assert_allclose(d["benchmark"], [0.0, 0.1, -0.1, 0.1, 0.0], atol=1e-12)


def test_backtest_next_open_by_hand():
    bars = pd.DataFrame({"open": [100.0, 105.0, 100.0, 100.0, 100.0],
                         "close": [100.0, 110.0, 99.0, 99.0, 99.0]}, index=IDX)
    w = pd.Series([1.0, 1.0, 1.0, 1.0, 1.0], index=IDX)
    d = ev.backtest(w, bars, execution="next_open", cost_bps=0.0)
    # bought at the open of day 1: earns 110/105 - 1 that day, then overnight 100/110 and intraday 99/100
    assert d["strategy"].iloc[1] == pytest.approx(110 / 105 - 1)
    assert d["strategy"].iloc[2] == pytest.approx(99 / 110 - 1)


def test_performance_by_hand():
    r = pd.Series([0.1, -0.1, 0.1])
    p = ev.performance(r, pd.Series([1.0, 0.0, 0.0]), periods_per_year=243)
    value = 1.1 * 0.9 * 1.1
    assert p["annual_return"] == pytest.approx(value ** (243 / 3) - 1)
    assert p["volatility"] == pytest.approx(np.std([0.1, -0.1, 0.1], ddof=1) * np.sqrt(243))
    assert p["max_drawdown"] == pytest.approx(-0.1)
    assert p["turnover"] == pytest.approx(243 / 3)
    assert p["sharpe"] == pytest.approx(np.mean(r) * 243 / p["volatility"])


def test_signal_study_by_hand():
    close = pd.Series([100.0, 101.0, 99.0, 100.0], index=IDX[:4])
    scores = pd.DataFrame({"x": [1.0, -1.0, 1.0, np.nan]}, index=IDX[:4])
    s = ev.signal_study(scores, close, horizons=(1,))
    up = s[(s["state"] == 1)].iloc[0]
    # +1 on day 0 (next +1 %) and day 2 (next +1.01 %): both hits
    assert up["days"] == 2 and up["hit_rate"] == 1.0
    assert up["mean_return"] == pytest.approx((0.01 + 100 / 99 - 1) / 2)
    down = s[s["state"] == -1].iloc[0]
    assert down["days"] == 1 and down["hit_rate"] == 1.0       # -1 then a fall of 1.98 %


def test_weights():
    c = pd.Series([-1.0, 0.0, 0.5, np.nan])
    np.testing.assert_allclose(ev.composite_weight(c, "scaled"), [0, 0.5, 0.75, 0])
    np.testing.assert_allclose(ev.composite_weight(c, "long_flat"), [0, 0, 1, 0])
    np.testing.assert_allclose(ev.composite_weight(c, "long_short"), [-1, 0, 0.5, 0])


def test_evaluate_on_synthetic_store():
    store = make_store()
    out = ev.evaluate(store, asof="2013-12-31", split="2011-01-04")
    perf = out.performance.set_index(["period", "series"])
    assert perf.loc[("out_of_sample", "strategy"), "start"] == pd.Timestamp("2011-01-04")
    assert set(out.signals["indicator"]) >= {"composite", "pb"}
    assert set(out.signals["benchmark"]) == {"000300.SH", "000985.CSI"}
    hist = engine.score_history(store, asof="2013-12-31")
    assert out.daily.index[0] == hist.composite.dropna().index[0]
