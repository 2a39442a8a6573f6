"""build_report end to end on hand-made section inputs (fake analytics modules, fake store)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from cnradar.errors import ConfigError, DataError
from cnradar.report import assemble, build_report
from cnradar.report.labels import INDICATORS
from cnradar.report.model import RadarData
from cnradar.report.sections import fallback_narrative, frame_table, period_returns

ASOF = pd.Timestamp("2025-03-21")


@pytest.fixture
def fake_modules(monkeypatch, history):
    idx = history.scores.index

    def basis_monitor(store, product, *, asof):
        if product != "IF":
            raise DataError(f"no listed {product} contracts on {asof.date()}")
        return pd.DataFrame({"contract": ["IF2504", "IF2505", "IF2506", "IF2509"], "days_to_expiry": [19, 39, 59, 119],
                             "basis_rate": [-0.002, -0.005, -0.008, -0.015],
                             "daily_average": [-1.05e-4, -1.28e-4, -1.36e-4, -1.26e-4]})

    def basis_history(store, product, *, asof, measure):
        n = int(measure.rsplit("_", 1)[1])
        return pd.Series(-0.001 * n / 20 * np.ones(len(idx)), idx, name=measure)

    def build_index(name, store, *, start=None, asof):
        if name == "bcom":
            raise DataError("no BCOM constituents in the store")
        lv = pd.DataFrame({"date": idx, "excess": 100 * 1.0003 ** np.arange(len(idx))})
        w = pd.DataFrame({"date": [idx[0]] * 2 + [idx[-10]] * 2, "constituent": ["CL", "GC", "CL", "GC"],
                          "weight": [0.6, 0.4, 0.7, 0.3]})
        rolls = pd.DataFrame({"start": [asof + pd.Timedelta(days=10)], "end": [asof + pd.Timedelta(days=16)],
                              "from": ["CLK5"], "to": ["CLM5"]})
        return SimpleNamespace(levels=lv, weights=w, roll_schedule=rolls)

    mods = {
        "cnradar.radar.engine": SimpleNamespace(score_history=lambda store, *, asof, start=None: history),
        "cnradar.futures.monitor": SimpleNamespace(basis_monitor=basis_monitor, basis_history=basis_history,
                                                   recommended_hedge=lambda store, p, *, asof: "IF2509"),
        "cnradar.cindex.methodology": SimpleNamespace(list_methodologies=lambda: ["gsci", "bcom"]),
        "cnradar.cindex.engine": SimpleNamespace(build_index=build_index),
    }

    def fake(name):
        if name in mods:
            return mods[name]
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(assemble, "_module", fake)
    return mods


def test_report_end_to_end_with_all_sections(tmp_path, fake_modules, close_series, FakeStore):
    r = build_report(FakeStore(close_series, synthetic=True), asof=ASOF, out_dir=tmp_path, formats="html,png,md",
                     years=1, strict=True)
    assert set(r.paths) == {"html", "png", "svg", "md"}
    assert all(r.sizes[k] > 1000 for k in r.paths)
    assert r.synthetic
    assert set(r.sections) == {"summary", "hexagon", "categories", "table", "narrative", "indicators", "history",
                               "basis", "commodity", "evaluation", "data"}
    html = r.html.read_text(encoding="utf-8")
    # self-contained: no external reference of any kind, and a CSP that forbids fetching anything
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", html)
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html
    # every indicator chart, the hexagon, the seed's composite and label
    for ind, *_ in INDICATORS:
        assert f'data-chart="indicator:{ind}"' in html, ind
    assert 'data-chart="hexagon"' in html and 'id="synthetic-banner"' in html
    assert '<div class="big" id="composite-value">-0.11</div>' in html
    assert '<div class="label" id="composite-label">中性偏空</div>' in html
    # gaps are visible, not silent
    for part in ("basis:IH", "basis:IC", "basis:IM", "commodity:bcom"):
        assert f'data-missing="{part}"' in html
        assert any(m.section == part for m in r.missing)
    assert 'id="hedge-IF">IF2509<' in html
    md = r.paths["md"].read_text(encoding="utf-8")
    assert "-0.11" in md and "中性偏空" in md and "合成" in md
    assert r.paths["svg"].read_bytes().lstrip().startswith(b"<?xml")
    assert r.paths["png"].read_bytes()[:4] == b"\x89PNG"


def test_report_without_any_analytics_shows_no_data_panels(tmp_path, monkeypatch, close_series, FakeStore):
    def absent(name):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(assemble, "_module", absent)
    r = build_report(FakeStore(close_series, synthetic=False), asof=None, out_dir=tmp_path, lang="en",
                     formats=["html", "md"])
    assert r.asof == close_series.index[-1]
    assert r.sections == ("data",)
    sections = {m.section for m in r.missing}
    assert {"radar", "basis:IF", "commodity"} <= sections
    html = r.html.read_text(encoding="utf-8")
    assert 'data-missing="radar"' in html and "No data" in html
    assert 'id="synthetic-banner"' not in html
    assert "png" not in r.paths


def test_bad_options_raise_config_errors(tmp_path, close_series, FakeStore):
    with pytest.raises(ConfigError, match=r"unknown report format: one or more of html, png, svg, md; got 'pdf'"):
        build_report(FakeStore(close_series), asof=ASOF, out_dir=tmp_path, formats="html,pdf")
    with pytest.raises(ConfigError, match="unknown report language"):
        build_report(FakeStore(close_series), asof=ASOF, out_dir=tmp_path, lang="fr")
    with pytest.raises(ConfigError, match="empty store"):
        build_report(FakeStore(None), asof=None, out_dir=tmp_path)


def test_weekly_dates_and_table_from_history(history, close_series):
    radar = assemble.radar_from_history(history, ASOF + pd.Timedelta(days=1), "zh", index_close=close_series)
    assert isinstance(radar, RadarData)
    assert radar.this_date == ASOF and radar.last_date == ASOF - pd.Timedelta(days=7)
    assert radar.composite_this == pytest.approx(-0.10875)
    assert radar.composite_last == pytest.approx(-0.205)
    assert radar.table.loc["cb_pricing_deviation", "change"] == pytest.approx(0.45)
    assert radar.table.loc["risk_aversion", "proxy"] == "us.vix"
    assert len(radar.charts) == 21
    by_id = {c.id: c for c in radar.charts}
    assert by_id["monetary_direction"].thresholds == (0.0,)  # direction factor: sign of the factor
    assert by_id["credit_direction"].thresholds == ()  # compared with 3 months ago: no fixed line
    assert by_id["monetary_strength"].thresholds == (-1.5, 1.5)  # the history's explicit thresholds


def test_fallback_narrative_in_the_seeds_words(history, close_series):
    radar = assemble.radar_from_history(history, ASOF, "zh", index_close=close_series)
    paras = fallback_narrative(radar, "zh")
    assert paras[0] == ("① 流动性：本周货币方向、货币强度、信用方向发出看空信号，信用强度无显著信号，"
                        "当前流动性得分为-0.75分，综合来看显著看空。")
    assert paras[3].startswith("④ 资金面：本周两融增量、成交额趋势、中国主权CDS利差发出看多信号，海外风险厌恶指数发出看空信号")
    assert "0.50分" in paras[3]
    en = fallback_narrative(radar, "en")
    assert en[0].startswith("Liquidity: this week") and "-0.75: strongly bearish." in en[0]


def test_period_returns_hand_example():
    idx = pd.to_datetime(["2024-12-31", "2025-02-21", "2025-03-14", "2025-03-20", "2025-03-21"])
    lv = pd.Series([100.0, 104.0, 110.0, 111.0, 121.0], idx)
    r = period_returns(lv, pd.Timestamp("2025-03-21"))
    assert r["level"] == 121.0
    assert r["1w"] == pytest.approx(121 / 110 - 1)  # base: last level on or before 2025-03-14
    assert r["1m"] == pytest.approx(121 / 104 - 1)  # base: 2025-02-21
    assert r["ytd"] == pytest.approx(0.21)
    assert np.isnan(period_returns(lv.iloc[1:], pd.Timestamp("2025-03-21"))["ytd"])


def test_frame_table_formats_numbers_and_dates():
    f = pd.DataFrame({"contract": ["IF2504"], "expiry": [pd.Timestamp("2025-04-18")], "basis_rate": [-0.00213],
                      "price": [3912.4], "n": [3]})
    tab = frame_table(f, index=False, pct_cols=["basis_rate"])
    assert tab["header"] == ["contract", "expiry", "basis_rate", "price", "n"]
    assert tab["rows"] == [["IF2504", "2025-04-18", "-0.21%", "3912.40", "3"]]
