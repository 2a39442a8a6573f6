"""Every basis measure for IF, IH, IC and IM over the full real history in one call (goal: under 1 s)."""

from __future__ import annotations

from cnradar.futures.hedging import hedge_backtest
from cnradar.futures.monitor import load_measures


def _all_products(store):
    return {p: load_measures(store, p, asof=None) for p in ("IF", "IH", "IC", "IM")}


def test_bench_all_measures_four_products(benchmark, real_store):
    out = benchmark(_all_products, real_store)
    assert sum(len(m.contracts) for m in out.values()) > 30_000


def test_bench_hedge_backtest_cheapest_if(benchmark, real_store):
    contracts = load_measures(real_store, "IF", asof=None).contracts
    res = benchmark(hedge_backtest, contracts, "cheapest")
    assert res.summary["rolls"] > 10
