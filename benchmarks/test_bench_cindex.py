"""Benchmark: all seven methodologies over 15 years of daily per-contract data (goal: < 2 s in total)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "cindex"))

from synth import synthetic_bars

from cnradar.cindex.engine import compute_index
from cnradar.cindex.methodology import FOREIGN, get_methodology


@pytest.fixture(scope="module")
def bars_by_index():
    out = {}
    for name in FOREIGN:
        m = get_methodology(name)
        out[name] = synthetic_bars([c.product for c in m.constituents], "2009-01-01", "2023-12-31", seed=11)
    return out


def test_bench_seven_methodologies_15y(benchmark, bars_by_index):
    def run():
        return [compute_index(name, bars) for name, bars in bars_by_index.items()]

    results = benchmark.pedantic(run, rounds=3, iterations=1)
    assert len(results) == 7
