"""Shared fixtures for tests/ and benchmarks/.

- ``real_bundle``: path to ``../shared/data/real`` (or ``$CNRADAR_REAL_DATA``); tests using it skip with a reason
  when it is absent (a user's fresh clone).
- ``real_store``: that bundle imported once per test session (per xdist worker) into a temporary store.
- ``demo_bundle`` / ``demo_store``: a small synthetic demo universe, generated and imported once per session.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
REAL_DATA = Path(os.environ.get("CNRADAR_REAL_DATA", REPO.parent / "shared" / "data" / "real"))
GOLDEN = Path(os.environ.get("CNRADAR_GOLDEN", REPO.parent / "shared" / "golden"))

#: The small demo preset the tests use: enough history for 3-year windows, small cross-sections.
DEMO_TEST_PARAMS = {"seed": 7, "preset": "small"}


@pytest.fixture(scope="session")
def real_bundle() -> Path:
    if not (REAL_DATA / "instruments.csv").exists():
        pytest.skip(f"real data bundle absent at {REAL_DATA} (set CNRADAR_REAL_DATA); real-data test skipped")
    return REAL_DATA


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    if not (GOLDEN / "README.md").exists():
        pytest.skip(f"golden worked examples absent at {GOLDEN} (set CNRADAR_GOLDEN); golden-file test skipped")
    return GOLDEN


@pytest.fixture(scope="session")
def real_store(real_bundle, tmp_path_factory):
    from cnradar.sources.bundle import import_bundle
    from cnradar.store import Store

    store = Store.open(tmp_path_factory.mktemp("real") / "store.duckdb")
    import_bundle(store, real_bundle)
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory) -> Path:
    from cnradar.sources.demo import generate_demo_bundle

    return generate_demo_bundle(tmp_path_factory.mktemp("demo") / "bundle", **DEMO_TEST_PARAMS)


@pytest.fixture(scope="session")
def demo_store(demo_bundle, tmp_path_factory):
    from cnradar.sources.bundle import import_bundle
    from cnradar.store import Store

    store = Store.open(tmp_path_factory.mktemp("demo_store") / "store.duckdb")
    import_bundle(store, demo_bundle)
    yield store
    store.close()
