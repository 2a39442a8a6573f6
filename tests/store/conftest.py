"""Tiny hand-written bundles for store and importer tests (every value chosen by hand)."""

from __future__ import annotations

import json
from pathlib import Path

INSTRUMENTS = """symbol,kind,product,exchange,underlying,multiplier,list_date,last_trade_date,strike,right,unit,name
000300.SH,index,,SSE,,,,,,,,沪深300
IF2402.CFE,index_future,IF,CFFEX,000300.SH,300,2023-12-18,2024-02-19,,,,IF2402
"""
BARS = """symbol,date,open,high,low,close,settle,volume,open_interest,amount
000300.SH,2024-02-05,3200,3250,3150,3218.2,,12000000000,,180000000000
000300.SH,2024-02-06,3218,3400,3210,3380.5,,15000000000,,230000000000
000300.SH,2024-02-07,3380,3390,3340,3350.0,,11000000000,,170000000000
IF2402.CFE,2024-02-05,3190,3240,3140,3205.0,3201.2,100000,200000,96000000000
IF2402.CFE,2024-02-06,3205,3390,3200,3370.0,3368.8,120000,210000,121000000000
IF2402.CFE,2024-02-07,3370,3380,3330,3340.0,3341.4,90000,205000,90300000000
"""
SERIES = """series,name,unit,frequency,source,release_rule
cn.cpi.yoy,CPI YoY,%,monthly,hand,next_month_day:15
cn.rate.dr007,DR007,%,daily,hand,same_day
"""
OBS = """series,period,release_date,value,consensus,consensus_std
cn.cpi.yoy,2023-11-30,2023-12-09,-0.5,-0.1,0.2
cn.cpi.yoy,2023-12-31,2024-01-12,-0.3,-0.4,0.2
cn.cpi.yoy,2023-12-31,2024-02-08,-0.2,,
cn.cpi.yoy,2024-01-31,,-0.8,-0.5,0.2
cn.rate.dr007,2024-02-05,,1.85,,
cn.rate.dr007,2024-02-06,,1.90,,
"""


def write_bundle(root: Path, *, name: str = "hand", synthetic: bool = True, **overrides: str) -> Path:
    """Write the hand bundle to ``root``; ``overrides`` replace a file's text (keys: instruments, bars, series,
    obs) — that is how tests inject one defect at a time."""
    files = {"instruments.csv": overrides.get("instruments", INSTRUMENTS),
             "bars/index.csv": overrides.get("bars", BARS),
             "series.csv": overrides.get("series", SERIES),
             "observations/macro.csv": overrides.get("obs", OBS)}
    root.mkdir(parents=True, exist_ok=True)
    (root / "meta.json").write_text(json.dumps({"name": name, "synthetic": synthetic, "description": "test"}))
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


import pytest  # noqa: E402


@pytest.fixture
def hand_bundle():
    """The bundle writer: ``hand_bundle(path, bars=...)``."""
    return write_bundle
