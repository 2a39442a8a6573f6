"""cnradar.quant.basis against hand-computed examples, np.interp and a slow per-row reference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnradar.errors import ConfigError
from cnradar.quant import basis as qb


def test_basis_points_and_rate_hand_example():
    # IC1612 on its listing day (seed §三(一)): close 5193, discount 1088 -> index 6281
    assert qb.basis_points(5193.0, 6281.0) == pytest.approx(-1088.0)
    assert qb.basis_rate(5193.0, 6281.0) == pytest.approx(5193.0 / 6281.0 - 1.0)
    assert qb.basis_rate(5193.0, 6281.0) == pytest.approx(-0.173221, abs=1e-6)


def test_basis_rate_rejects_non_positive_prices():
    out = qb.basis_rate(np.array([0.0, 100.0, np.nan]), np.array([100.0, 0.0, 100.0]))
    assert np.isnan(out).all()


def test_series_in_series_out():
    f = pd.Series([101.0, 99.0], index=["a", "b"])
    r = qb.basis_rate(f, pd.Series([100.0, 100.0], index=["a", "b"]))
    assert isinstance(r, pd.Series) and list(r.index) == ["a", "b"]
    assert r.tolist() == pytest.approx([0.01, -0.01])


def test_annualised_trading_and_calendar():
    assert qb.annualised_basis(-0.01, 24.3) == pytest.approx(-0.1)
    assert qb.annualised_basis(-0.01, 36.5, convention="calendar") == pytest.approx(-0.1)
    assert qb.annualised_basis(-0.01, 10, year_days=250) == pytest.approx(-0.25)
    assert np.isnan(qb.annualised_basis(-0.01, 0))
    with pytest.raises(ConfigError, match="unknown day-count convention"):
        qb.annualised_basis(-0.01, 10, convention="act360")


def test_daily_average_hand_example():
    # seed §三(一): IF1605's daily-average discount -0.0377 %; with 20 days left that is a -0.754 % basis rate
    assert qb.daily_average_basis(-0.00754, 20) == pytest.approx(-0.000377)
    assert qb.daily_average_basis(-0.02, 40) == pytest.approx(-0.0005)
    assert np.isnan(qb.daily_average_basis(-0.02, 0))


def test_dividend_adjustment_hand_example():
    # F 2950, S 3000, 30 points to go ex before expiry: 20 of the 50-point discount are not dividends
    assert qb.dividend_adjusted_basis(2950.0, 3000.0, 30.0) == pytest.approx(-20.0)
    assert qb.dividend_adjusted_rate(2950.0, 3000.0, 30.0) == pytest.approx(-20.0 / 3000.0)
    # a futures price equal to S - D is fair: zero adjusted basis
    assert qb.dividend_adjusted_basis(2970.0, 3000.0, 30.0) == pytest.approx(0.0)


def test_synthetic_weight_solves_the_days_equation():
    assert qb.synthetic_weight(10, 30, 20) == pytest.approx(0.5)
    w = qb.synthetic_weight(24, 44, 20)  # right after a roll: extrapolation, w > 1
    assert w == pytest.approx(1.2)
    assert w * 24 + (1 - w) * 44 == pytest.approx(20)
    assert np.isnan(qb.synthetic_weight(20, 20, 20))


def test_monthly_ratio_conversion():
    # a 120-day synthetic contract at -3 % costs -0.5 % per 20-day month
    assert qb.monthly_ratio(-0.03, 120) == pytest.approx(-0.005)
    assert qb.monthly_ratio(-0.01, 20) == pytest.approx(-0.01)
    assert qb.monthly_ratio(-0.02, 40) == pytest.approx(-0.01)


DAYS = np.array([[5.0, 25.0, 65.0, 130.0]])
RATES = np.array([[-0.001, -0.01, -0.02, -0.03]])


@pytest.mark.parametrize(("n", "rate", "w"), [
    (20, 0.25 * -0.001 + 0.75 * -0.01, 0.25),
    (40, 0.625 * -0.01 + 0.375 * -0.02, 0.625),
    (60, 0.125 * -0.01 + 0.875 * -0.02, 0.125),
    (120, (10 / 65) * -0.02 + (55 / 65) * -0.03, 10 / 65),
])
def test_constant_maturity_hand_examples(n, rate, w):
    cm = qb.constant_maturity_basis(DAYS, RATES, n)
    assert cm.rate[0] == pytest.approx(rate)
    assert cm.weight[0] == pytest.approx(w)
    assert cm.monthly[0] == pytest.approx(rate * 20 / n)
    assert not cm.extrapolated[0]


def test_constant_maturity_beyond_farthest_extrapolates_or_nan():
    cm = qb.constant_maturity_basis(DAYS, RATES, 150)
    w = (130 - 150) / 65
    assert cm.weight[0] == pytest.approx(w)
    assert cm.rate[0] == pytest.approx(w * -0.02 + (1 - w) * -0.03)
    assert cm.extrapolated[0]
    assert (cm.near[0], cm.far[0]) == (2, 3)
    assert np.isnan(qb.constant_maturity_basis(DAYS, RATES, 150, extrapolate="nan").rate[0])


def test_constant_maturity_expiry_day_contract_is_skipped():
    days = np.array([[0.0, 20.0, 60.0, 125.0]])
    rates = np.array([[0.0, -0.01, -0.02, -0.03]])
    assert qb.constant_maturity_basis(days, rates, 20).rate[0] == pytest.approx(-0.01)
    cm = qb.constant_maturity_basis(days, rates, 10)  # below the nearest usable: the two nearest, extrapolated
    assert cm.rate[0] == pytest.approx(1.25 * -0.01 - 0.25 * -0.02)
    assert cm.extrapolated[0] and (cm.near[0], cm.far[0]) == (1, 2)


def test_constant_maturity_one_contract_is_nan():
    days = np.array([[0.0, 20.0, np.nan, np.nan]])
    rates = np.array([[0.0, -0.01, np.nan, np.nan]])
    cm = qb.constant_maturity_basis(days, rates, 20)
    assert np.isnan(cm.rate[0]) and cm.near[0] == -1


def test_constant_maturity_column_order_does_not_matter():
    perm = [2, 0, 3, 1]
    a = qb.constant_maturity_basis(DAYS, RATES, 40)
    b = qb.constant_maturity_basis(DAYS[:, perm], RATES[:, perm], 40)
    assert b.rate[0] == pytest.approx(a.rate[0])


def test_constant_maturity_bad_input():
    with pytest.raises(ConfigError, match="positive"):
        qb.constant_maturity_basis(DAYS, RATES, 0)
    with pytest.raises(ConfigError, match="shape"):
        qb.constant_maturity_basis(DAYS, RATES[:, :3], 20)
    with pytest.raises(ConfigError, match="extrapolation"):
        qb.constant_maturity_basis(DAYS, RATES, 20, extrapolate="flat")


def _slow_reference(days_row, rates_row, n):
    pairs = sorted((d, r) for d, r in zip(days_row, rates_row, strict=True)
                   if np.isfinite(d) and np.isfinite(r) and d > 0)
    if len(pairs) < 2:
        return math.nan
    for i in range(len(pairs) - 1):
        (d1, r1), (d2, r2) = pairs[i], pairs[i + 1]
        if d1 <= n <= d2:
            break
    else:
        (d1, r1), (d2, r2) = pairs[:2] if n < pairs[0][0] else pairs[-2:]
    w = (d2 - n) / (d2 - d1)
    return w * r1 + (1 - w) * r2


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 200), min_size=4, max_size=4, unique=True),
       st.lists(st.floats(-0.2, 0.2), min_size=4, max_size=4),
       st.sampled_from([20, 40, 60, 120]))
def test_constant_maturity_matches_slow_reference_and_interp(days, rates, n):
    d = np.array([days], dtype=float)
    r = np.array([rates], dtype=float)
    got = qb.constant_maturity_basis(d, r, n).rate[0]
    ref = _slow_reference(days, rates, n)
    if math.isnan(ref):
        assert math.isnan(got)
        return
    assert got == pytest.approx(ref, abs=1e-12)
    usable = sorted((a, b) for a, b in zip(days, rates, strict=True) if a > 0)
    xs, ys = [a for a, _ in usable], [b for _, b in usable]
    if xs[0] <= n <= xs[-1]:  # inside the curve the synthetic contract is plain linear interpolation
        assert got == pytest.approx(np.interp(n, xs, ys), abs=1e-12)
    if n in xs:  # a listed contract with exactly N days is its own synthetic contract
        assert got == pytest.approx(ys[xs.index(n)], abs=1e-12)


def test_dividends_between_half_open_interval():
    ex = pd.to_datetime(["2024-06-14", "2024-06-21", "2024-07-10"])
    pts = [10.0, 5.0, 2.0]
    out = qb.dividends_between(ex, pts, pd.to_datetime(["2024-06-14", "2024-06-13", "2024-07-10"]),
                               pd.to_datetime(["2024-06-21", "2024-06-21", "2024-07-19"]))
    # (06-14, 06-21] -> 5 (ex on the start day already out, ex on expiry in); (06-13, 06-21] -> 15; none -> 0
    assert out.tolist() == pytest.approx([5.0, 15.0, 0.0])
