"""The report in a real browser: Debian's headless Chromium driven over the DevTools pipe.

How the checks work (see cnradar.report.browser): Chromium starts with --headless --no-sandbox --disable-gpu
--disable-background-networking --disable-component-update --disable-sync --no-first-run, a fresh
--user-data-dir and every host name unresolvable; DevTools events record console errors, uncaught exceptions,
browser log errors (CSP violations, failed loads) and every network request other than the page itself and
data: URIs; a script then lists every <img data-chart> and whether it decoded. Screenshots are saved under
test-artifacts/ (git-ignored) for a person to look at. A negative control proves the harness sees problems.
Skipped, with the reason, only where Chromium is absent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cnradar.report import assemble, build_report
from cnradar.report.browser import find_chromium, inspect_page
from cnradar.report.labels import INDICATORS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None, reason="chromium not installed (apt-get install chromium "
                       "fonts-noto-cjk); the browser checks of the report are skipped"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ALL_CHARTS = {f"indicator:{i[0]}" for i in INDICATORS} | {"hexagon", "categories", "history"}


def _assert_clean(page) -> None:
    assert page.console == [], page.console
    assert page.requests == [], page.requests
    broken = [i for i in page.images if not (i["complete"] and i["width"] > 0)]
    assert broken == [], broken


def test_harness_catches_errors_and_requests(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>坏页面</p>'
                   '<img data-chart="x" src="http://cnradar.invalid/x.png">'
                   '<script>console.error("boom"); undefinedFunction();</script></body></html>', encoding="utf-8")
    page = inspect_page(bad, settle=1.0)
    assert any("boom" in c for c in page.console)
    assert any("undefinedFunction" in c for c in page.console)
    assert "http://cnradar.invalid/x.png" in page.requests
    assert page.images == [{"chart": "x", "complete": True, "width": 0, "height": 0}]  # failed image


def test_fake_report_in_browser(tmp_path, monkeypatch, history, close_series, FakeStore):
    mods = {"cnradar.radar.engine": type("E", (), {"score_history": staticmethod(
        lambda store, *, asof, start=None: history)})}

    def fake(name):
        if name in mods:
            return mods[name]
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(assemble, "_module", fake)
    r = build_report(FakeStore(close_series), asof=pd.Timestamp("2025-03-21"), out_dir=tmp_path, years=1,
                     formats="html")
    page = inspect_page(r.html, screenshot=ARTIFACTS / "report-fake-zh.png", max_height=2400)
    _assert_clean(page)
    charts = {i["chart"] for i in page.images}
    assert ALL_CHARTS <= charts
    assert "basis:IF" in page.missing_panels and "commodity" in page.missing_panels
    assert "中性偏空" in page.text_sample and "合成" in page.text_sample
    assert page.screenshot is not None and page.screenshot.stat().st_size > 50_000


@pytest.mark.slow
def test_demo_report_end_to_end_in_browser(demo_store, tmp_path):
    """Acceptance: the demo universe -> cnradar report -> headless Chromium: no console errors, no network,
    every indicator chart and the hexagon present; screenshots saved as test artefacts."""
    pytest.importorskip("cnradar.radar.engine", reason="radar engine not in this checkout")
    r = build_report(demo_store, asof=None, out_dir=tmp_path, lang="zh", refresh_derived=True)
    assert r.synthetic
    page = inspect_page(r.html, screenshot=ARTIFACTS / "report-demo-zh.png", max_height=3000)
    _assert_clean(page)
    charts = {i["chart"] for i in page.images}
    assert "hexagon" in charts and "categories" in charts and "history" in charts
    with_data = set(r.indicator_charts)
    assert {f"indicator:{i}" for i in with_data} <= charts
    no_chart = {i[0] for i in INDICATORS} - with_data
    # an indicator without a chart must be a visible "no data" panel
    assert {f"indicator:{i}" for i in no_chart} <= set(page.missing_panels)
    assert len(with_data) >= 18, sorted(no_chart)
    assert "synthetic-banner" not in page.missing_panels and "合成" in page.text_sample
    assert "basis" in r.sections and "commodity" in r.sections and "evaluation" in r.sections
