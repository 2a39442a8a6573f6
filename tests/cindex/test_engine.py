"""Weights, rolls and the daily engine: golden cases, hand-checked mechanics, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnradar.cindex.engine import compute_index, product_correlations
from cnradar.cindex.methodology import get_methodology, parse_methodology
from cnradar.cindex.weights import capped_weights
from cnradar.errors import DataError, MethodologyError

from .synth import synthetic_bars


# ----------------------------------------------------------------------------- weights
def test_bcom_capping_golden_case():
    cip = pd.Series({"crude": 20, "gold": 18, "gas": 12, "copper": 10} | {f"x{i}": 5 for i in range(8)})
    w = capped_weights(cip, single=0.15) * 100
    assert w["crude"] == pytest.approx(15) and w["gold"] == pytest.approx(15)
    # by hand: crude and gold capped at 15 free 8 points, shared pro rata by the other 62: factor 70/62
    assert w["gas"] == pytest.approx(12 * 70 / 62, abs=1e-9)  # 13.548387
    assert w["copper"] == pytest.approx(10 * 70 / 62, abs=1e-9)  # 11.290323
    assert w[[f"x{i}" for i in range(8)]].to_numpy() == pytest.approx(5 * 70 / 62, abs=1e-9)  # 5.645161


@settings(max_examples=60, deadline=None)
@given(cl=st.floats(8, 30), co=st.floats(4, 20), rest=st.lists(st.floats(1, 8), min_size=10, max_size=16))
def test_wti_plus_brent_is_exactly_15_percent_when_crude_exceeds_it(cl, co, rest):
    raw = pd.Series({"CL": cl, "CO": co} | {f"x{i}": v for i, v in enumerate(rest)})
    share = (cl + co) / raw.sum()
    w = capped_weights(raw, single=0.15, commodity={"CL": "crude", "CO": "crude"})
    assert w.sum() == pytest.approx(1)
    if share > 0.15:
        assert w["CL"] + w["CO"] == pytest.approx(0.15, abs=1e-12)
        assert w["CL"] / w["CO"] == pytest.approx(cl / co)  # split pro rata inside the commodity
    assert max(w["CL"] + w["CO"], w.drop(["CL", "CO"]).max()) <= 0.15 + 1e-12


def test_group_complex_floor_and_multiple_of_average():
    raw = pd.Series({"a": 50, "b": 20, "c": 10, "d": 10, "e": 5, "f": 5})
    w = capped_weights(raw, group={"a": "g", "b": "g"}, group_cap=0.5)
    assert w["a"] + w["b"] == pytest.approx(0.5) and w["a"] / w["b"] == pytest.approx(2.5)
    w = capped_weights(raw, multiple_of_average=1.5)  # SPCI-style: no weight above 1.5 / 6 = 25 %
    assert w.max() == pytest.approx(0.25) and w.sum() == pytest.approx(1)
    w = capped_weights(raw, floor=0.08)
    assert w.min() == pytest.approx(0.08) and w.sum() == pytest.approx(1)
    with pytest.raises(MethodologyError, match="weight caps cannot be met"):
        capped_weights(pd.Series({"a": 1, "b": 1}), single=0.3)


# ----------------------------------------------------------------------------- daily mechanics
def _one(product: str, *, averaging="arithmetic", conv="discount_91", extra=None) -> object:
    """A one- (or two-) constituent GSCI-style methodology with the GSCI roll table."""
    d = get_methodology("GSCI").model_dump(by_alias=True)
    cons = {c["product"]: c for c in d["constituent"]}
    keep = [product] + ([extra] if extra else [])
    d["constituent"] = [{**cons[k], "weight": 100 / len(keep)} for k in keep]
    d["calculation"] = {**d["calculation"], "averaging": averaging, "base_date": "2023-12-29",
                        "collateral_convention": conv}
    return parse_methodology(d)


def _bars(rows):
    return pd.DataFrame(rows, columns=["symbol", "date", "settle"])


def test_gsci_daily_mechanics_hand_checked():
    """Hand example: January 2024, WTI rolls from CL2402 to CL2403 on business days 5–9 (Jan 5..11).

    CL2402 = 70, CL2403 = 71 except on Mon 8 Jan, when CL2402 = 77 (+10 %). After Jan 5 the roll weight is
    20 % in CL2403, so on Jan 8 (yesterday's roll weights on both days):
        CDR = (0.8·77 + 0.2·71) / (0.8·70 + 0.2·71) − 1 = 75.8 / 70.2 − 1 = 0.0797720798
    and on Jan 9 CL2402 is back at 70: CDR = (0.6·70 + 0.4·71)/(0.6·77 + 0.4·71) − 1 = 70.4/74.6 − 1.
    TBR over the weekend Fri 5 → Mon 8 with TBAR = 5 %: [1/(1 − 91/360·0.05)]^(3/91) − 1.
    """
    days = pd.bdate_range("2023-12-29", "2024-01-31")
    rows = []
    for d in days:
        rows.append(("CL2402.NYM", d, 77.0 if d == pd.Timestamp("2024-01-08") else 70.0))
        rows.append(("CL2403.NYM", d, 71.0))
    rates = pd.Series(5.0, index=days)
    res = compute_index(_one("CL.NYM"), _bars(rows), rates=rates)
    lv = res.levels.set_index("date")
    er = lv["excess"]
    assert er[:"2024-01-05"].to_numpy() == pytest.approx(100.0)
    assert er["2024-01-08"] == pytest.approx(100 * 75.8 / 70.2, rel=1e-12)
    assert er["2024-01-09"] == pytest.approx(100 * 75.8 / 70.2 * 70.4 / 74.6, rel=1e-12)
    assert er.iloc[-1] == pytest.approx(er["2024-01-09"], rel=1e-12)  # flat prices after: no roll jump in ER
    # spot follows the held contract's price: 70 before the roll, 71 after
    assert lv["spot"]["2024-01-02"] == pytest.approx(100) and lv["spot"].iloc[-1] == pytest.approx(100 * 71 / 70)
    tbr_weekend = (1 / (1 - 91 / 360 * 0.05)) ** (3 / 91) - 1
    tbr_day = (1 / (1 - 91 / 360 * 0.05)) ** (1 / 91) - 1
    tr = lv["total"]
    assert tr["2024-01-08"] / tr["2024-01-05"] == pytest.approx(1 + 75.8 / 70.2 - 1 + tbr_weekend, rel=1e-12)
    assert tr["2024-01-03"] / tr["2024-01-02"] == pytest.approx(1 + tbr_day, rel=1e-12)
    sched = res.roll_schedule
    jan = sched[sched["month"] == "2024-01"].iloc[0]
    assert (jan["roll_from"], jan["roll_to"]) == ("CL2402.NYM", "CL2403.NYM")
    assert jan["window_start"] == pd.Timestamp("2024-01-05") and jan["window_end"] == pd.Timestamp("2024-01-11")


def _reference_er(m, bars) -> pd.Series:
    """Slow, obvious reference: loop over days, positions from a per-day dictionary, quantities fixed at each
    rebalance (no roll); used only against a rollless two-constituent case."""
    px = bars.pivot_table(index="date", columns="symbol", values="settle")
    w = {c.product: c.weight / 100 for c in m.constituents}
    syms = {k: [s for s in px.columns if s.endswith(k.split(".")[1]) and s.startswith(k.split(".")[0])][0]
            for k in w}
    level, q, out = 100.0, None, []
    for i, d in enumerate(px.index):
        if i > 0:
            num = sum(q[k] * px.loc[d, syms[k]] for k in w)
            den = sum(q[k] * px.loc[px.index[i - 1], syms[k]] for k in w)
            level *= num / den
        if q is None:
            q = {k: w[k] / px.loc[d, syms[k]] for k in w}
        out.append(level)
    return pd.Series(out, index=px.index)


def test_engine_agrees_with_a_slow_reference_inside_one_period():
    days = pd.bdate_range("2023-12-29", "2024-01-04")  # before any roll window, one rebalance period
    rng = np.random.default_rng(3)
    rows = []
    for d in days:
        rows.append(("CL2402.NYM", d, 70 * np.exp(rng.normal(0, 0.02))))
        rows.append(("GC2402.CMX", d, 2000 * np.exp(rng.normal(0, 0.02))))
    bars = _bars(rows)
    m = _one("CL.NYM", extra="GC.CMX")
    res = compute_index(m, bars)
    ref = _reference_er(m, bars)
    assert res.levels.set_index("date")["excess"].to_numpy() == pytest.approx(ref.to_numpy(), rel=1e-12)


# ----------------------------------------------------------------------------- properties
def test_constant_prices_give_a_flat_excess_return_index():
    m = get_methodology("BCOM")
    bars = synthetic_bars([c.product for c in m.constituents], "2019-01-01", "2020-12-31", flat=True)
    res = compute_index(m, bars)
    assert res.levels["excess"].to_numpy() == pytest.approx(100.0, rel=1e-12)
    assert len(res.roll_schedule) > 100


def test_pure_contango_gives_negative_roll_yield_closed_form():
    """Flat spot S, F = S·exp(c·τ): every held position loses c per year, so ER_T = 100·exp(−c·T) exactly
    (T in years of calendar days), while the spot index stays near 100: roll yield ER − spot < 0."""
    m = get_methodology("GSCI")
    bars = synthetic_bars([c.product for c in m.constituents], "2019-01-01", "2020-12-31", flat=True, carry=0.08)
    lv = compute_index(m, bars).levels
    years = (lv["date"].iloc[-1] - lv["date"].iloc[0]).days / 365
    assert lv["excess"].iloc[-1] == pytest.approx(100 * np.exp(-0.08 * years), rel=1e-9)
    assert lv["spot"].iloc[-1] == pytest.approx(100, abs=2)
    assert (lv["excess"] - lv["spot"]).iloc[-1] < -10
    bars = synthetic_bars([c.product for c in m.constituents], "2019-01-01", "2020-12-31", flat=True, carry=-0.05)
    assert compute_index(m, bars).levels["excess"].iloc[-1] > 100  # backwardation: positive roll yield


def test_arithmetic_vs_geometric_when_only_one_constituent_moves():
    """Seed §二(五): when only part of the constituents move, the geometric index rises more slowly and falls
    faster than the arithmetic one."""
    days = pd.bdate_range("2023-12-29", "2024-01-04")
    for step in (1.05, 0.95):
        rows = []
        for i, d in enumerate(days):
            rows.append(("CL2402.NYM", d, 70.0 * step**i))
            rows.append(("GC2402.CMX", d, 2000.0))
        bars = _bars(rows)
        ar = compute_index(_one("CL.NYM", extra="GC.CMX"), bars).levels["excess"].iloc[-1]
        ge = compute_index(_one("CL.NYM", extra="GC.CMX", averaging="geometric"), bars).levels["excess"].iloc[-1]
        n = len(days) - 1
        assert ge == pytest.approx(100 * step ** (n / 2), rel=1e-12)  # Π r^w with w = ½
        assert ar == pytest.approx(100 * (0.5 * step**n + 0.5), rel=1e-12)  # quantities fixed
        assert ge < ar


def test_constituent_joins_at_a_later_rebalance_and_missing_is_listed():
    m = get_methodology("CN_NONFERROUS")
    early = synthetic_bars(["CU.SHF", "AL.SHF", "ZN.SHF"], "2009-06-01", "2012-12-31", seed=1)
    late = synthetic_bars(["NI.SHF"], "2011-03-01", "2012-12-31", seed=2)
    res = compute_index(m, pd.concat([early, late]))
    assert set(res.missing) == {"PB.SHF", "SN.SHF"}
    w = res.weights.pivot(index="rebalance_date", columns="product", values="weight").fillna(0)
    assert w.loc["2010-01-04", "NI.SHF"] == 0 and w.loc["2012-01-04", "NI.SHF"] > 0
    assert w.sum(axis=1).to_numpy() == pytest.approx(1)
    assert w.max(axis=1).max() <= 0.35 + 1e-12  # the file's single-commodity cap
    lv = res.levels.set_index("date")["excess"]
    assert abs(lv["2012-01-05"] / lv["2012-01-04"] - 1) < 0.1  # no jump when NI joins


def test_errors_name_the_problem():
    with pytest.raises(DataError, match="no price data for index GSCI"):
        compute_index("GSCI", _bars([("CU2405.SHF", pd.Timestamp("2024-01-02"), 1.0)]))


def test_continuous_mode_and_correlations():
    days = pd.bdate_range("2009-01-01", "2011-12-30")
    rng = np.random.default_rng(0)
    common = rng.normal(0, 0.01, len(days))
    rows = []
    for k, mult in (("CU.SHF", 1.0), ("AL.SHF", 0.8), ("ZN.SHF", 1.2)):
        p = 1000 * np.exp(np.cumsum(common * mult + rng.normal(0, 0.005, len(days))))
        rows.append(pd.DataFrame({"symbol": f"{k}.CONT", "date": days, "close": p, "settle": np.nan,
                                  "volume": 1e5, "open_interest": 1e5}))
    res = compute_index("CN_NONFERROUS", pd.concat(rows), mode="continuous")
    assert res.mode == "continuous" and res.levels["excess"].iloc[0] == 1000
    corr = product_correlations(res)
    assert (corr["correlation"] > 0.8).all() and corr["last_weight"].sum() == pytest.approx(1)
