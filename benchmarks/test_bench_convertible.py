"""Convertible lattice throughput vs QuantLib's BinomialConvertibleEngine at matched steps.

One date's universe: 450 bonds, 1–6 years left, coupons, American conversion, 200 steps (tests show
≤ 0.005 per 100 par between the two at matched steps on plain terms). Throughput is reported as
bond-dates/s in ``extra_info``; run with ``make bench``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cnradar.quant.convertible import ConvertibleTerms, LatticeEngine, MarketInputs, SoftCall, price_lattice

D0 = dt.date(2021, 3, 1)
N_BONDS, STEPS = 450, 200


def _universe(call: bool):
    terms, markets = [], []
    for i in range(N_BONDS):
        years = 1 + i % 6
        terms.append(ConvertibleTerms(
            symbol=f"B{i}", issue_date=D0, maturity_date=D0.replace(year=D0.year + years),
            conversion_price=10.0 + i % 20, coupons=(0.3, 0.5, 1.0, 1.5, 1.8, 2.0)[:years],
            redemption_price=100.0, redemption_includes_last_coupon=False, conversion_start=D0,
            call=SoftCall(trigger=1.3, m=1, n=1, price=103.0) if call else None))
        markets.append(MarketInputs(D0, 8.0 + i % 17, 0.2 + 0.01 * (i % 30), 0.028))
    return terms, markets


@pytest.mark.parametrize("call", [False, True])
def test_bench_lattice_universe(benchmark, call):
    terms, markets = _universe(call)
    benchmark(price_lattice, terms, markets, LatticeEngine(steps=STEPS))
    benchmark.extra_info["bond_dates_per_s"] = N_BONDS / benchmark.stats.stats.mean


def test_bench_quantlib_same_universe(benchmark):
    ql = pytest.importorskip("QuantLib")
    terms, markets = _universe(False)
    sample = list(range(0, N_BONDS, 15))  # 30 bonds: QuantLib is priced one bond at a time
    today = ql.Date(D0.day, D0.month, D0.year)
    ql.Settings.instance().evaluationDate = today
    dc, cal = ql.Actual365Fixed(), ql.NullCalendar()
    bonds = []
    for i in sample:
        t, m = terms[i], markets[i]
        mat = ql.Date(t.maturity_date.day, t.maturity_date.month, t.maturity_date.year)
        sched = ql.Schedule(today, mat, ql.Period(ql.Annual), cal, ql.Unadjusted, ql.Unadjusted,
                            ql.DateGeneration.Backward, False)
        bond = ql.ConvertibleFixedCouponBond(ql.AmericanExercise(today, mat), t.conversion_ratio,
                                             ql.CallabilitySchedule(), today, 0, [c / 100 for c in t.coupons],
                                             dc, sched, 100.0)
        proc = ql.BlackScholesMertonProcess(
            ql.QuoteHandle(ql.SimpleQuote(m.stock_price)),
            ql.YieldTermStructureHandle(ql.FlatForward(today, 0.0, dc, ql.Continuous)),
            ql.YieldTermStructureHandle(ql.FlatForward(today, m.rate, dc, ql.Continuous)),
            ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, cal, m.sigma, dc)))
        bond.setPricingEngine(ql.BinomialConvertibleEngine(proc, "crr", STEPS, ql.QuoteHandle(ql.SimpleQuote(0.0)),
                                                           ql.DividendSchedule()))
        bonds.append(bond)

    def run():
        out = 0.0
        for b in bonds:
            b.recalculate()
            out += b.NPV()
        return out

    benchmark(run)
    benchmark.extra_info["bond_dates_per_s"] = len(bonds) / benchmark.stats.stats.mean
