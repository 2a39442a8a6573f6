"""Synthetic per-contract commodity futures for the cindex tests (independent of the engine).

Each product has a spot path S_t = S_0 · exp(σ W_t + μ t) on weekdays; a contract expiring at T (its last
trading day from the catalogue) trades from T − 2 years to T at F_t = S_t · exp(c · (T − t)/365) — ``c`` > 0 is
contango, < 0 backwardation. Open interest peaks two months before expiry (so the "main" contract is a few months
out) and volume is proportional to it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from cnradar.cindex.products import load_products


@lru_cache(maxsize=8192)
def _ltd(key: str, year: int, month: int) -> pd.Timestamp:
    return load_products()[key].last_trade_date(year, month)


def synthetic_bars(
    products: list[str],
    start: str = "2010-01-01",
    end: str = "2013-12-31",
    *,
    seed: int = 7,
    vol: float = 0.2,
    drift: float = 0.0,
    carry: float | dict[str, float] = 0.0,
    flat: bool = False,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    catalogue = load_products()
    days = pd.bdate_range(start, end)
    t = np.arange(len(days)) / 252.0
    frames = []
    for key in products:
        p = catalogue[key]
        if flat:
            spot = np.full(len(days), p.typical_price)
        else:
            shocks = rng.standard_normal(len(days)) * vol / np.sqrt(252)
            spot = p.typical_price * np.exp(np.cumsum(shocks) + drift * t)
        c = carry.get(key, 0.0) if isinstance(carry, dict) else carry
        for year in range(days[0].year - 1, days[-1].year + 4):
            for month in p.listed_months:
                ltd = _ltd(key, year, month)
                live = (days <= ltd) & (days >= ltd - pd.Timedelta(days=730))
                if not live.any():
                    continue
                tau = (ltd - days[live]).days.to_numpy() / 365.0
                fut = spot[live] * np.exp(c * tau)
                oi = 1e5 * np.exp(-((tau - 0.17) ** 2) / 0.02) + 10.0
                frames.append(pd.DataFrame({
                    "symbol": p.contract(year, month), "date": days[live], "open": fut, "high": fut, "low": fut,
                    "close": fut, "settle": fut, "volume": oi * 0.5, "open_interest": oi, "amount": np.nan}))
    return pd.concat(frames, ignore_index=True).sort_values(["symbol", "date"]).reset_index(drop=True)
