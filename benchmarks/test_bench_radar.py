"""Timing-radar speed: the full daily history of all 21 indicators, and a one-day update.

Goals (issue 6): full history from the store < 5 s; incremental one-day update < 1 s. Nothing here asserts a
time; run with ``make bench``.

- real bundle: every input the bundle has, 2005-01-04 .. 2026-08-31 (≈ 5,200 trading days);
- synthetic 800-stock universe (tests/radar/_synth.py, 2005 .. 2013): the new-high/new-low breadth over
  CSI 800-sized constituents, with option and CB tables "cached" in memory.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cnradar.radar import engine


def _synth():
    path = Path(__file__).resolve().parents[1] / "tests" / "radar" / "_synth.py"
    spec = importlib.util.spec_from_file_location("radar_synth", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_bench_full_history_real(benchmark, real_store):
    """Load every input as of the last day and compute all 21 indicators + aggregates (no cache)."""
    hist = benchmark(lambda: engine.score_history(real_store, asof="2026-08-31", cache=False))
    benchmark.extra_info["days"] = len(hist.scores)
    benchmark.extra_info["indicators_with_data"] = int(hist.status["has_data"].sum())


def test_bench_one_day_update_real(benchmark, real_store):
    """Persisted history up to day t-1, then the update for day t (history as of t, the new row written)."""
    engine.update_history(real_store, asof="2026-08-28")

    def step():
        real_store.sql("DELETE FROM derived_radar_scores WHERE date > DATE '2026-08-28'")
        engine.clear_cache()   # measure the real work, not the in-memory cache
        return engine.update_history(real_store, asof="2026-08-31")

    rows = benchmark(step)
    benchmark.extra_info["rows_written"] = len(rows)


@pytest.fixture(scope="module")
def big_synthetic():
    return _synth().make_store(n_stocks=800)


def test_bench_full_history_800_stocks(benchmark, big_synthetic):
    hist = benchmark(lambda: engine.score_history(big_synthetic, asof="2013-12-31", cache=False))
    benchmark.extra_info["days"] = len(hist.scores)
