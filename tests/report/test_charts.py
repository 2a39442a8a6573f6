"""Chart geometry (closed form) and rendering properties."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from cnradar.errors import ConfigError
from cnradar.report import charts
from cnradar.report.model import IndicatorChartData

DIMS = ["流动性", "经济面", "估值面", "资金面", "技术面", "拥挤度"]


def test_hexagon_vertices_closed_form():
    v = charts.hexagon_vertices([1.0] * 6)
    angles = np.deg2rad([90, 30, -30, -90, -150, 150])  # top, then clockwise
    np.testing.assert_allclose(v, np.column_stack([np.cos(angles), np.sin(angles)]), atol=1e-12)
    np.testing.assert_allclose(charts.hexagon_vertices([-1.0] * 6), 0.0, atol=1e-12)
    # score 0.5 sits at radius 0.75 on the first axis (straight up)
    np.testing.assert_allclose(charts.hexagon_vertices([0.5, 0, 0, 0, 0, 0])[0], [0.0, 0.75], atol=1e-12)
    # clipped above 1 and NaN on the neutral ring (radius 0.5)
    np.testing.assert_allclose(charts.hexagon_vertices([3.0, np.nan, 0, 0, 0, 0])[:2],
                               [[0.0, 1.0], [0.5 * np.cos(np.pi / 6), 0.5 * np.sin(np.pi / 6)]], atol=1e-12)


def test_hexagon_needs_three_axes():
    with pytest.raises(ConfigError, match="needs at least 3 scores"):
        charts.hexagon_vertices([0.1, 0.2])


def test_hexagon_svg_is_valid_deterministic_and_carries_glyph_outlines():
    a = charts.hexagon_chart(DIMS, [-0.75, 0, 0, 0.5, 0, -0.575], [-0.5, 0, -0.17, 0.5, 0, np.nan], fmt="svg")
    b = charts.hexagon_chart(DIMS, [-0.75, 0, 0, 0.5, 0, -0.575], [-0.5, 0, -0.17, 0.5, 0, np.nan], fmt="svg")
    assert a.data == b.data
    root = ET.fromstring(a.data)
    assert root.tag.endswith("svg")
    assert b"<text" not in a.data  # svg.fonttype=path: text is outlines, no font needed to read it
    png = charts.hexagon_chart(DIMS, [0.1] * 6, None, fmt="png")
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.data_uri().startswith("data:image/png;base64,")


def test_score_spans_partition_signal_days():
    s = pd.Series([0.0, 0.1, 0.3, -0.6, -1.0, np.nan, 1.0, 0.26])
    spans = charts.score_spans(s, levels=4)
    total = np.zeros(len(s), dtype=int)
    for mask, level in spans:
        total += mask
        assert np.all(np.sign(s[mask]) == np.sign(level))
        assert np.all(np.abs(s[mask]) <= abs(level) + 1e-12)
    np.testing.assert_array_equal(total, [0, 1, 1, 1, 1, 0, 1, 1])  # every non-zero day exactly once


def test_indicator_chart_renders_with_and_without_raw():
    idx = pd.bdate_range("2022-01-03", periods=300)
    score = pd.Series(np.where(np.arange(300) % 50 < 25, 1.0, -1.0), idx)
    full = IndicatorChartData("x", "货币强度", score, raw=pd.Series(np.arange(300.0), idx),
                              factor=pd.Series(np.sin(np.arange(300) / 9), idx), thresholds=(-1.5, 1.5))
    only_score = IndicatorChartData("y", "期权VIX", score)
    for d in (full, only_score):
        c = charts.indicator_chart(d, idx[-1], fmt="png", years=1)
        assert c.data[:4] == b"\x89PNG"
