"""Demo universe generation (and import) speed. Measured here, never asserted in tests.

- ``small`` preset (2019-2023, 60 stocks, 15 convertibles, the whole commodity catalogue): generation only;
- default universe (2012-2025, 800 stocks, 120 convertibles): generation, and generation + import, once each
  (pedantic, one round: these take tens of seconds).
"""

from __future__ import annotations

import pytest

from cnradar.sources.demo import DEMO_PRESETS, generate_demo_bundle


def test_bench_generate_small(benchmark, tmp_path):
    path = benchmark.pedantic(generate_demo_bundle, args=(tmp_path / "small",), kwargs=DEMO_PRESETS["small"],
                              rounds=3, iterations=1)
    assert (path / "meta.json").exists()


@pytest.mark.slow
def test_bench_generate_default(benchmark, tmp_path):
    path = benchmark.pedantic(generate_demo_bundle, args=(tmp_path / "default",), rounds=1, iterations=1)
    rows = sum(1 for _ in (path / "instruments.csv").open()) - 1
    benchmark.extra_info["instruments"] = rows


@pytest.mark.slow
def test_bench_generate_and_import_default(benchmark, tmp_path):
    from cnradar.sources.bundle import import_bundle
    from cnradar.store import Store

    def run():
        path = generate_demo_bundle(tmp_path / "bundle")
        with Store.open(tmp_path / "store.duckdb") as store:
            return import_bundle(store, path)

    result = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info["import_seconds"] = result.seconds
