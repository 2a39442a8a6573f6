"""Hedge backtests, convergence and the dividend estimator on hand-checkable inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cnradar import calendar as cal
from cnradar.errors import ConfigError
from cnradar.futures.chains import build_chain
from cnradar.futures.convergence import convergence_table
from cnradar.futures.dividends import expected_dividend_points
from cnradar.futures.hedging import RollRule, hedge_backtest, near_far_choice
from cnradar.futures.measures import compute_measures

from ._synthetic import synthetic_frames

A = -0.0004


@pytest.fixture(scope="module")
def contracts():
    bars, idx, inst = synthetic_frames("IF", a=A)
    return compute_measures(build_chain("IF", bars, idx, inst)).contracts


@pytest.mark.parametrize("rule", ["current", "current:5", "next", "quarter", "far_quarter", "cheapest"])
def test_linear_curve_costs_a_per_day_under_every_rule(contracts, rule):
    # basis = S a d with S constant: holding any contract one day gives up exactly S a points (a per day)
    res = hedge_backtest(contracts, rule)
    np.testing.assert_allclose(res.daily["pnl_rate"], A, rtol=1e-9)
    assert res.summary["cost_per_month"] == pytest.approx(-20 * A)
    assert res.summary["total_pnl"] == pytest.approx(A * res.summary["days"])


def test_current_rule_rolls_at_each_expiry(contracts):
    res = hedge_backtest(contracts, "current")
    expiries = sorted({cal.cffex_last_trading_day(f"IF{y % 100:02d}{m:02d}") for y, m in
                       [(2023, 11), (2023, 12), (2024, 1), (2024, 2), (2024, 3), (2024, 4), (2024, 5), (2024, 6)]})
    assert list(res.rolls["date"]) == expiries
    assert res.rolls.iloc[0]["from"] == "IF2311.CFE" and res.rolls.iloc[0]["to"] == "IF2312.CFE"
    early = hedge_backtest(contracts, "current:5")
    assert (early.rolls["date"] < pd.DatetimeIndex(expiries)).all()
    assert all(cal.trading_days_between(d, e) == 5 for d, e in zip(early.rolls["date"], expiries, strict=True))


def test_cost_per_side_is_charged_per_trade(contracts):
    base = hedge_backtest(contracts, "current")
    costly = hedge_backtest(contracts, "current", cost_per_side=0.0001)
    n_trades = 1 + 2 * len(base.rolls)
    assert base.summary["total_pnl"] - costly.summary["total_pnl"] == pytest.approx(0.0001 * n_trades)


def test_slow_reference_agrees_on_a_noisy_curve():
    bars, idx, inst = synthetic_frames("IF", a=A, drift=0.001)
    rng = np.random.default_rng(3)
    bars = bars.assign(settle=bars["settle"] + rng.normal(0, 2, len(bars)).round(1))
    c = compute_measures(build_chain("IF", bars, idx, inst)).contracts
    res = hedge_backtest(c, "current")
    # reference: walk day by day, hold the nearest contract with days > 0 chosen at the previous close
    dates = sorted(c["date"].unique())
    held, pnl = None, []
    for prev, day in zip(dates[:-1], dates[1:], strict=True):
        p = c[c["date"] == prev].set_index("symbol")
        if held is None or p.loc[held, "days_to_expiry"] <= 0:
            live = p[p["days_to_expiry"] > 0].sort_values("days_to_expiry")
            held = live.index[0]
        t = c[c["date"] == day].set_index("symbol")
        pnl.append(-(t.loc[held, "basis_points"] - p.loc[held, "basis_points"]) / p.loc[held, "index_close"])
    np.testing.assert_allclose(res.daily["pnl_rate"].to_numpy(), pnl, rtol=1e-9, atol=1e-12)


def test_rule_parsing():
    assert RollRule.parse("current:5") == RollRule("current", 5)
    assert RollRule.parse("quarter").name == "quarter"
    with pytest.raises(ConfigError, match="unknown roll target"):
        RollRule.parse("nearest")
    with pytest.raises(ConfigError, match="unreadable roll rule"):
        RollRule.parse("current-5")


def test_convergence_on_linear_basis(contracts):
    t = convergence_table(contracts).set_index("symbol")
    full = t.dropna(subset=["basis_20", "basis_1"])
    assert len(full) >= 5
    # basis points = 3000 a d: 20->10 changes by -10 * 3000 a, 10->1 by -9 * 3000 a; 1 - 15/20 recovered
    np.testing.assert_allclose(full["short_loss_20_10"], -10 * 3000 * A)
    np.testing.assert_allclose(full["short_loss_10_1"], -9 * 3000 * A)
    np.testing.assert_allclose(full["recovery_20_15"], 0.25)
    assert (full["regime"] == "calm").all()  # a flat index has no volatility


DIVS = pd.DataFrame({"index": "000300.SH", "ex_date": pd.to_datetime(["2023-06-15", "2023-07-10", "2024-06-20"]),
                     "points": [10.0, 5.0, 12.0]})


def test_dividend_methods_hand_example():
    dates = pd.to_datetime(["2024-06-01", "2024-06-01"])
    exp = pd.to_datetime(["2024-07-19", "2024-06-21"])
    est, src = expected_dividend_points(DIVS[DIVS["ex_date"] < "2024-01-01"], "000300.SH", dates, exp,
                                        method="last_year")
    assert est.tolist() == [15.0, 10.0] and set(src) == {"last_year"}
    act, _ = expected_dividend_points(DIVS, "000300.SH", dates, exp, method="actual")
    assert act.tolist() == [12.0, 12.0]
    # auto: actual up to the last ex-date (2024-06-20), last year's 2023-07-10 moved to 2024-07-10 after it
    auto, src = expected_dividend_points(DIVS, "000300.SH", dates, exp, method="auto")
    assert auto.tolist() == [17.0, 12.0]
    assert list(src) == ["actual+last_year", "actual+last_year"]  # both expiries lie past 2024-06-20
    none, src = expected_dividend_points(None, "000300.SH", dates, exp)
    assert np.isnan(none).all() and set(src) == {"none"}


def test_dividend_yield_scaling_and_staleness():
    closes = pd.Series([4000.0, 4000.0], index=pd.to_datetime(["2023-06-14", "2023-07-07"]))
    d, _ = expected_dividend_points(DIVS.iloc[:2], "000300.SH", pd.to_datetime(["2024-06-01"]),
                                    pd.to_datetime(["2024-07-19"]), method="last_year", scale="yield",
                                    spot=np.array([2000.0]), index_close=closes)
    assert d[0] == pytest.approx(7.5)  # the index halved: same yield, half the points
    stale, src = expected_dividend_points(DIVS.iloc[:2], "000300.SH", pd.to_datetime(["2024-07-11"]),
                                          pd.to_datetime(["2024-08-16"]), method="last_year")
    assert np.isnan(stale[0]) and src[0] == "none"
    with pytest.raises(ConfigError, match="unknown dividend method"):
        expected_dividend_points(DIVS, "000300.SH", [], [], method="guess")


def test_dividend_adjustment_recovers_true_points_from_demo_prices(demo_bundle, demo_store):
    """The demo prices F = (S e^{r tau} - D) e^{s tau} with the true D; with its truth files (r, s) the
    dividend implied by each settle must equal the store's D(t, T) computed by this package."""
    from cnradar.futures.monitor import load_measures

    truth = demo_bundle / "truth"
    sent = next(iter(truth.glob("futures_sentiment.*")), None)
    if sent is None:
        pytest.skip("demo bundle has no truth/futures_sentiment")
    s = pd.read_parquet(sent) if sent.suffix == ".parquet" else pd.read_csv(sent, parse_dates=["date"])
    m = load_measures(demo_store, "IF", asof=None, dividend_method="actual")
    c = m.contracts[(m.contracts["days_to_expiry"] > 0) & (m.contracts["price_source"] == "settle")]
    shibor = demo_store.observations("cn.rate.shibor_3m", asof=None)
    if shibor.empty:
        pytest.skip("demo has no cn.rate.shibor_3m")
    r = shibor.set_index("period")["value"].sort_index()
    r = np.log1p(r.reindex(pd.DatetimeIndex(c["date"]), method="ffill").to_numpy() / 100)
    sv = s[s["product"] == "IF"].set_index("date")["sentiment_basis"].reindex(c["date"]).to_numpy()
    tau = c["calendar_days"].to_numpy() / 365.0
    implied = c["index_close"].to_numpy() * np.exp(r * tau) - c["price"].to_numpy() * np.exp(-sv * tau)
    ok = np.isfinite(implied) & np.isfinite(sv)
    assert ok.sum() > 1000
    err = np.abs(implied[ok] - c["dividend_points"].to_numpy()[ok])
    assert np.median(err) < 0.2  # settles are rounded to 0.2 points


def test_near_far_choice_by_hand():
    # January: near costs -1.0 %/month, far -0.4 % → spread +0.6 %: the far contract is cheaper per month;
    # February: near -0.2 %, far -0.5 % → spread -0.3 %: near. A NaN day is left out of the monthly mean.
    days = pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04", "2024-02-01", "2024-02-02"])
    daily = pd.DataFrame({"monthly_ratio_20": [-0.012, -0.008, np.nan, -0.002, -0.002],
                          "monthly_ratio_120": [-0.005, -0.003, -0.1, -0.005, -0.005]}, index=days)
    got = near_far_choice(daily).set_index("period")
    assert list(got.index) == ["2024-01", "2024-02"]
    assert got.loc["2024-01", "monthly_ratio_20"] == pytest.approx(-0.010)
    assert got.loc["2024-01", "monthly_ratio_120"] == pytest.approx(-0.004)
    assert got["spread_120_20"].to_numpy() == pytest.approx([0.006, -0.003])
    assert list(got["cheaper"]) == ["far", "near"]
    # the far contract must win by more than the threshold: 1 % per month keeps January on the near one
    assert list(near_far_choice(daily, threshold=0.01)["cheaper"]) == ["near", "near"]
