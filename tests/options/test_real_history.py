"""The full 50ETF history on the real bundle (2016-02 .. 2019-11): coverage, sanity ranges, known episodes."""

from __future__ import annotations

import pandas as pd
import pytest

from cnradar.options.history import load_option_indices, update_option_indices


@pytest.fixture(scope="module")
def real_history(real_store):
    real_store.drop_derived("option_indices")
    return update_option_indices(real_store, "510050.SH")


def test_every_option_day_has_vix_and_skew(real_history, real_store):
    days = real_store.bars(kind="etf_option", asof=None, columns=["close"])["date"].nunique()
    assert len(real_history) == days == 917
    assert real_history["vix"].notna().all() and real_history["skew"].notna().all()
    assert (real_history["quote_source"] == "settle").all()  # the sample has no bid/ask
    # 50ETF implied vol lived between ~8 % and ~40 % in 2016-2019
    assert real_history["vix"].between(7, 45).all()
    assert real_history["skew"].between(80, 140).all()
    # terms skipped only where the data lack strikes (70 contracts of 2019-04/05 have no terms in the bundle)
    skipped = real_history.loc[real_history["status"] != "ok", "date"]
    assert len(skipped) <= 30
    assert skipped.dt.year.isin([2016, 2019]).all()


def test_known_episodes(real_history):
    h = real_history.set_index("date")
    # Feb 2018 sell-off: VIX peaked in the week of 2018-02-09 (50ETF fell ~10 % that week)
    feb = h.loc["2018-01-29":"2018-02-28", "vix"]
    assert feb.idxmax() in pd.date_range("2018-02-06", "2018-02-12")
    assert feb.max() > 1.5 * h.loc["2017-12-01":"2017-12-31", "vix"].mean()
    # calm 2017: the lowest readings of the sample
    assert h["vix"].idxmin().year == 2017


def test_implied_basis_needs_spot_and_tracks_dividends(real_history):
    h = real_history.set_index("date")
    # 510050 bars end 2019-02-22: no spot, no basis afterwards (visible NaN, not zero)
    assert h.loc["2019-02-25":, "implied_basis"].isna().all()
    assert h.loc[:"2019-02-22", "implied_basis"].notna().mean() > 0.99
    # before the late-November ex-dividend date the forward carries the dividend: negative 30-day basis
    assert h.loc["2016-11-14":"2016-11-25", "implied_basis"].mean() < -0.001
    assert h["implied_basis"].abs().max() < 0.05


def test_incremental_and_asof_read(real_history, real_store):
    again = update_option_indices(real_store, "510050.SH")
    pd.testing.assert_frame_equal(again, real_history)
    cut = load_option_indices(real_store, "510050.SH", asof="2018-06-29")
    assert cut["date"].max() == pd.Timestamp("2018-06-29")
