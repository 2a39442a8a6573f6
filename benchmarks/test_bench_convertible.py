"""Convertible lattice throughput vs QuantLib's BinomialConvertibleEngine — at equal steps and at matched accuracy.

One date's universe: 450 bonds, 1–6 years left, step-up coupons, American conversion (issue 5's benchmark).
Throughput is bond-dates/s in ``extra_info``; run with ``make bench``.

Matched accuracy (issue 5's goal: ≥ 10× QuantLib's throughput at the same pricing error):

* reference: QuantLib's CRR engine at 4,000 and 4,001 steps, averaged (the odd/even average cancels the
  tree's leading oscillation), on a 30-bond sample of the plain universe — both engines converge to the same
  model there (no credit spread, no triggers);
* each engine's error = RMS (and max) over the sample of |value − reference| per 100 par;
* the accelerated lattice (``terminal_smoothing`` + ``richardson``, :data:`FAST_STEPS` steps) is priced on the
  whole universe; QuantLib is run on a ladder of step counts and the *matched* QuantLib is the cheapest
  ladder rung whose RMS error is ≤ the lattice's — its bond-dates/s is measured in the same run;
* ``speedup_at_matched_error`` = lattice bond-dates/s ÷ matched-QuantLib bond-dates/s;
  ``speedup_lower_bound_vs_coarser_quantlib`` divides by the rung just below the match instead (QuantLib
  still less accurate than the lattice there), so the ladder's spacing cannot inflate the claim.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest

from cnradar.quant.convertible import ConvertibleTerms, LatticeEngine, MarketInputs, SoftCall, price_lattice

D0 = dt.date(2021, 3, 1)
N_BONDS, STEPS = 450, 200
FAST_STEPS = 50
QL_LADDER = (100, 200, 400, 600, 800, 1000, 1200, 1600)
SAMPLE = list(range(0, N_BONDS, 15))  # 30 bonds: QuantLib prices one bond at a time
FAST = LatticeEngine(steps=FAST_STEPS, terminal_smoothing=True, richardson=True)


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


def _ql_bonds(build, steps: int):
    """QuantLib convertibles for the sample (same terms and market; flat curves; CRR tree)."""
    terms, markets = _universe(False)
    return [build(terms[i], markets[i], steps, D0) for i in SAMPLE]


def _ql_run(bonds) -> np.ndarray:
    out = np.empty(len(bonds))
    for k, b in enumerate(bonds):
        b.recalculate()
        out[k] = b.NPV()
    return out


def _best_time(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _errors(values: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    err = values - ref
    return {"rms_error": float(np.sqrt(np.mean(err * err))), "max_error": float(np.max(np.abs(err)))}


@pytest.fixture(scope="module")
def study(ql_convertible):
    """Reference, error ladders and same-run throughputs for both engines (see the module docstring)."""
    ref = 0.5 * (_ql_run(_ql_bonds(ql_convertible, 4000)) + _ql_run(_ql_bonds(ql_convertible, 4001)))
    terms, markets = _universe(False)
    ts, ms = [terms[i] for i in SAMPLE], [markets[i] for i in SAMPLE]
    lattice = {}
    for name, eng in (("default_200", LatticeEngine(steps=STEPS)), ("fast", FAST)):
        err = _errors(price_lattice(ts, ms, eng)["value"].to_numpy(), ref)
        secs = _best_time(lambda eng=eng: price_lattice(terms, markets, eng))
        lattice[name] = {**err, "bond_dates_per_s": N_BONDS / secs}
    ql_ladder = {}
    for n in QL_LADDER:
        bonds = _ql_bonds(ql_convertible, n)
        vals = _ql_run(bonds)
        secs = _best_time(lambda bonds=bonds: _ql_run(bonds), repeat=1 if n >= 800 else 3)
        ql_ladder[n] = {**_errors(vals, ref), "bond_dates_per_s": len(bonds) / secs}
    fast = lattice["fast"]
    ok = [n for n in QL_LADDER if ql_ladder[n]["rms_error"] <= fast["rms_error"]]
    matched = ok[0] if ok else QL_LADDER[-1]  # the finest rung if none reaches the lattice's error
    worse = [n for n in QL_LADDER if n < matched]
    # lower bound: QuantLib at the rung just coarser than the match (its error still above the lattice's)
    bound = ql_ladder[worse[-1]]["bond_dates_per_s"] if worse else ql_ladder[matched]["bond_dates_per_s"]
    return {"ref": ref, "lattice": lattice, "ql": ql_ladder, "matched_steps": matched,
            "matched_reached": bool(ok), "coarser_rung_bond_dates_per_s": bound}


@pytest.mark.parametrize("call", [False, True])
def test_bench_lattice_universe(benchmark, call):
    """Default engine (200 steps, smoothed triggers) on the whole universe."""
    terms, markets = _universe(call)
    benchmark(price_lattice, terms, markets, LatticeEngine(steps=STEPS))
    benchmark.extra_info["bond_dates_per_s"] = N_BONDS / benchmark.stats.stats.mean


def test_bench_quantlib_same_universe(benchmark, ql_convertible):
    """QuantLib at the same 200 steps on the 30-bond sample (one bond at a time)."""
    bonds = _ql_bonds(ql_convertible, STEPS)
    benchmark(_ql_run, bonds)
    benchmark.extra_info["bond_dates_per_s"] = len(bonds) / benchmark.stats.stats.mean


def test_bench_lattice_matched_accuracy(benchmark, study):
    """Accelerated lattice on the whole universe; error vs the QuantLib 4,000-step reference on the sample."""
    terms, markets = _universe(False)
    benchmark(price_lattice, terms, markets, FAST)
    rate = N_BONDS / benchmark.stats.stats.mean
    ql = study["ql"][study["matched_steps"]]
    benchmark.extra_info.update({
        "steps": FAST_STEPS, "bond_dates_per_s": rate, **{k: study["lattice"]["fast"][k]
                                                          for k in ("rms_error", "max_error")},
        "default_200_steps": study["lattice"]["default_200"],
        "quantlib_matched_steps": study["matched_steps"], "quantlib_matched_reached": study["matched_reached"],
        "quantlib_matched": ql, "quantlib_ladder": {str(k): v for k, v in study["ql"].items()},
        "speedup_at_matched_error": rate / ql["bond_dates_per_s"],
        "speedup_at_matched_error_same_fixture": study["lattice"]["fast"]["bond_dates_per_s"]
        / ql["bond_dates_per_s"],
        "speedup_lower_bound_vs_coarser_quantlib": rate / study["coarser_rung_bond_dates_per_s"],
    })


def test_bench_quantlib_matched_accuracy(benchmark, study, ql_convertible):
    """QuantLib at the cheapest step count that matches the accelerated lattice's RMS error."""
    n = study["matched_steps"]
    bonds = _ql_bonds(ql_convertible, n)
    benchmark.pedantic(_ql_run, args=(bonds,), rounds=3 if n <= 400 else 1, iterations=1)
    rate = len(bonds) / benchmark.stats.stats.mean
    benchmark.extra_info.update({"steps": n, "bond_dates_per_s": rate, **{k: study["ql"][n][k]
                                                                        for k in ("rms_error", "max_error")},
                                 "lattice_fast_bond_dates_per_s": study["lattice"]["fast"]["bond_dates_per_s"],
                                 "speedup_at_matched_error": study["lattice"]["fast"]["bond_dates_per_s"] / rate})


def test_bench_lattice_history(benchmark):
    """A history in one call: the 450-bond universe on 40 weekly dates (18,000 bond-dates), accelerated
    engine (each bond-date has its own remaining life; one shared grid shape)."""
    terms, markets = _universe(True)
    ts, ms = [], []
    for w in range(40):
        day = D0 - dt.timedelta(weeks=w)
        ts += terms
        ms += [MarketInputs(day, m.stock_price * (1 + 0.01 * (w % 7 - 3)), m.sigma, m.rate) for m in markets]
    benchmark.pedantic(price_lattice, args=(ts, ms, FAST), rounds=3, iterations=1)
    benchmark.extra_info["bond_dates"] = len(ts)
    benchmark.extra_info["bond_dates_per_s"] = len(ts) / benchmark.stats.stats.mean
