"""Convertible pricing: Hull's golden example, QuantLib cross-checks, limiting cases and properties."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np
import pytest

from cnradar.errors import DataError
from cnradar.quant.convertible import (
    ConvertibleTerms,
    LatticeEngine,
    MarketInputs,
    MonteCarloEngine,
    Put,
    SoftCall,
    hull_tree_price,
    price,
    price_lattice,
    straight_bond_value,
)

D0 = dt.date(2020, 1, 2)


# ------------------------------------------------------------------------------------------------ golden
def test_hull_example_root_value_golden():
    # ../shared/golden §3 (Hull, printed 106.93): 9-month zero, 2 shares, call 113, 3 steps
    assert hull_tree_price(50, 2, 100, 0.75, 113, 0.30, 0.05, 0.01, 0.40, 3) == pytest.approx(106.9286, abs=5e-5)


def test_hull_example_node_values_by_hand():
    # Rebuild the t = 0.25 nodes from the golden parameters: u = 1.1519, p_u = 0.5167, p_d = 0.4808
    dt_, lam, r, sig = 0.25, 0.01, 0.05, 0.30
    u = math.exp(math.sqrt((sig**2 - lam) * dt_))
    d = 1 / u
    pu = (math.exp(r * dt_) - d * math.exp(-lam * dt_)) / (u - d)
    pdn = (u * math.exp(-lam * dt_) - math.exp(r * dt_)) / (u - d)
    assert (round(u, 4), round(pu, 4), round(pdn, 4), round(1 - math.exp(-lam * dt_), 4)) == (
        1.1519, 0.5167, 0.4808, 0.0025)
    # a 2-step tree from the up node at t=0.25 is the original tree's subtree: price it with S0 = 50u, T = 0.5
    up = hull_tree_price(50 * u, 2, 100, 0.5, 113, sig, r, lam, 0.40, 2)
    down = hull_tree_price(50 * d, 2, 100, 0.5, 113, sig, r, lam, 0.40, 2)
    assert up == pytest.approx(115.1910, abs=5e-4)  # called and converted: 2 × 57.596
    assert down == pytest.approx(101.1954, abs=5e-4)
    root = math.exp(-r * dt_) * (pu * up + pdn * down + (1 - math.exp(-lam * dt_)) * 40)
    assert root == pytest.approx(106.9286, abs=5e-4)


def test_hull_straight_bond_and_variant_golden():
    assert hull_tree_price(50, 0, 100, 0.75, None, 0.30, 0.05, 0.01, 0.40, 3) == pytest.approx(95.8913, abs=5e-5)
    v = hull_tree_price(20, 5, 100, 1.5, 110, 0.25, 0.06, 0.03, 0.35, 3)
    assert v == pytest.approx(103.7247, abs=5e-5)
    straight = hull_tree_price(20, 0, 100, 1.5, None, 0.25, 0.06, 0.03, 0.35, 3)
    assert straight == pytest.approx(88.8229, abs=5e-5)
    assert v - straight == pytest.approx(14.9018, abs=1e-4)


def test_straight_zero_closed_form():
    # Hull's tree with CR = 0 is F e^{-(r+λ)T} + R F Σ_i e^{-r t_{i+1}} (e^{-λ t_i} − e^{-λ t_{i+1}})
    F, T, r, lam, R, n = 100.0, 1.5, 0.06, 0.03, 0.35, 3
    t = np.arange(n + 1) * T / n
    closed = F * math.exp(-(r + lam) * T) + R * F * np.sum(np.exp(-r * t[1:]) * (np.exp(-lam * t[:-1])
                                                                              - np.exp(-lam * t[1:])))
    assert hull_tree_price(20, 0, 100, T, None, 0.25, r, lam, R, n) == pytest.approx(closed, abs=1e-10)


# ------------------------------------------------------------------------------------------ the engine
def _terms(**kw) -> ConvertibleTerms:
    base = dict(symbol="T.SH", issue_date=D0, maturity_date=dt.date(2023, 1, 2), conversion_price=50.0,
                coupons=(1.0, 1.5, 2.0), redemption_price=100.0, redemption_includes_last_coupon=False,
                conversion_start=D0)
    base.update(kw)
    return ConvertibleTerms(**base)


def _market(**kw) -> MarketInputs:
    base = dict(valuation_date=D0, stock_price=50.0, sigma=0.30, rate=0.03, credit_spread=0.0, recovery=0.4)
    base.update(kw)
    return MarketInputs(**base)


def test_lattice_matches_hull_tree_with_hull_convention():
    T = (dt.date(2020, 10, 2) - D0).days / 365
    t = _terms(maturity_date=dt.date(2020, 10, 2), coupons=(), redemption_price=100.0,
               redemption_includes_last_coupon=True, call=SoftCall(trigger=0, m=1, n=1, price=113))
    m = _market(rate=0.05, credit_spread=0.01 * 0.6, recovery=0.4)  # λ = 0.6 % / 0.6 = 1 %
    v = price(t, m, LatticeEngine(steps=300, vol_convention="hull")).value
    assert v == pytest.approx(hull_tree_price(50, 2, 100, T, 113, 0.30, 0.05, 0.01, 0.40, 300), abs=1e-9)


def _ql_price(terms: ConvertibleTerms, market: MarketInputs, steps: int) -> float:
    ql = pytest.importorskip("QuantLib")
    today = ql.Date(D0.day, D0.month, D0.year)
    ql.Settings.instance().evaluationDate = today
    mat_d = terms.maturity_date
    mat = ql.Date(mat_d.day, mat_d.month, mat_d.year)
    dc, cal = ql.Actual365Fixed(), ql.NullCalendar()
    sched = ql.Schedule(today, mat, ql.Period(ql.Annual), cal, ql.Unadjusted, ql.Unadjusted,
                        ql.DateGeneration.Backward, False)
    cs = ql.CallabilitySchedule()
    put_from = ql.Date(mat_d.day, mat_d.month, mat_d.year - int(terms.put.years)) if terms.put else None
    d = today + 1
    while d < mat:
        if terms.call is not None:
            bp = ql.BondPrice(terms.call.price, ql.BondPrice.Clean)
            if terms.call.trigger == 0:
                cs.append(ql.Callability(bp, ql.Callability.Call, d))
            else:
                cs.append(ql.SoftCallability(bp, d, terms.call.trigger))
        if terms.put is not None and d >= put_from:
            cs.append(ql.Callability(ql.BondPrice(terms.put.price, ql.BondPrice.Clean), ql.Callability.Put, d))
        d = d + 1
    bond = ql.ConvertibleFixedCouponBond(ql.AmericanExercise(today, mat), terms.conversion_ratio, cs, today, 0,
                                         [c / 100 for c in terms.coupons] or [0.0], dc, sched,
                                         terms.redemption_price)
    proc = ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(market.stock_price)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, market.dividend_yield, dc, ql.Continuous)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, market.rate, dc, ql.Continuous)),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, cal, market.sigma, dc)))
    bond.setPricingEngine(ql.BinomialConvertibleEngine(proc, "crr", steps, ql.QuoteHandle(ql.SimpleQuote(0.0)),
                                                       ql.DividendSchedule()))
    return bond.NPV()


QL_CASES = {
    "plain": dict(),
    "otm_plain": dict(market=dict(stock_price=35.0)),
    "soft_call": dict(terms=dict(call=SoftCall(trigger=1.3, m=1, n=1, price=103.0))),
    "hard_call": dict(terms=dict(call=SoftCall(trigger=0, m=1, n=1, price=110.0))),
    "put": dict(terms=dict(put=Put(trigger=math.inf, m=1, n=1, price=101.0, years=2.0)),
                market=dict(stock_price=30.0)),
    "dividends": dict(market=dict(dividend_yield=0.03)),
    "call_put_div": dict(terms=dict(call=SoftCall(trigger=1.3, m=1, n=1, price=103.0),
                                    put=Put(trigger=math.inf, m=1, n=1, price=100.0, years=1.0)),
                         market=dict(stock_price=40.0, dividend_yield=0.02, sigma=0.4)),
}


BARRIER_CASES = {"soft_call", "call_put_div"}


@pytest.mark.parametrize("case", sorted(set(QL_CASES) - BARRIER_CASES))
def test_lattice_agrees_with_quantlib(case):
    """Both are CRR trees on the same 1,000-step grid; with zero credit spread the models coincide. The
    remaining difference is where each places daily call/put dates and coupons on the steps — O(1/N): it
    measures ≤ 0.005 per 100 par; tolerance 0.02."""
    spec = QL_CASES[case]
    t, m = _terms(**spec.get("terms", {})), _market(**spec.get("market", {}))
    assert price(t, m, LatticeEngine(steps=1000)).value == pytest.approx(_ql_price(t, m, 1000), abs=0.02)


@pytest.mark.parametrize("case", sorted(BARRIER_CASES))
def test_soft_call_agrees_with_quantlib_step_average(case):
    """A node-checked soft-call trigger oscillates with the step count (QuantLib's price of the soft_call case
    moves 114.25 … 114.71 between 500 and 2,000 steps, and QuantLib adds every daily call date to its time
    grid, so its grid is irregular). Reference: QuantLib's mean over four step counts; ours is smoothed
    (``smooth_triggers``) at 2,000 steps. Tolerance: QuantLib's own range over those step counts (at least
    0.15 per 100 par) — an agreement claim no tighter than the reference's discretisation noise."""
    spec = QL_CASES[case]
    t, m = _terms(**spec.get("terms", {})), _market(**spec.get("market", {}))
    runs = [_ql_price(t, m, n) for n in (800, 1100, 1400, 1700)]
    assert price(t, m, LatticeEngine(steps=2000)).value == pytest.approx(np.mean(runs),
                                                                       abs=max(0.15, float(np.ptp(runs))))


