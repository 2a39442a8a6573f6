"""The radar on the real bundle: which indicators have real inputs, and sanity of the composite history."""

from __future__ import annotations

import pandas as pd
import pytest

from cnradar.radar import engine

# indicators whose inputs the real bundle provides (see ../shared/data/real/README.md "Gaps")
REAL_COVERED = {"monetary_direction", "credit_direction", "credit_strength", "growth_direction",
                "growth_strength", "inflation_direction", "inflation_strength", "shiller_erp", "pb",
                "turnover_trend", "price_trend", "new_high_low"}
REAL_MISSING = {"monetary_strength": "cn.rate.dr007", "china_cds": "cn.cds.5y",
                "risk_aversion": "global.risk_aversion", "aiae": "cn.market.float_cap",
                "margin_increment": "cn.margin.lending"}


@pytest.fixture(scope="module")
def real_hist(real_store):
    return engine.score_history(real_store, asof="2026-08-31")


def test_real_coverage(real_hist):
    st = real_hist.status
    have = set(st.index[st["has_data"]])
    assert REAL_COVERED <= have
    for iid, key in REAL_MISSING.items():
        assert not st.loc[iid, "has_data"] and st.loc[iid, "missing"] == key
    assert "fallback" in st.loc["new_high_low", "source"]


def test_real_composite_in_range_and_pit(real_store, real_hist):
    c = real_hist.composite.dropna()
    assert c.between(-1, 1).all() and c.index[0] <= pd.Timestamp("2006-01-01")
    for t in ("2015-06-12", "2018-10-19", "2020-03-23"):
        trunc = engine.score_history(real_store, asof=t, cache=False)
        pd.testing.assert_series_equal(trunc.frame.iloc[-1], real_hist.frame.loc[trunc.frame.index[-1]],
                                       check_names=False)


def test_real_proxies(real_store):
    h = engine.score_history(real_store, asof="2020-06-30", proxies=["vix_for_rai", "aiae_m2",
                                                                     "margin_financing_only"])
    last = h.scores.loc["2020-06-30"]
    assert last[["risk_aversion", "aiae", "margin_increment"]].notna().all()
    assert h.status.loc["aiae", "proxy"] == "aiae_m2"
