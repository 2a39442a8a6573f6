"""View words and aggregation against the seed's own week (seeds/timing-radar.txt 图表1–3; golden §1)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cnradar.report.assemble import aggregate_scores, indicator_meta
from cnradar.report.labels import composite_label, score_color, signal_label

# Hand-chosen points on and around every band edge (the four words; 中性 only at exactly 0).
BANDS = [(-0.10875, "中性偏空"), (0.5, "看多"), (0.4999, "中性偏多"), (0.1, "中性偏多"), (0.0001, "中性偏多"),
         (0.0, "中性"), (-0.0001, "中性偏空"), (-0.1, "中性偏空"), (-0.5, "中性偏空"), (-0.5001, "看空"),
         (1.0, "看多"), (-1.0, "看空")]


@pytest.mark.parametrize(("c", "zh"), BANDS)
def test_composite_label_bands(c, zh):
    assert composite_label(c, "zh") == zh


def test_english_label_is_the_radar_word_capitalised():
    assert composite_label(-0.10875, "en") == "Neutral to bearish"


def test_composite_label_nan_is_no_data():
    assert composite_label(float("nan")) == "无数据"


@pytest.mark.parametrize(
    ("score", "word"),
    # the seed's sentences: 流动性 -0.75 显著看空, 经济面 0.00 无显著信号, 资金面 0.50 显著看多, 拥挤度 -0.57 显著看空
    [(-0.75, "显著看空"), (0.0, "无显著信号"), (0.5, "显著看多"), (-0.575, "显著看空"), (0.2, "偏多"), (-0.2, "偏空")],
)
def test_signal_label_reproduces_seed_wording(score, word):
    assert signal_label(score) == word


def test_score_color_direction_by_language():
    assert score_color(1.0, "zh").startswith("rgba(214,39,40")  # red = bullish in China
    assert score_color(1.0, "en").startswith("rgba(44,160,44")
    assert score_color(float("nan"), "zh").startswith("rgba(160,160,160")


@pytest.fixture
def week(seed_table):
    def make(which: int) -> pd.DataFrame:
        return pd.DataFrame([{k: v[which] for k, v in seed_table.items()}], index=[pd.Timestamp("2025-03-21")])

    return make


def test_aggregation_matches_golden_thisweek(week):
    dims, cats, comp = aggregate_scores(week(1), indicator_meta("zh"))
    d, c = dims.iloc[0], cats.iloc[0]
    expected_dims = {"liquidity": -0.75, "economy": 0.0, "valuation": 0.0, "flows": 0.5, "technical": 0.0,
                     "crowding": -0.575}
    for k, v in expected_dims.items():
        assert d[k] == pytest.approx(v, abs=1e-12), k
    expected_cats = {"macro": -0.375, "valuation": 0.0, "flows_trend": 0.6, "crowding_reversal": -0.66}
    for k, v in expected_cats.items():
        assert c[k] == pytest.approx(v, abs=1e-12), k
    assert comp.iloc[0] == pytest.approx(-0.10875, abs=1e-12)  # printed -0.11


def test_aggregation_matches_golden_lastweek(week):
    _, cats, comp = aggregate_scores(week(0), indicator_meta("zh"))
    assert cats.iloc[0]["macro"] == pytest.approx(-0.50)
    assert cats.iloc[0]["valuation"] == pytest.approx(-0.17, abs=1e-12)
    assert cats.iloc[0]["flows_trend"] == pytest.approx(0.60)
    assert cats.iloc[0]["crowding_reversal"] == pytest.approx(-0.75)
    assert comp.iloc[0] == pytest.approx(-0.205, abs=1e-12)


def test_aggregation_skips_missing_indicators_not_zero(week):
    week = week(1)
    week.loc[:, ["shiller_erp", "pb"]] = np.nan
    dims, cats, _ = aggregate_scores(week, indicator_meta("zh"))
    assert dims.iloc[0]["valuation"] == pytest.approx(-0.24)  # only AIAE left: the mean of what exists
    week.loc[:, "aiae"] = np.nan
    dims, cats, comp = aggregate_scores(week, indicator_meta("zh"))
    assert math.isnan(dims.iloc[0]["valuation"]) and math.isnan(cats.iloc[0]["valuation"])
    assert comp.iloc[0] == pytest.approx((-0.375 + 0.6 - 0.66) / 3)
