"""Benchmark fixtures: the real bundle (skips when absent) and a store holding it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = Path(os.environ.get("CNRADAR_REAL_DATA", REPO.parent / "shared" / "data" / "real"))


@pytest.fixture(scope="session")
def real_bundle() -> Path:
    if not (REAL_DATA / "instruments.csv").exists():
        pytest.skip(f"real data bundle absent at {REAL_DATA}; benchmark skipped")
    return REAL_DATA


@pytest.fixture(scope="session")
def real_store(real_bundle, tmp_path_factory):
    from cnradar.sources.bundle import import_bundle
    from cnradar.store import Store

    store = Store.open(tmp_path_factory.mktemp("bench_real") / "store.duckdb")
    import_bundle(store, real_bundle)
    yield store
    store.close()
