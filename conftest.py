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


#: The seed's 图表3 (seeds/timing-radar.txt): indicator id -> (last week, this week), as printed.
SEED_WEEK_TABLE = {
    "monetary_direction": (-1.00, -1.00), "monetary_strength": (-1.00, -1.00),
    "credit_direction": (-1.00, -1.00), "credit_strength": (-1.00, 0.00),
    "growth_direction": (1.00, 1.00), "growth_strength": (-1.00, -1.00),
    "inflation_direction": (-1.00, -1.00), "inflation_strength": (1.00, 1.00),
    "shiller_erp": (0.39, 0.50), "pb": (-0.49, -0.26), "aiae": (-0.41, -0.24),
    "margin_increment": (1.00, 1.00), "turnover_trend": (1.00, 1.00), "china_cds": (1.00, 1.00),
    "risk_aversion": (-1.00, -1.00), "price_trend": (1.00, 1.00), "new_high_low": (-1.00, -1.00),
    "option_implied_basis": (-1.00, -1.00), "option_vix": (0.00, 0.00), "option_skew": (-1.00, -1.00),
    "cb_pricing_deviation": (-0.75, -0.30),
}


@pytest.fixture
def seed_table() -> dict[str, tuple[float, float]]:
    """The seed's published scores of both weeks (golden §1)."""
    return dict(SEED_WEEK_TABLE)


@pytest.fixture(scope="session")
def ql_convertible():
    """Builder of the independent QuantLib reference: ``build(terms, market, steps, today) -> bond`` — a
    ``ConvertibleFixedCouponBond`` (American conversion, annual coupons, no call) on flat curves with
    ``BinomialConvertibleEngine`` (CRR, ``steps``). Skips when QuantLib is absent."""
    ql = pytest.importorskip("QuantLib")

    def build(t, m, steps: int, today):
        qd = ql.Date(today.day, today.month, today.year)
        ql.Settings.instance().evaluationDate = qd
        dc, cal = ql.Actual365Fixed(), ql.NullCalendar()
        mat = ql.Date(t.maturity_date.day, t.maturity_date.month, t.maturity_date.year)
        sched = ql.Schedule(qd, mat, ql.Period(ql.Annual), cal, ql.Unadjusted, ql.Unadjusted,
                            ql.DateGeneration.Backward, False)
        bond = ql.ConvertibleFixedCouponBond(ql.AmericanExercise(qd, mat), t.conversion_ratio,
                                             ql.CallabilitySchedule(), qd, 0, [c / 100 for c in t.coupons], dc,
                                             sched, 100.0)
        proc = ql.BlackScholesMertonProcess(
            ql.QuoteHandle(ql.SimpleQuote(m.stock_price)),
            ql.YieldTermStructureHandle(ql.FlatForward(qd, 0.0, dc, ql.Continuous)),
            ql.YieldTermStructureHandle(ql.FlatForward(qd, m.rate, dc, ql.Continuous)),
            ql.BlackVolTermStructureHandle(ql.BlackConstantVol(qd, cal, m.sigma, dc)))
        bond.setPricingEngine(ql.BinomialConvertibleEngine(proc, "crr", steps,
                                                           ql.QuoteHandle(ql.SimpleQuote(0.0)), ql.DividendSchedule()))
        return bond

    return build
