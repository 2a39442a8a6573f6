"""Small synthetic CFFEX chains with known answers, and a duck-typed store serving them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar import calendar as cal


def synthetic_frames(product: str = "IF", start: str = "2023-11-01", end: str = "2024-06-28", *,
                     a: float = -0.0004, spot: float = 3000.0, drift: float = 0.0):
    """Bars where every contract's basis rate is exactly ``a × days_to_expiry`` (so the daily average is ``a``
    and every N-day monthly ratio is ``20 a``). Index: ``spot × (1 + drift)^i``."""
    days = cal.sessions(start, end)
    rows, inst = [], {}
    index_close = spot * (1 + drift) ** np.arange(len(days))
    for i, day in enumerate(days):
        for sym in cal.listed_cffex_contracts(product, day):
            exp = cal.cffex_last_trading_day(sym)
            d = cal.trading_days_between(day, exp)
            f = index_close[i] * (1 + a * d)
            rows.append({"symbol": sym, "date": day, "open": f, "high": f, "low": f, "close": f, "settle": f,
                         "volume": 100.0, "open_interest": 1000.0 - 100 * d / 10, "amount": np.nan})
            inst[sym] = exp
    bars = pd.DataFrame(rows)
    idx = pd.DataFrame({"symbol": str(cal.CFFEX_PRODUCTS[product]["index"]), "date": days, "close": index_close})
    instruments = pd.DataFrame({"symbol": list(inst), "kind": "index_future", "product": product,
                                "last_trade_date": pd.to_datetime(list(inst.values()))})
    return bars, idx, instruments


class FrameStore:
    """The part of ``cnradar.store.Store`` the basis code reads, served from frames (as-of filtered)."""

    def __init__(self, bars: pd.DataFrame, index_bars: pd.DataFrame, instruments: pd.DataFrame,
                 dividends: pd.DataFrame | None = None) -> None:
        self._bars = pd.concat([bars, index_bars], ignore_index=True)
        self._inst = instruments
        self._div = dividends if dividends is not None else pd.DataFrame(
            {"index": pd.Series(dtype=object), "ex_date": pd.Series(dtype="datetime64[ns]"),
             "points": pd.Series(dtype=float)})

    def bars(self, symbols=None, *, asof, kind=None, product=None, start=None, columns=None):
        b = self._bars
        if symbols is not None:
            b = b[b["symbol"].isin([symbols] if isinstance(symbols, str) else symbols)]
        if product is not None:
            b = b[b["symbol"].str.startswith(product) & b["symbol"].str.endswith(".CFE")]
        if asof is not None:
            b = b[b["date"] <= pd.Timestamp(asof)]
        if start is not None:
            b = b[b["date"] >= pd.Timestamp(start)]
        b = b.sort_values(["symbol", "date"]).reset_index(drop=True)
        return b[[c for c in (columns or b.columns) if c in b.columns]]

    def instruments(self, kind=None, symbols=None):
        return self._inst

    def index_dividends(self, index=None):
        d = self._div
        return d[d["index"] == index] if index is not None else d
