"""Convertibles pipeline: terms defaults, market inputs, the deviation series (small fixtures + real bundle)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cnradar.convertibles.deviation import (
    MARKET_COLUMNS,
    compute_bond_deviation,
    load_market_deviation,
    market_deviation,
    update_deviation,
)
from cnradar.convertibles.market import credit_spread_table, current_conversion_price, realised_vol
from cnradar.convertibles.terms import terms_from_row
from cnradar.errors import ConfigError, DataError

ROW = {"symbol": "113001.SH", "stock": "600001.SH", "issue_date": pd.Timestamp("2020-01-10"),
       "maturity_date": pd.Timestamp("2026-01-10"), "par": 100.0, "redemption_price": 108.0,
       "coupons": "0.2;0.4;0.6;1.0;1.5;2.0", "conversion_price": 10.0}


def test_blank_clauses_get_declared_defaults_and_are_flagged():
    t = terms_from_row(ROW)
    assert t.defaults_used == ("call", "put", "reset")
    assert (t.call.trigger, t.call.m, t.call.n) == (1.30, 15, 30)
    assert (t.put.trigger, t.put.m, t.put.n, t.put.years) == (0.70, 30, 30, 2.0)
    assert (t.reset.trigger, t.reset.m, t.reset.n) == (0.85, 15, 30)
    own = terms_from_row({**ROW, "call_trigger": 120, "call_m": 20, "call_n": 30, "put_trigger": 0.7,
                          "reset_trigger": 0.9})
    assert own.defaults_used == () and own.call.trigger == pytest.approx(1.2) and own.call.m == 20


def test_missing_coupons_and_redemption_flagged():
    t = terms_from_row({**ROW, "coupons": None, "redemption_price": float("nan"),
                        "maturity_date": pd.Timestamp("2025-01-10")})
    assert {"coupons", "redemption"} <= set(t.defaults_used)
    assert t.coupons == (0.3, 0.5, 1.0, 1.5, 1.8)  # 5-year bond: the standard schedule cut to its life
    assert t.cash_flows()["amount"].iloc[-1] == pytest.approx(101.8)  # par + last coupon


@pytest.mark.parametrize(("row", "field"), [
    ({"conversion_price": None}, "conversion_price"),
    ({"maturity_date": pd.Timestamp("2019-01-01")}, "maturity_date"),
    ({"call_trigger": 0.95}, "call_trigger"),
])
def test_bad_rows_rejected_with_bond_and_field(row, field):
    with pytest.raises(DataError, match=rf"bad terms for 113001\.SH: {field}"):
        terms_from_row({**ROW, **row})


def test_realised_vol_matches_loop_reference():
    rng = np.random.default_rng(0)
    dates = pd.date_range("2019-01-04", periods=120, freq="W-FRI")
    px = 10 * np.exp(np.cumsum(0.04 * rng.standard_normal(120)))
    px[60] = px[59] * 0.45  # a bonus issue: dropped as a corporate action
    px[61:] *= 0.45
    frame = pd.DataFrame({"symbol": "A", "date": dates, "close": px})
    out = realised_vol(frame, floor=1e-6, cap=10.0)
    # slow reference: returns dated in (t − 365 d, t], |ln| ≤ 0.5, sample std × √52, ≥ 26 returns
    lr = np.log(px[1:] / px[:-1])
    for i in (30, 59, 61, 80, 119):
        t = dates[i]
        sel = [k for k in range(1, i + 1) if dates[k] > t - pd.Timedelta(days=365) and abs(lr[k - 1]) <= 0.5]
        r = lr[[k - 1 for k in sel]]
        expect = np.std(r, ddof=1) * math.sqrt(52) if len(r) >= 26 else np.nan
        got = out.loc[out["date"] == t, "sigma"].iloc[0]
        if np.isnan(expect):
            assert np.isnan(got)
        else:
            assert got == pytest.approx(expect, rel=1e-10)
    capped = realised_vol(frame, floor=0.5, cap=0.6)["sigma"].dropna()
    assert capped.between(0.5, 0.6).all()


def test_conversion_price_in_force_from_conversion_value():
    an = pd.DataFrame({"stock_close": [5.4, 8.0, np.nan], "conversion_value": [81.2672, 0.0, 90.0]})
    k = current_conversion_price(an)
    assert k.iloc[0] == pytest.approx(100 * 5.4 / 81.2672)
    assert k.iloc[1:].isna().all()


def test_credit_table_and_overrides():
    t = credit_spread_table({"AA": 0.02})
    assert t.spread(None) == 0.02 and t.spread("AAA") == pytest.approx(0.006)
    with pytest.raises(ConfigError, match="unknown rating"):
        t.spread("BBB-")


def test_market_aggregate_by_hand():
    bonds = pd.DataFrame({
        "date": pd.to_datetime(["2021-01-08"] * 4 + ["2021-01-15"] * 2),
        "deviation": [0.10, -0.05, 0.02, 0.50, 0.01, 0.03],
        "balance": [1e9, 3e9, np.nan, 1e9, np.nan, np.nan],
        "included": [True, True, True, False, True, True],
        "default_terms": ["call,put,reset,rating", "", "rating", "rating", "rating", ""],
    })
    m = market_deviation(bonds)
    assert list(m.columns) == MARKET_COLUMNS
    a, b = m.iloc[0], m.iloc[1]
    assert a["deviation_median"] == pytest.approx(0.02)
    assert a["deviation_weighted"] == pytest.approx((0.10 * 1 - 0.05 * 3) / 4)  # unbalanced bond drops out
    assert (a["n_bonds"], a["n_default_terms"]) == (3, 2)
    assert b["deviation_median"] == pytest.approx(0.02) and np.isnan(b["deviation_weighted"])


# ------------------------------------------------------------------------------------------ real bundle
def test_real_cross_section_2021(real_store):
    bonds = compute_bond_deviation(real_store, asof="2021-06-30", start="2021-06-21")
    inc = bonds[bonds["included"]]
    assert len(inc) > 200  # ~250 live bonds priced
    assert inc["default_terms"].str.contains("call").all()  # the real bundle has no clauses: all flagged
    assert inc["model_value"].between(60, 400).all()
    med = inc["deviation"].median()
    assert -0.3 < med < 0.3
    # the model value never sits below conversion value (American conversion is allowed)
    assert (inc["model_value"] >= inc["conversion_value"] - 1e-6).all()
    assert set(bonds["exclude_reason"]) <= {"", "missing_inputs", "call_triggered", "before_listing",
                                            "last_month", "bad_terms"}


def test_real_update_is_incremental(real_store):
    first = update_deviation(real_store, asof="2017-12-31")
    m1 = load_market_deviation(real_store, asof="2017-12-31")
    assert len(first) > 0 and not m1.empty and list(m1.columns) == MARKET_COLUMNS
    again = update_deviation(real_store, asof="2017-12-31")
    assert again.empty  # nothing new
    more = update_deviation(real_store, asof="2018-02-28")
    assert more["date"].min() > pd.Timestamp("2017-12-31")
    m2 = load_market_deviation(real_store, asof="2018-02-28")
    assert len(m2) > len(m1)
    pd.testing.assert_frame_equal(m2[m2["date"] <= "2017-12-31"].reset_index(drop=True), m1)
