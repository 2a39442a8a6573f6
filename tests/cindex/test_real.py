"""Chinese sector indices on the real bundle's continuous main-contract series (continuous-series mode)."""

from __future__ import annotations

import pytest

from cnradar.cindex.engine import build_index, product_correlations


@pytest.mark.real
@pytest.mark.parametrize("name", ["CN_NONFERROUS", "CN_CHEMICALS", "CN_AGRICULTURE", "CN_COMPOSITE"])
def test_chinese_sector_indices_from_continuous_series(real_store, name):
    res = build_index(name, real_store, asof=None)
    assert res.mode == "continuous"
    lv = res.levels
    assert lv["date"].iloc[0].strftime("%Y-%m-%d") == "2010-01-04" and lv["excess"].iloc[0] == 1000
    assert lv["excess"].notna().all() and (lv["excess"] > 0).all()
    w = res.weights.groupby("rebalance_date")["weight"].sum()
    assert w.to_numpy() == pytest.approx(1)
    corr = product_correlations(res)
    # each priced constituent co-moves with its sector index
    assert (corr["correlation"] > 0.1).all(), corr
    assert len(corr) >= 2