def test_smoothed_trigger_converges_under_step_doubling():
    t = _terms(call=SoftCall(trigger=1.3, m=1, n=1, price=103.0))
    m = _market()
    smooth = [price(t, m, LatticeEngine(steps=n)).value for n in (500, 1000, 2000, 4000)]
    raw = [price(t, m, LatticeEngine(steps=n, smooth_triggers=False)).value for n in (500, 1000, 2000, 4000)]
    assert np.ptp(smooth) < 0.12
    assert np.ptp(smooth) < 0.5 * np.ptp(raw)


# --------------------------------------------------------------------------------------------- properties
def test_no_conversion_right_gives_the_straight_risky_bond():
    t = _terms(conversion_price=1e9)
    m = _market(credit_spread=0.02)
    v = price(t, m, LatticeEngine(steps=300))
    assert v.value == pytest.approx(v.bond_floor, abs=1e-9)
    # independent: coupons discounted at r + λ plus recovery on default, in continuous time
    lam = m.default_intensity
    cf = np.array([1.0, 1.5, 102.0])
    tt = np.array([(dt.date(2021, 1, 2) - D0).days, (dt.date(2022, 1, 2) - D0).days,
                   (dt.date(2023, 1, 2) - D0).days]) / 365
    T = tt[-1]
    cont = np.sum(cf * np.exp(-(m.rate + lam) * tt)) + 0.4 * 100 * lam / (m.rate + lam) * (
        1 - math.exp(-(m.rate + lam) * T))
    assert v.value == pytest.approx(cont, rel=2e-3)  # 300-step discretisation of the recovery integral


