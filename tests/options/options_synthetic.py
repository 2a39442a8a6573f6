"""A small synthetic ETF-option bundle priced by QuantLib, shared by the option tests (see test_history.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from cnradar.options.rates import SHIBOR_TENORS

ql = pytest.importorskip("QuantLib")

SIGMA = 0.22
SHIBOR = 0.03  # 3 % simple, every tenor
CARRY = 0.012  # forward = spot · e^{CARRY·T}
DATES = pd.bdate_range("2018-03-01", "2018-03-09")
EXPIRIES = {"1803": "2018-03-28", "1804": "2018-04-25", "1806": "2018-06-27"}
STRIKES = np.round(np.arange(1.60, 4.01, 0.05), 2)
H = 0.05  # strike spacing
INSTRUMENT_COLUMNS = ["symbol", "kind", "product", "exchange", "underlying", "multiplier", "list_date",
                      "last_trade_date", "strike", "right", "unit", "name"]
BAR_COLUMNS = ["symbol", "date", "open", "high", "low", "close", "settle", "volume", "open_interest", "amount"]


def _spot(i):
    return 2.70 + 0.01 * i


def _cont_rate(days):
    """ACT/360 simple 3 % to continuous ACT/365 over `days` (rates.py's convention, written out by hand)."""
    return 365 / days * math.log(1 + SHIBOR * days / 360)


def _price(right, k, fwd, days):
    t = days / 365
    disc = math.exp(-_cont_rate(days) * t)
    kind = ql.Option.Call if right == "C" else ql.Option.Put
    return ql.blackFormula(kind, float(k), fwd, SIGMA * math.sqrt(t), disc)


def write_synthetic_bundle(root):
    root.mkdir(parents=True, exist_ok=True)
    (root / "bars").mkdir()
    (root / "observations").mkdir()
    (root / "meta.json").write_text(json.dumps({"name": "opt-test", "description": "synthetic options",
                                                "synthetic": True, "sources": []}))
    instruments = [dict(symbol="510050.SH", kind="etf", product="50ETF", exchange="SSE", unit=1)]
    bars, n = [], 0
    for code, exp in EXPIRIES.items():
        for k in STRIKES:
            for right in "CP":
                n += 1
                sym = f"{10090000 + n}.SH"
                instruments.append(dict(symbol=sym, kind="etf_option", product="50ETF", exchange="SSE",
                                        underlying="510050.SH", list_date="2018-01-02", last_trade_date=exp,
                                        strike=k, right=right, unit=10000, name=f"50ETF {code} {right} {k}"))
                for i, d in enumerate(DATES):
                    days = (pd.Timestamp(exp) - d).days
                    fwd = _spot(i) * math.exp(CARRY * days / 365)
                    px = round(_price(right, k, fwd, days), 10)
                    bars.append(dict(symbol=sym, date=d.date(), close=px, settle=px))
    # dividend-adjusted 1804 pairs: strike 2.672 (0.8 % from 2.65, not a duplicate) and a 2.749 near-duplicate
    adj = []
    for k_before, k_after in ((2.75, 2.672), (2.80, 2.749)):
        for right in "CP":
            n += 1
            sym = f"{10090000 + n}.SH"
            instruments.append(dict(symbol=sym, kind="etf_option", product="50ETF", exchange="SSE",
                                    underlying="510050.SH", list_date="2018-01-02", last_trade_date="2018-04-25",
                                    strike=k_before, right=right, unit=10000, name=f"adj {right} {k_after}A"))
            adj.append(dict(symbol=sym, effective_date="2018-03-01", strike_before=k_before, strike_after=k_after,
                            unit_before=10000, unit_after=10204))
            for i, d in enumerate(DATES):
                days = (pd.Timestamp("2018-04-25") - d).days
                fwd = _spot(i) * math.exp(CARRY * days / 365)
                # the near-duplicate carries a visibly wrong price: it must be dropped by the dedupe policy
                bump = 0.05 if k_after == 2.749 else 0.0
                px = round(_price(right, k_after, fwd, days) + bump, 10)
                bars.append(dict(symbol=sym, date=d.date(), close=px, settle=px))
    for i, d in enumerate(DATES):
        bars.append(dict(symbol="510050.SH", date=d.date(), close=_spot(i), settle=None))
    pd.DataFrame(instruments).reindex(columns=INSTRUMENT_COLUMNS).to_csv(root / "instruments.csv", index=False)
    pd.DataFrame(bars).reindex(columns=BAR_COLUMNS).to_csv(root / "bars" / "all.csv", index=False)
    pd.DataFrame(adj).to_csv(root / "option_adjustments.csv", index=False)
    pd.DataFrame([dict(series=s, name=s, unit="%", frequency="daily", source="test", release_rule="same_day")
                  for s in SHIBOR_TENORS]).to_csv(root / "series.csv", index=False)
    obs = [dict(series=s, period=d.date(), release_date=d.date(), value=SHIBOR * 100)
           for s in SHIBOR_TENORS for d in pd.bdate_range("2018-02-20", DATES[-1])]
    pd.DataFrame(obs).reindex(columns=["series", "period", "release_date", "value", "consensus", "consensus_std"]
                              ).to_csv(root / "observations" / "rates.csv", index=False)
    return root


