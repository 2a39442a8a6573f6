"""Chains, measures and the monitor on synthetic data with known answers, on bad input, and on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cnradar.errors import DataError, UnknownNameError
from cnradar.futures.chains import build_chain, listing_mismatches
from cnradar.futures.measures import compute_measures
from cnradar.futures.monitor import basis_history, basis_monitor, monitor_from_measures, recommended_hedge

from ._synthetic import FrameStore, synthetic_frames

A = -0.0004


@pytest.fixture(scope="module")
def frames():
    return synthetic_frames("IF", a=A)


@pytest.fixture(scope="module")
def measures(frames):
    bars, idx, inst = frames
    return compute_measures(build_chain("IF", bars, idx, inst))


def test_chain_days_and_slots_hand_checked(frames):
    bars, idx, inst = frames
    ch = build_chain("IF", bars, idx, inst)
    day = ch[ch["date"] == "2024-01-19"].set_index("symbol")
    # IF2401's last trading day; IF2402 expires 2024-02-19 after the Spring Festival: 5 + 5 + 4 + 1 sessions
    assert day.loc["IF2401.CFE", "days_to_expiry"] == 0
    assert day.loc["IF2402.CFE", "days_to_expiry"] == 15
    assert day.loc["IF2402.CFE", "calendar_days"] == 31
    assert list(day["slot_name"]) == ["current", "next", "quarter", "far_quarter"]
    nxt = ch[ch["date"] == "2024-01-22"]
    assert list(nxt["symbol"]) == ["IF2402.CFE", "IF2403.CFE", "IF2406.CFE", "IF2409.CFE"]
    assert listing_mismatches(ch).empty
    # open interest rises as expiry nears in the fixture: the current month is the main contract
    assert ch.groupby("date")["is_main"].sum().eq(1).all()
    assert nxt.iloc[0]["is_main"]


def test_every_measure_on_the_linear_curve(measures):
    c = measures.contracts
    live = c[c["days_to_expiry"] > 0]
    np.testing.assert_allclose(live["basis_rate"], A * live["days_to_expiry"], rtol=1e-9)
    np.testing.assert_allclose(live["daily_average"], A, rtol=1e-9)
    np.testing.assert_allclose(live["annualised"], A * 243, rtol=1e-9)
    np.testing.assert_allclose(live["annualised_calendar"], A * live["days_to_expiry"] * 365 / live["calendar_days"],
                               rtol=1e-9)
    np.testing.assert_allclose(live["basis_points"], 3000 * A * live["days_to_expiry"], rtol=1e-9)
    assert c.loc[c["days_to_expiry"] == 0, "daily_average"].isna().all()
    d = measures.daily
    for n in (20, 40, 60, 120):  # linear in days: r_N = a N, so the monthly ratio is 20 a for every N
        np.testing.assert_allclose(d[f"monthly_ratio_{n}"], 20 * A, rtol=1e-9)
        np.testing.assert_allclose(d[f"cm_rate_{n}"], A * n, rtol=1e-9)
    np.testing.assert_allclose(d["near_far_daily_spread"].dropna(), 0.0, atol=1e-12)
    # no dividend table: adjusted basis is NaN and says why, never a silent zero
    assert c["dividend_source"].eq("none").all() and c["div_adj_points"].isna().all()


def test_monitor_history_and_hedge_on_fake_store(frames):
    store = FrameStore(*frames)
    mon = basis_monitor(store, "IF", asof="2024-01-21")  # a Sunday: the Friday is used
    assert mon.date == pd.Timestamp("2024-01-19")
    ts = mon.term_structure
    assert list(ts["contract"]) == ["IF2401.CFE", "IF2402.CFE", "IF2403.CFE", "IF2406.CFE"]
    assert ts.loc[1, "days_to_expiry"] == 15
    assert ts.loc[1, "basis_rate"] == pytest.approx(15 * A)
    assert mon.monthly_ratios["monthly"].to_numpy() == pytest.approx([20 * A] * 4)
    assert mon.to_dict()["term_structure"][0]["daily_average"] is None  # expiry day: undefined, JSON null
    h = basis_history(store, "IF", asof="2024-03-01", measure="monthly_ratio_20")
    assert h.index[-1] == pd.Timestamp("2024-03-01") and h.to_numpy() == pytest.approx(20 * A)
    with pytest.raises(UnknownNameError, match="monthly_ratio_20"):
        basis_history(store, "IF", asof="2024-03-01", measure="monthly_ratio_30")
    rec = recommended_hedge(store, "IF", asof="2024-01-19")
    assert rec.days_to_expiry >= 5 and rec.daily_average == pytest.approx(A)


def test_hedge_choice_prefers_lowest_daily_cost(frames):
    bars, idx, inst = frames
    bars = bars.copy()
    far = bars["symbol"] == "IF2406.CFE"
    bars.loc[far, ["close", "settle"]] += 30.0  # a smaller discount on the far contract: cheaper per day
    mon = monitor_from_measures(compute_measures(build_chain("IF", bars, idx, inst)), date="2024-02-01")
    assert mon.recommended.symbol == "IF2406.CFE"
    assert "cheaper than the nearest contract IF2402.CFE" in mon.recommended.reason


def test_zero_settle_is_missing_not_a_price(frames):
    bars, idx, inst = frames
    bars = bars.copy()
    hit = (bars["symbol"] == "IF2403.CFE") & (bars["date"] == "2024-02-01")
    bars.loc[hit, "settle"] = 0.0
    bars.loc[hit, "close"] = 2990.0
    ch = build_chain("IF", bars, idx, inst).set_index(["date", "symbol"])
    row = ch.loc[(pd.Timestamp("2024-02-01"), "IF2403.CFE")]
    assert row["price"] == 2990.0 and row["price_source"] == "close"


def test_missing_index_close_gives_nan_and_monitor_refuses(frames):
    bars, idx, inst = frames
    idx = idx[idx["date"] != "2024-02-01"]
    m = compute_measures(build_chain("IF", bars, idx, inst))
    assert m.daily.loc["2024-02-01", "monthly_ratio_20"] != m.daily.loc["2024-02-01", "monthly_ratio_20"]  # NaN
    with pytest.raises(DataError, match="index close missing for 000300.SH"):
        monitor_from_measures(m, date="2024-02-01")


def test_contract_without_expiry_uses_the_calendar_rule(frames):
    bars, idx, inst = frames
    ch = build_chain("IF", bars, idx, inst.iloc[0:0])  # no instrument terms at all
    ref = build_chain("IF", bars, idx, inst)
    pd.testing.assert_series_equal(ch["expiry"], ref["expiry"])
    bad = bars.copy()
    bad.loc[bad.index[0], "symbol"] = "IFXX01.CFE"
    with pytest.raises(DataError, match="unparseable CFFEX contract code"):
        build_chain("IF", bad, idx, inst)


def test_day_with_one_listed_contract_has_no_monthly_ratio(frames):
    bars, idx, inst = frames
    day = pd.Timestamp("2024-02-01")
    keep = (bars["date"] != day) | (bars["symbol"] == "IF2402.CFE")
    m = compute_measures(build_chain("IF", bars[keep], idx, inst))
    assert np.isnan(m.daily.loc[day, "monthly_ratio_20"])
    assert m.daily.loc[day, "basis_rate_current"] == pytest.approx(A * m.daily.loc[day, "days_current"])


def test_unknown_product():
    from cnradar.errors import ConfigError
    with pytest.raises(ConfigError, match="unknown CFFEX product"):
        build_chain("XX", pd.DataFrame({"symbol": ["IF2401.CFE"]}), pd.DataFrame(), None)


# ---------------------------------------------------------------- real data (skips without the bundle)

def test_real_chains_follow_the_listing_rule(real_store):
    from cnradar.futures.monitor import load_measures
    for product in ("IF", "IH", "IC", "IM"):
        m = load_measures(real_store, product, asof=None)
        bad = listing_mismatches(m.contracts)
        assert bad.empty, bad.head()
        assert m.contracts["listed_by_rule"].all()
        assert m.contracts.groupby("date").size().eq(4).all()


def test_real_seed_numbers_ic1612_listing_and_if1612_convergence(real_store):
    """Seed §三(一): IC1612 listed 2016-04-18 at 5193 with a 1088-point discount; §二 事件E: IF1612 went from
    -22.9 to -4.30 points between 20 and 15 trading days before expiry (81 %). Close prices, as the seed."""
    from cnradar.futures.convergence import convergence_table
    from cnradar.futures.monitor import load_measures
    ic = load_measures(real_store, "IC", asof="2016-04-18", start="2016-04-18", price="close").contracts
    row = ic[ic["symbol"] == "IC1612.CFE"].iloc[0]
    assert row["price"] == pytest.approx(5193.0, abs=0.5)
    assert row["basis_points"] == pytest.approx(-1088.0, abs=0.5)
    fut = load_measures(real_store, "IF", asof="2017-02-01", start="2016-09-01", price="close").contracts
    conv = convergence_table(fut).set_index("symbol")
    assert conv.loc["IF1612.CFE", "basis_20"] == pytest.approx(-22.9, abs=0.05)
    assert conv.loc["IF1612.CFE", "basis_15"] == pytest.approx(-4.30, abs=0.05)
    assert conv.loc["IF1612.CFE", "recovery_20_15"] == pytest.approx(0.81, abs=0.01)
    assert conv.loc["IF1611.CFE", "recovery_20_15"] == pytest.approx(0.47, abs=0.01)
    assert conv.loc["IF1701.CFE", "recovery_20_15"] == pytest.approx(0.59, abs=0.01)