def test_deep_in_the_money_is_conversion_value():
    t = _terms(call=SoftCall(trigger=1.3, m=15, n=30, price=100.0))
    v = price(t, _market(stock_price=500.0), LatticeEngine(steps=200))
    assert v.value == pytest.approx(v.conversion_value, rel=1e-12)  # called at once, holder converts
    v2 = price(replace(t, call=None), _market(stock_price=500.0), LatticeEngine(steps=200))
    assert v2.conversion_value <= v2.value <= v2.conversion_value * 1.005


def test_monotone_in_stock_price_and_value_bounds():
    t = _terms(call=SoftCall(trigger=1.3, m=15, n=30), put=Put(trigger=0.7, m=30, n=30, price=100, years=2))
    S = np.linspace(5, 150, 60)
    markets = [_market(stock_price=s, credit_spread=0.03) for s in S]
    out = price_lattice([t] * len(S), markets, LatticeEngine(steps=300))
    assert np.all(np.diff(out["value"].to_numpy()) >= -1e-9)
    assert np.all(out["value"] >= out["conversion_value"] - 1e-9)
    # with default risk the floor that holds is the *risky* straight bond (puts only add value below it)
    assert np.all(out["value"] >= out["bond_floor"] - 1e-9)
    # ... and not the risk-free bond: deep out of the money a 3 % spread pushes the value under it
    riskless = price_lattice([t], [_market(stock_price=5.0)], LatticeEngine(steps=300))["value"].iloc[0]
    assert out["value"].iloc[0] < riskless - 1.0


@pytest.mark.parametrize("S0", [20.0, 45.0, 60.0, 80.0])
@pytest.mark.parametrize("spread", [0.0, 0.03])
def test_call_never_raises_value_put_never_lowers_it(S0, spread):
    base = _terms()
    m = _market(stock_price=S0, credit_spread=spread)
    eng = LatticeEngine(steps=300)
    plain = price(base, m, eng).value
    called = price(replace(base, call=SoftCall()), m, eng).value
    put = price(replace(base, put=Put()), m, eng).value
    assert called <= plain + 1e-9
    assert put >= plain - 1e-9


