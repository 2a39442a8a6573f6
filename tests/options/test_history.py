"""Option chains, SHIBOR rates and the cached daily history, end to end through a small synthetic bundle.

The bundle's option settles are Black-Scholes prices (QuantLib's blackFormula, an independent pricer) at a
flat volatility σ on a known forward, with the continuous rate derived by hand from a flat SHIBOR curve, so
the expected VIX (100σ plus the known grid bias h²/(6F²T)), SKEW (100) and implied basis (F/S - 1) are known
without running the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from options_synthetic import CARRY, DATES, SHIBOR, SIGMA, STRIKES, H, _cont_rate, _spot

from cnradar.errors import DataError
from cnradar.options import chain as chain_mod
from cnradar.options.history import (
    PUBLIC_COLUMNS,
    compute_option_indices,
    load_option_indices,
    option_underlyings,
    update_option_indices,
)
from cnradar.options.rates import SHIBOR_TENORS, interpolate_curve


@pytest.fixture(scope="module")
def store(synthetic_bundle, tmp_path_factory):
    from cnradar.sources.bundle import import_bundle
    from cnradar.store import Store

    st = Store.open(tmp_path_factory.mktemp("optstore") / "store.duckdb")
    import_bundle(st, synthetic_bundle)
    yield st
    st.close()


@pytest.fixture(autouse=True)
def _fresh_cache(store):
    store.drop_derived("option_indices")


def test_rates_convert_shibor_to_continuous():
    curve = pd.DataFrame([[0.02, 0.03, 0.04]], index=pd.DatetimeIndex(["2018-03-01"]), columns=[1, 30, 91])
    got = interpolate_curve(curve, ["2018-03-02", "2018-03-02", "2018-03-02", "2018-04-01"], [30, 60.5, 200, 30])
    assert got[0] == pytest.approx(365 / 30 * math.log(1 + 0.03 * 30 / 360), rel=1e-14)
    simple_mid = 0.03 + (60.5 - 30) / 61 * 0.01  # linear between 1M and 3M
    assert got[1] == pytest.approx(365 / 60.5 * math.log(1 + simple_mid * 60.5 / 360), rel=1e-14)
    assert got[2] == pytest.approx(365 / 200 * math.log(1 + 0.04 * 200 / 360), rel=1e-14)  # flat beyond 3M
    assert np.isnan(got[3])  # a fixing older than 10 days is stale


def test_dedupe_policy_keeps_range_filling_adjusted_and_drops_near_duplicates(store):
    chains = chain_mod.load_chains(store, asof=None)
    apr = chains[(chains["date"] == DATES[0]) & (chains["expiry"] == pd.Timestamp("2018-04-25"))]
    assert 2.672 in apr["strike"].to_numpy()
    assert 2.749 not in apr["strike"].to_numpy()
    assert len(apr) == len(STRIKES) + 1
    std = chain_mod.load_chains(store, asof=None, contracts="standard")
    assert len(std[(std["date"] == DATES[0]) & (std["expiry"] == pd.Timestamp("2018-04-25"))]) == len(STRIKES)
    every = chain_mod.load_chains(store, asof=None, contracts="all")
    assert 2.749 in every["strike"].to_numpy()
    assert (chains["quote_source"] == "settle").all()


def test_history_matches_closed_form(store):
    hist = update_option_indices(store, "510050.SH")
    assert len(hist) == len(DATES)
    assert (hist["status"] == "ok").all()
    # 2018-03-22 and earlier: the March expiry has >= 7 days, so near = 1803, next = 1804
    assert (hist["near_expiry"] == pd.Timestamp("2018-03-28")).all()
    for _, row in hist.iterrows():
        for term in ("near", "next"):
            t = row[f"{term}_days"] / 365
            fwd = row["spot"] * math.exp(CARRY * t)
            # forward exact on a model chain; grid bias of the variance known in closed form
            assert row[f"{term}_forward"] == pytest.approx(fwd, abs=1e-8)
            bias = H**2 / (6 * fwd**2 * t)
            if term == "near":  # uniform grid
                assert row[f"{term}_variance"] - SIGMA**2 == pytest.approx(bias, rel=0.05)
            else:  # the adjusted 2.672 strike makes the grid non-uniform next to F: bias of either sign
                assert abs(row[f"{term}_variance"] - SIGMA**2) < 1.05 * bias
            assert row[f"{term}_rate"] == pytest.approx(_cont_rate(row[f"{term}_days"]), rel=1e-12)
            assert row[f"{term}_basis_ann"] == pytest.approx((math.exp(CARRY * t) - 1) / t, abs=1e-7)
        # VIX² - σ² ≈ h²/(6F²T30): here 2.5e-3 / (6 · 7.3 · 0.082) ≈ 7e-4, so VIX ≈ 22 + 0.016
        bias30 = H**2 / (6 * row["spot"] ** 2 * 30 / 365)
        assert abs((row["vix"] / 100) ** 2 - SIGMA**2) < 1.05 * bias30
        assert row["skew"] == pytest.approx(100, abs=0.3)
        # implied basis: (e^{cT}-1)/T interpolated to 30 days, times 30/365
        assert row["implied_basis"] == pytest.approx(CARRY * 30 / 365, rel=2e-3)
    assert set(PUBLIC_COLUMNS) <= set(hist.columns)


def test_incremental_update_and_asof(store):
    first = update_option_indices(store, "510050.SH", asof=DATES[4])
    assert first["date"].max() == DATES[4]
    full = update_option_indices(store, "510050.SH")
    assert len(full) == len(DATES)
    # the rows cached first are unchanged, the later ones were added (not recomputed from scratch)
    pd.testing.assert_frame_equal(full.iloc[:5].reset_index(drop=True), first.reset_index(drop=True))
    loaded = load_option_indices(store, "510050.SH", asof=DATES[6])
    assert list(loaded.columns) == PUBLIC_COLUMNS
    assert loaded["date"].max() == DATES[6]
    assert option_underlyings(store) == ["510050.SH"]


def test_load_before_update_is_empty_with_columns(store):
    empty = load_option_indices(store, asof=None)
    assert empty.empty and list(empty.columns) == PUBLIC_COLUMNS


def test_unknown_underlying_raises(store):
    with pytest.raises(DataError, match="no ETF options on the underlying"):
        update_option_indices(store, "510300.SH")


def test_missing_strikes_skip_the_term_and_say_so(store):
    chains = chain_mod.load_chains(store, asof=None)
    curve = pd.DataFrame([[SHIBOR] * 8], index=pd.DatetimeIndex(["2018-02-28"]),
                         columns=sorted(SHIBOR_TENORS.values()))
    spot = pd.Series([_spot(i) for i in range(len(DATES))], index=DATES)
    # the April chain loses every strike below its forward on day 0: no K0 → the June expiry replaces it
    broken = chains.drop(chains.index[(chains["date"] == DATES[0]) & (chains["expiry"] == pd.Timestamp("2018-04-25"))
                                      & (chains["strike"] < 2.9)])
    out = compute_option_indices(broken, spot, curve)
    assert out.loc[0, "status"] == "skipped 2018-04-25: no_k0"
    assert out.loc[0, "next_expiry"] == pd.Timestamp("2018-06-27")
    bias30 = H**2 / (6 * _spot(0) ** 2 * 30 / 365)  # uniform grids on both terms now
    assert (out.loc[0, "vix"] / 100) ** 2 - SIGMA**2 == pytest.approx(bias30, rel=0.05)
    assert (out.loc[1:, "status"] == "ok").all()
