"""Option analytics speed: the whole real 50ETF history (2016-02 .. 2019-11) in one call.

Reported as option-days per second (one option-day = one contract's bar on one day; the sample has ~103k).
Run with ``make bench``; nothing here asserts a time.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def store(real_store):
    """The shared real-bundle store of benchmarks/conftest.py (skips when the bundle is absent)."""
    return real_store


@pytest.fixture(scope="module")
def inputs(store):
    from cnradar.options.chain import load_chains
    from cnradar.options.history import _spot
    from cnradar.options.rates import shibor_curve

    n_bars = len(store.bars(kind="etf_option", asof=None, columns=["close"]))
    return (load_chains(store, "510050.SH", asof=None), _spot(store, "510050.SH", asof=None, start=None),
            shibor_curve(store, asof=None), n_bars)


def test_bench_compute_full_history(benchmark, inputs):
    """Pure computation: chains in memory → VIX, SKEW, implied basis for every day."""
    from cnradar.options.history import compute_option_indices

    chains, spot, curve, n_bars = inputs
    out = benchmark(compute_option_indices, chains, spot, curve)
    benchmark.extra_info["days"] = len(out)
    benchmark.extra_info["option_days"] = n_bars
    benchmark.extra_info["option_days_per_s"] = n_bars / benchmark.stats["mean"]


def test_bench_update_full_history_from_store(benchmark, store, inputs):
    """End to end: read bars/adjustments/SHIBOR from DuckDB, build chains, compute, write the derived table."""
    from cnradar.options.history import update_option_indices

    n_bars = inputs[3]

    def run():
        store.drop_derived("option_indices")
        return update_option_indices(store, "510050.SH")

    out = benchmark.pedantic(run, rounds=5, iterations=1)
    benchmark.extra_info["days"] = len(out)
    benchmark.extra_info["option_days_per_s"] = n_bars / benchmark.stats["mean"]
