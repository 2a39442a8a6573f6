"""The report from the real bundle (../shared/data/real): partial coverage renders and the gaps are shown."""

from __future__ import annotations

import pytest

from cnradar.report import build_report
from cnradar.report.browser import find_chromium, inspect_page

pytestmark = pytest.mark.real


@pytest.mark.slow
def test_real_bundle_report_shows_gaps(real_store, tmp_path):
    pytest.importorskip("cnradar.radar.engine", reason="radar engine not in this checkout")
    r = build_report(real_store, asof="2024-06-28", out_dir=tmp_path, lang="zh", formats="html,png,md")
    assert not r.synthetic
    assert {"summary", "hexagon", "table", "basis", "data"} <= set(r.sections)
    html = r.html.read_text(encoding="utf-8")
    assert 'id="synthetic-banner"' not in html
    # documented gaps of the real bundle (its README): no CDS, no Citi RAI, no DR007 -> visible "no data"
    missing = {m.section: m.reason for m in r.missing}
    for ind, series in (("china_cds", "cn.cds.5y"), ("risk_aversion", "global.risk_aversion"),
                        ("monetary_strength", "cn.rate.dr007")):
        assert series in missing[f"radar:{ind}"]
        assert f"radar:{ind}" in html
    assert "无数据" in html
    if find_chromium() is not None:
        from pathlib import Path

        page = inspect_page(r.html, screenshot=Path(__file__).resolve().parents[2] / "test-artifacts"
                            / "report-real-zh.png", max_height=2400)
        assert page.console == [] and page.requests == []
        assert any(i["chart"] == "hexagon" and i["width"] > 0 for i in page.images)
