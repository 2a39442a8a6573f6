"""Daily ETF option chains from the store, with dividend-adjusted contracts handled explicitly.

Source: ``seeds/timing-radar.txt §六 6.1`` (50ETF option indices); SSE ETF option contract rules.

**Prices.** When the store has an extension table ``option_quotes`` (``bars_extra/option_quotes.csv``:
symbol, date, bid, ask) its bid/ask quotes are used for that day (``quote_source = "bid_ask"``); otherwise the
daily settlement price (close where the settle is blank) stands for both bid and ask
(``quote_source = "settle"``). A zero price then counts as a zero bid in the Cboe strike selection
(SSE settles are 0 only for out-of-the-money contracts on their expiry day).

**Dividend-adjusted contracts.** When 510050 pays a dividend, SSE adjusts every open contract: the unit
becomes ``round(10000 · P/(P - D))`` shares and the strike ``round(K · 10000/unit, 3)`` ("A" contracts such
as 认购2.006), and new standard contracts (unit 10,000) are listed beside them. Option prices are quoted per
share, so an adjusted contract is economically an option on one share with its adjusted strike; prices
therefore need no rescaling, only the adjusted strike (``store.option_adjustments``, effective-dated). Three
policies (``contracts=``):

- ``"dedupe"`` (default): standard and adjusted contracts together, per share; an adjusted contract whose
  strike lies within ``dedupe_tolerance`` (relative, default 0.5 %) of a standard strike of the same day,
  expiry and right is dropped in favour of the standard one (e.g. 2.299A beside 2.30). Adjusted contracts
  that fill the strike range (right after an ex-date most listed strikes are adjusted ones) are kept.
- ``"standard"``: only contracts with the standard unit — narrow chains right after an ex-date.
- ``"all"``: every contract; on an exact strike tie the standard contract wins.

**Expiry and time.** The expiry is the instrument's ``last_trade_date`` (SSE: the fourth Wednesday,
:func:`cnradar.calendar.etf_option_expiry`); computations are at the 15:00 close and expiry is at 15:00 on the
expiry day, so the time to expiry is ``days × 1440`` minutes (calendar days).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, DataError, explain

ContractPolicy = Literal["dedupe", "standard", "all"]
STANDARD_UNIT = 10_000
QUOTES_EXTRA = "option_quotes"

CHAIN_COLUMNS = ["date", "expiry", "days", "strike", "call_bid", "call_ask", "put_bid", "put_ask",
                 "call", "put", "quote_source"]


def option_contracts(store, underlying: str) -> pd.DataFrame:
    """ETF option instruments on ``underlying``: symbol, expiry, strike (at listing), right (C/P), unit."""
    ins = store.instruments(kind="etf_option")
    ins = ins.loc[ins["underlying"] == underlying, ["symbol", "last_trade_date", "strike", "right", "unit"]]
    if ins.empty:
        raise DataError(explain("no ETF options on the underlying", "instruments of kind etf_option",
                                underlying, "Import a bundle with its options, or check the code (510050.SH)."))
    ins = ins.rename(columns={"last_trade_date": "expiry"})
    ins["right"] = ins["right"].str.upper().str[0]
    ins["unit"] = ins["unit"].fillna(STANDARD_UNIT)
    return ins.reset_index(drop=True)


def adjusted_terms(bars: pd.DataFrame, contracts: pd.DataFrame, adjustments: pd.DataFrame) -> pd.DataFrame:
    """Attach each bar's effective strike and unit (latest adjustment with ``effective_date <= date``).

    Vectorised with ``merge_asof`` by symbol. Adds columns strike, unit, right, expiry, adjusted (bool: the
    contract's unit differs from the standard 10,000 on that date).
    """
    out = bars.merge(contracts, on="symbol", how="inner")
    if adjustments is not None and not adjustments.empty:
        adj = adjustments[["symbol", "effective_date", "strike_after", "unit_after"]].sort_values("effective_date")
        adj = adj.astype({"symbol": out["symbol"].dtype})
        out = pd.merge_asof(out.sort_values("date"), adj, left_on="date", right_on="effective_date",
                            by="symbol", direction="backward")
        hit = out["effective_date"].notna()
        out["strike"] = np.where(hit, out["strike_after"], out["strike"])
        out["unit"] = np.where(hit, out["unit_after"], out["unit"])
        out = out.drop(columns=["effective_date", "strike_after", "unit_after"])
    out["adjusted"] = out["unit"].to_numpy(float) != STANDARD_UNIT
    return out


def _apply_policy(rows: pd.DataFrame, contracts: ContractPolicy, tolerance: float) -> pd.DataFrame:
    if contracts == "standard":
        return rows.loc[~rows["adjusted"]]
    keys = ["date", "expiry", "right", "strike"]
    rows = rows.sort_values([*keys, "adjusted"], kind="stable").drop_duplicates(keys, keep="first")
    if contracts == "all":
        return rows
    adj = rows.loc[rows["adjusted"], ["date", "expiry", "right", "strike"]].reset_index()
    std = rows.loc[~rows["adjusted"], ["date", "expiry", "right", "strike"]].rename(columns={"strike": "std_strike"})
    if adj.empty or std.empty:
        return rows
    near = pd.merge_asof(adj.sort_values("strike"), std.sort_values("std_strike"), left_on="strike",
                         right_on="std_strike", by=["date", "expiry", "right"], direction="nearest")
    dup = np.abs(near["strike"] - near["std_strike"]) <= tolerance * near["strike"]
    return rows.drop(index=near.loc[dup.fillna(False).to_numpy(bool), "index"].to_numpy())


def build_chains(bars: pd.DataFrame, contracts_frame: pd.DataFrame, adjustments: pd.DataFrame | None = None,
                 quotes: pd.DataFrame | None = None, *, contracts: ContractPolicy = "dedupe",
                 dedupe_tolerance: float = 0.005) -> pd.DataFrame:
    """Wide daily chains (pure): one row per (date, expiry, strike) with call/put bid, ask and price.

    ``bars``: symbol, date, settle, close (store bars); ``contracts_frame``: :func:`option_contracts`;
    ``adjustments``: ``store.option_adjustments``; ``quotes``: optional symbol, date, bid, ask. Returns
    :data:`CHAIN_COLUMNS` sorted by (date, expiry, strike); ``call``/``put`` are the reference prices (mid of
    bid/ask, else settle). Policy on adjusted contracts: module docstring.
    """
    if contracts not in ("dedupe", "standard", "all"):
        raise ConfigError(explain("unknown contract policy", "one of dedupe, standard, all", contracts,
                                  "Pass contracts='dedupe' (default), 'standard' or 'all'."))
    if bars.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c in ("date", "expiry") else
                                          object if c == "quote_source" else float) for c in CHAIN_COLUMNS})
    b = bars[["symbol", "date", "settle", "close"]].copy()
    price = b["settle"].where(b["settle"].notna(), b["close"]).to_numpy(float)
    b["bid"] = price
    b["ask"] = price
    b["quote_source"] = "settle"
    if quotes is not None and not quotes.empty:
        q = quotes[["symbol", "date", "bid", "ask"]].rename(columns={"bid": "q_bid", "ask": "q_ask"})
        b = b.merge(q, on=["symbol", "date"], how="left")
        has_q = b["q_bid"].notna() & b["q_ask"].notna()
        b["bid"] = np.where(has_q, b["q_bid"], b["bid"])
        b["ask"] = np.where(has_q, b["q_ask"], b["ask"])
        b["quote_source"] = np.where(has_q, "bid_ask", "settle")
        b = b.drop(columns=["q_bid", "q_ask"])
    rows = adjusted_terms(b, contracts_frame, adjustments)
    rows = rows.loc[rows["date"] <= rows["expiry"]]
    rows = _apply_policy(rows, contracts, dedupe_tolerance)
    wide = rows.set_index(["date", "expiry", "strike", "right"])[["bid", "ask"]].unstack("right")
    wide.columns = [f"{'call' if r == 'C' else 'put'}_{f}" for f, r in wide.columns]
    for col in ("call_bid", "call_ask", "put_bid", "put_ask"):
        if col not in wide.columns:
            wide[col] = np.nan
    wide = wide.reset_index().sort_values(["date", "expiry", "strike"], kind="stable")
    # a day's source: bid_ask when any of its quotes came from the quote table
    any_q = rows["quote_source"].eq("bid_ask").groupby(rows["date"]).any()
    wide["quote_source"] = np.where(wide["date"].map(any_q).fillna(False).to_numpy(bool), "bid_ask", "settle")
    wide["days"] = (wide["expiry"] - wide["date"]).dt.days.astype(np.int64)
    wide["call"] = 0.5 * (wide["call_bid"] + wide["call_ask"])
    wide["put"] = 0.5 * (wide["put_bid"] + wide["put_ask"])
    return wide[CHAIN_COLUMNS].reset_index(drop=True)


def load_chains(store, underlying: str = "510050.SH", *, asof, start=None, contracts: ContractPolicy = "dedupe",
                dedupe_tolerance: float = 0.005) -> pd.DataFrame:
    """:func:`build_chains` from the store (bars, adjustments and quotes as of ``asof``)."""
    cf = option_contracts(store, underlying)
    bars = store.bars(cf["symbol"].tolist(), asof=asof, start=start, columns=["settle", "close"])
    adjustments = store.option_adjustments(asof=asof)
    quotes = None
    if QUOTES_EXTRA in store.extras():
        quotes = store.extra(QUOTES_EXTRA, asof=asof, symbols=cf["symbol"].tolist())
        if start is not None and not quotes.empty:
            quotes = quotes.loc[quotes["date"] >= pd.Timestamp(start)]
    return build_chains(bars, cf, adjustments, quotes, contracts=contracts, dedupe_tolerance=dedupe_tolerance)
