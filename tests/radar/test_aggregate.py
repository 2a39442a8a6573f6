"""Aggregation against the seed's own table (golden §1, both weeks) and the missing-data rules."""

from __future__ import annotations

import math

import pytest

from cnradar.errors import ConfigError
from cnradar.radar import aggregate
from cnradar.radar.registry import INDICATOR_IDS, load_registry


def test_seed_this_week(seed_table):
    r = aggregate({k: v[1] for k, v in seed_table.items()})
    # published: dimensions -0.75, 0.00, 0.00, 0.50, 0.00, -0.57 (=-0.575); categories; composite -0.11
    assert r.dimensions == pytest.approx({"liquidity": -0.75, "economy": 0.0, "valuation": 0.0, "flows": 0.5,
                                          "technical": 0.0, "crowding": -0.575}, abs=1e-12)
    assert r.categories == pytest.approx({"macro": -0.375, "valuation": 0.0, "flows_trend": 0.6,
                                          "crowding_reversal": -0.66}, abs=1e-12)
    assert r.composite == pytest.approx(-0.10875, abs=1e-12)
    assert round(r.composite, 2) == -0.11
    assert r.coverage == 1.0 and r.missing == ()


def test_seed_last_week(seed_table):
    r = aggregate({k: v[0] for k, v in seed_table.items()})
    assert r.categories["macro"] == pytest.approx(-0.50)
    assert r.categories["valuation"] == pytest.approx(-0.17, abs=0.005)   # (0.39-0.49-0.41)/3 = -0.17
    assert r.categories["flows_trend"] == pytest.approx(0.60)
    assert r.categories["crowding_reversal"] == pytest.approx(-0.75)
    assert r.composite == pytest.approx(-0.205, abs=1e-12)


def test_missing_is_not_zero(seed_table):
    scores = {k: v[1] for k, v in seed_table.items()}
    scores["credit_strength"] = float("nan")      # was 0.00: dropping it changes the means
    del scores["option_vix"]
    r = aggregate(scores)
    assert r.dimensions["liquidity"] == pytest.approx(-1.0)
    assert r.dimensions["crowding"] == pytest.approx((-1 - 1 - 0.3) / 3)
    assert set(r.missing) == {"credit_strength", "option_vix"}
    assert r.coverage == pytest.approx(19 / 21)
    assert math.isnan(r.indicators["option_vix"])


def test_group_without_data_is_missing():
    r = aggregate({"pb": 0.5})
    assert r.categories["valuation"] == 0.5 and r.composite == 0.5
    assert math.isnan(r.categories["macro"]) and math.isnan(r.dimensions["crowding"])
    assert math.isnan(aggregate({}).composite)


def test_errors_teach():
    with pytest.raises(ConfigError, match="unknown indicator id in scores.*got 'erp'"):
        aggregate({"erp": 0.1})
    with pytest.raises(ConfigError, match="score of pb out of range"):
        aggregate({"pb": 1.7})


def test_registry_is_complete():
    reg = load_registry()
    assert reg.ids() == INDICATOR_IDS and len(INDICATOR_IDS) == 21
    assert reg["new_high_low"].dimension == "technical" and reg["new_high_low"].category == "crowding_reversal"
    assert [len(reg.by_dimension(d)) for d in ("liquidity", "economy", "valuation", "flows", "technical",
                                              "crowding")] == [4, 4, 3, 4, 2, 4]
    for spec in reg.indicators.values():
        assert spec.name_zh and spec.name_en and spec.source.startswith("seeds/timing-radar.txt")
        assert callable(spec.function)