def test_vectorised_equals_one_at_a_time():
    ts = [_terms(conversion_price=k, call=SoftCall()) for k in (30.0, 50.0, 70.0)]
    ms = [_market(stock_price=s, sigma=v, credit_spread=c) for s, v, c in ((40, .2, .01), (50, .35, .02),
                                                                           (60, .5, .0))]
    many = price_lattice(ts, ms, LatticeEngine(steps=150))["value"].to_numpy()
    one = [price(t, m, LatticeEngine(steps=150)).value for t, m in zip(ts, ms, strict=True)]
    np.testing.assert_allclose(many, one, rtol=0, atol=1e-12)


def test_accrued_and_clean():
    t = _terms()
    m = _market(valuation_date=dt.date(2020, 7, 2))
    v = price(t, m, LatticeEngine(steps=200))
    assert v.accrued == pytest.approx(1.0 * 182 / 366, abs=0.01)  # half a year of the 1 % coupon
    assert v.clean == pytest.approx(v.value - v.accrued)


def test_straight_bond_value_vector():
    t = _terms(conversion_price=1e9)
    m = _market(credit_spread=0.0)
    # riskless, r flat: the plain PV of the cash flows (coupon placement on a 3,000-step grid is ~exact)
    pv = sum(c * math.exp(-0.03 * d / 365) for c, d in ((1.0, 366), (1.5, 731), (102.0, 1096)))
    assert straight_bond_value([t], [m], 3000)[0] == pytest.approx(pv, abs=1e-3)


# ------------------------------------------------------------------------------------------ Monte Carlo
def test_mc_agrees_with_lattice_without_path_dependence():
    t = _terms()
    m = _market(credit_spread=0.02)
    lat = price(t, m, LatticeEngine(steps=800)).value
    mc = price(t, m, MonteCarloEngine(paths=20_000, seed=3))
    # LSM's exercise policy is sub-optimal (low bias, ~0.1 here); allow 4 standard errors on top
    assert abs(mc.value - lat) < 4 * mc.std_error + 0.15


def test_mc_m_of_n_soft_call_is_worth_more_than_node_trigger():
    """The lattice calls the first time the node is above 130 %; the real rule needs 15 of 30 days, later on
    average, so the holder keeps the option longer: MC value ≥ lattice value (up to MC noise)."""
    t = _terms(call=SoftCall(trigger=1.3, m=15, n=30, price=100.0), maturity_date=dt.date(2022, 1, 2),
               coupons=(1.0, 1.5))
    m = _market(stock_price=55.0)
    lat = price(t, m, LatticeEngine(steps=500)).value
    mc = price(t, m, MonteCarloEngine(paths=20_000, seed=5))
    assert mc.value > lat - 3 * mc.std_error
    one_day = price(replace(t, call=SoftCall(trigger=1.3, m=1, n=1, price=100.0)), m,
                    MonteCarloEngine(paths=20_000, seed=5))
    assert mc.value > one_day.value  # same paths: the 15-of-30 rule calls later than the 1-of-1 rule
    assert abs(one_day.value - lat) < 4 * one_day.std_error + 0.25  # daily vs lattice node monitoring


def test_mc_reset_raises_value():
    t = _terms(maturity_date=dt.date(2022, 1, 2), coupons=(1.0, 1.5))
    from cnradar.quant.convertible import Reset

    t = replace(t, reset=Reset())
    m = _market(stock_price=40.0)
    without = price(t, m, MonteCarloEngine(paths=10_000, seed=1)).value
    with_reset = price(t, m, MonteCarloEngine(paths=10_000, seed=1, model_reset=True)).value
    assert with_reset > without + 1.0


# ------------------------------------------------------------------------------------------- bad terms
@pytest.mark.parametrize(("kw", "field"), [
    (dict(call=SoftCall(trigger=0.9)), "call_trigger"),
    (dict(maturity_date=dt.date(2019, 1, 1)), "maturity_date"),
    (dict(conversion_price=float("nan")), "conversion_price"),
    (dict(put=Put(m=40, n=30)), "put_m/put_n"),
])
def test_bad_terms_are_rejected_naming_bond_and_field(kw, field):
    with pytest.raises(DataError, match=rf"bad terms for T\.SH: {field}"):
        _terms(**kw)


def test_negative_vol_rejected():
    with pytest.raises(DataError, match="sigma: volatility must be positive"):
        _market(sigma=-0.1)


def test_pricing_after_maturity_rejected():
    with pytest.raises(DataError, match="cannot price T.SH"):
        price(_terms(), _market(valuation_date=dt.date(2024, 1, 1)))
