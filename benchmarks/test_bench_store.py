"""Store speed: import of the real bundle, and the two as-of reads every analytic leans on.

Run: ``make bench`` (or ``pytest benchmarks/test_bench_store.py --benchmark-only``). Rows/s is printed in
``extra_info``.
"""

from __future__ import annotations

import itertools

from cnradar.sources.bundle import import_bundle, read_bundle
from cnradar.store import Store


def test_import_real_bundle(benchmark, real_bundle, tmp_path):
    counter = itertools.count()

    def run():
        with Store.open(tmp_path / f"s{next(counter)}.duckdb") as store:
            return import_bundle(store, real_bundle)

    report = benchmark.pedantic(run, rounds=3, iterations=1)
    rows = int(report.tables["rows_in"].sum())
    benchmark.extra_info["rows"] = rows
    if benchmark.stats:  # None under --benchmark-disable
        benchmark.extra_info["rows_per_second"] = rows / benchmark.stats["mean"]


def test_read_bundle_validation_only(benchmark, real_bundle):
    bundle = benchmark.pedantic(read_bundle, args=(real_bundle,), rounds=3, iterations=1)
    if benchmark.stats:  # None under --benchmark-disable
        benchmark.extra_info["rows_per_second"] = bundle.rows() / benchmark.stats["mean"]


def test_asof_read_all_50etf_option_bars_one_date(benchmark, real_store):
    df = benchmark(lambda: real_store.bars(kind="etf_option", asof="2018-06-29", start="2018-06-29"))
    assert len(df) > 50
    benchmark.extra_info["rows"] = len(df)


def test_asof_read_macro_series_full_history(benchmark, real_store):
    df = benchmark(lambda: real_store.observations("cn.cpi.yoy", asof="2024-12-31"))
    assert len(df) > 200
    benchmark.extra_info["rows"] = len(df)
