"""CFFEX index-futures contract chains: which contracts trade on each day, their expiry and days to expiry.

A *chain* is a long frame, one row per (date, contract), sorted by (date, slot), with columns

``date, product, symbol, slot, slot_name, listed_by_rule, expiry, days_to_expiry, calendar_days,
close, settle, price, price_source, volume, open_interest, index, index_close, is_main``

* ``slot`` follows the CFFEX listing rule (``cnradar.calendar.listed_cffex_contracts``): 0 = current month
  (当月), 1 = next month (次月), 2 = first quarter month after (当季/季月), 3 = second (下季月). It is computed
  from the contract month and the date, not from the rank of the contracts that happen to have a bar, so a
  missing bar does not shift the others; ``listed_by_rule`` is False for a bar whose contract the rule does not
  list that day (never in the real bundle); on such dates the slots are the rank of the contracts' expiries.
* ``expiry`` is the instrument's ``last_trade_date`` when the store has it, else the calendar rule (third
  Friday, next session if a holiday). ``days_to_expiry`` = SSE sessions in ``(date, expiry]`` (0 on the last
  trading day). Past the official holiday tables (2026-12-31) the calendar's provisional sessions are used
  (lunar holidays not yet published) — flagged by ``days_estimated``.
* ``price``: ``settle`` (default) uses the settlement price when present and positive, else the close
  (``price_source`` says which); ``close`` uses the close. A settle of 0 (a known data bug of some vendors) is
  treated as missing, never as a price.
* ``is_main``: the contract with the largest open interest that day (ties: the nearer contract).
* ``index_close``: the underlying index close; NaN when missing (the basis measures are then NaN and the
  monitor refuses the date with a :class:`~cnradar.errors.DataError`).
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd

from cnradar import calendar as cal
from cnradar.errors import ConfigError, DataError, explain

PriceField = Literal["settle", "close"]
SLOT_NAMES = ("current", "next", "quarter", "far_quarter")
_CODE = re.compile(r"^(?P<p>[A-Z]{2})(?P<yy>\d{2})(?P<mm>\d{2})\.CFE$")


def check_product(product: str) -> str:
    """Upper-case product code, or a ConfigError naming the valid ones."""
    p = str(product).upper()
    if p not in cal.CFFEX_PRODUCTS:
        raise ConfigError(explain("unknown CFFEX product", f"one of {', '.join(cal.CFFEX_PRODUCTS)}", product,
                                  "Pass --product IF, IH, IC or IM."))
    return p


def index_of(product: str) -> str:
    """The underlying index symbol of a product (IF → 000300.SH)."""
    return str(cal.CFFEX_PRODUCTS[check_product(product)]["index"])


def _contract_months(symbols: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    parts = symbols.str.extract(_CODE)
    bad = parts["p"].isna()
    if bad.any():
        raise DataError(explain("unparseable CFFEX contract code", "codes like IF2401.CFE",
                                symbols[bad].iloc[0], "Fix the symbol in instruments.csv / bars."))
    return (2000 + parts["yy"].astype(int)).to_numpy(), parts["mm"].astype(int).to_numpy()


def trading_days_to(dates, expiries) -> tuple[np.ndarray, np.ndarray]:
    """SSE sessions in ``(date, expiry]`` and a flag for counts that use provisional sessions.

    After ``cnradar.calendar.OFFICIAL_END`` the calendar's sessions are provisional (weekdays less the fixed-date
    holidays; the exchange publishes each year's holidays only in December): such counts are estimates.
    """
    a = np.asarray(pd.to_datetime(dates), dtype="datetime64[D]")
    b = np.asarray(pd.to_datetime(expiries), dtype="datetime64[D]")
    return np.asarray(cal.trading_days_between(a, b)), b > np.datetime64(cal.OFFICIAL_END, "D")


def expiry_table(symbols, instruments: pd.DataFrame | None = None) -> pd.Series:
    """Last trading day per contract: the store's ``last_trade_date`` when known, else the calendar rule."""
    syms = pd.Index(pd.unique(pd.Series(symbols, dtype="object")))
    out = pd.Series(pd.NaT, index=syms, dtype="datetime64[ns]")
    if instruments is not None and len(instruments) and "last_trade_date" in instruments:
        known = instruments.dropna(subset=["last_trade_date"]).drop_duplicates("symbol").set_index("symbol")
        out = out.fillna(pd.to_datetime(known["last_trade_date"]).reindex(syms))
    missing = out.index[out.isna()]
    if len(missing):
        ys, ms = _contract_months(pd.Series(missing, dtype="object"))
        for sym, y, m in zip(missing, ys, ms, strict=True):
            try:
                out[sym] = cal.cffex_last_trading_day(sym.split(".")[0][:2], int(y), int(m))
            except ConfigError:  # month past the calendar: third Friday, holidays unknown
                out[sym] = cal.third_friday(int(y), int(m))
    return out


def rule_slots(product: str, dates, years, months) -> np.ndarray:
    """Slot of a contract month on a date under the CFFEX listing rule; -1 when the rule does not list it.

    Current month = the first month whose last trading day is on or after the date (never before the product's
    first listed month, ``CFFEX_PRODUCTS[product]["first_month"]``); next month; then the next two quarter months
    (Mar/Jun/Sep/Dec) after the next month.
    """
    d = pd.DatetimeIndex(pd.to_datetime(dates))
    ym = d.year.to_numpy() * 12 + (d.month.to_numpy() - 1)
    uniq = np.unique(ym)
    exp_this = {}
    for v in uniq:
        y, m = divmod(int(v), 12)
        try:
            exp_this[v] = np.datetime64(cal.cffex_last_trading_day(product, y, m + 1), "ns")
        except ConfigError:
            exp_this[v] = np.datetime64(cal.third_friday(y, m + 1), "ns")
    this_exp = np.array([exp_this[v] for v in ym], dtype="datetime64[ns]") if len(ym) else np.array(
        [], dtype="datetime64[ns]")
    cur = ym + (d.values > this_exp).astype(int)
    # at a product's launch no contract before its first listed month exists (IH/IC: 1505 on 2015-04-16)
    fy, fm = cal.CFFEX_PRODUCTS[product].get("first_month", (0, 1))
    cur = np.maximum(cur, int(fy) * 12 + int(fm) - 1)
    k = (np.asarray(years) * 12 + np.asarray(months) - 1) - cur
    contract_month = (np.asarray(months) - 1) % 12 + 1
    # quarter months strictly after the next month, up to this contract's month
    nxt = cur + 1  # absolute month index of the next month (0-based month numbering)
    # count of quarter months q with nxt < q <= contract: quarter <=> (q % 12) in {2, 5, 8, 11}
    def quarters_upto(x):
        return (x + 1) // 3  # number of q in [0, x] with q % 3 == 2
    cidx = nxt + np.maximum(k - 1, 0)
    nq = quarters_upto(cidx) - quarters_upto(nxt)
    slot = np.where(k == 0, 0, np.where(k == 1, 1, np.where((contract_month % 3 == 0) & (nq <= 2), 1 + nq, -1)))
    return np.where(k < 0, -1, slot).astype(int)


def select_price(close, settle, price: PriceField = "settle") -> tuple[np.ndarray, np.ndarray]:
    """The analysis price and its source per row (see module docstring). Non-positive prices are missing."""
    if price not in ("settle", "close"):
        raise ConfigError(explain("unknown price field", "one of 'settle', 'close'", price,
                                  "Pass price='settle' (settlement when present) or 'close'."))
    c = np.asarray(close, dtype="float64")
    c = np.where(c > 0, c, np.nan)
    if price == "close":
        return c, np.where(np.isfinite(c), "close", "missing")
    s = np.asarray(settle, dtype="float64")
    s = np.where(s > 0, s, np.nan)
    use_s = np.isfinite(s)
    p = np.where(use_s, s, c)
    src = np.where(use_s, "settle", np.where(np.isfinite(c), "close", "missing"))
    return p, src


def build_chain(product: str, bars: pd.DataFrame, index_bars: pd.DataFrame,
                instruments: pd.DataFrame | None = None, *, price: PriceField = "settle") -> pd.DataFrame:
    """Assemble the chain of one product from frames (pure; :func:`load_chain` reads them from a store).

    ``bars``: futures bars (symbol, date, close, settle, volume, open_interest), other products ignored.
    ``index_bars``: the underlying index bars (date, close; a ``symbol`` column, if present, is filtered).
    """
    product = check_product(product)
    if bars is None or len(bars) == 0:
        raise DataError(explain(f"no {product} futures bars", "at least one bar of the product", 0,
                                "Import a bundle with bars/index_future.csv (cnradar data import)."))
    b = bars[bars["symbol"].str.startswith(product) & bars["symbol"].str.endswith(".CFE")]
    if b.empty:
        raise DataError(explain(f"no {product} futures bars", f"symbols like {product}2401.CFE", 0,
                                "Import the product's contracts."))
    b = b.copy()
    b["date"] = pd.to_datetime(b["date"])
    for col in ("settle", "volume", "open_interest"):
        if col not in b:
            b[col] = np.nan
    years, months = _contract_months(b["symbol"])
    expiry = expiry_table(b["symbol"], instruments)
    b["expiry"] = expiry.reindex(b["symbol"]).to_numpy()
    days, est = trading_days_to(b["date"], b["expiry"])
    b["days_to_expiry"] = days.astype("int64")
    b["days_estimated"] = est
    b["calendar_days"] = (b["expiry"] - b["date"]).dt.days.astype("int64")
    b = b[b["days_to_expiry"] >= 0]  # a bar after expiry is a data error; such rows are dropped
    years, months = _contract_months(b["symbol"])
    slot = rule_slots(product, b["date"], years, months)
    b["listed_by_rule"] = slot >= 0
    # a date with a contract the rule does not list (bad data, or a listing exception the calendar does not
    # know): slots there are the rank of the expiry among that day's contracts
    off_rule = (~b["listed_by_rule"]).groupby(b["date"]).transform("any").to_numpy()
    rank = b.groupby("date")["expiry"].rank(method="dense").to_numpy().astype(int) - 1
    b["slot"] = np.where(off_rule, np.minimum(rank, 3), slot)
    b["slot_name"] = np.asarray(SLOT_NAMES, dtype=object)[b["slot"].to_numpy()]
    p, src = select_price(b["close"], b["settle"], price)
    b["price"], b["price_source"] = p, src
    idx = index_bars
    if "symbol" in idx:
        idx = idx[idx["symbol"] == index_of(product)]
    idx_close = pd.Series(idx["close"].to_numpy(dtype="float64"), index=pd.to_datetime(idx["date"]))
    idx_close = idx_close[~idx_close.index.duplicated(keep="last")]
    idx_close = idx_close.where(idx_close > 0)
    b["index"] = index_of(product)
    b["index_close"] = idx_close.reindex(b["date"]).to_numpy()
    b["product"] = product
    b = b.sort_values(["date", "slot", "expiry"], kind="stable").reset_index(drop=True)
    oi = b["open_interest"].fillna(-1.0)
    top = oi.groupby(b["date"]).transform("max")
    first_top = (oi == top) & ~(oi == top).groupby(b["date"]).cumsum().gt(1)
    b["is_main"] = first_top.to_numpy() & (top.to_numpy() >= 0)
    cols = ["date", "product", "symbol", "slot", "slot_name", "listed_by_rule", "expiry", "days_to_expiry",
            "calendar_days", "days_estimated", "close", "settle", "price", "price_source", "volume",
            "open_interest", "index", "index_close", "is_main"]
    return b[cols]


def load_chain(store, product: str, *, asof, start=None, price: PriceField = "settle") -> pd.DataFrame:
    """The chain of ``product`` from a :class:`cnradar.store.Store`, as of ``asof`` (``None`` = everything)."""
    product = check_product(product)
    bars = store.bars(kind="index_future", product=product, start=start, asof=asof)
    idx = store.bars([index_of(product)], start=start, asof=asof)
    inst = store.instruments(kind="index_future")
    return build_chain(product, bars, idx, inst, price=price)


def listing_mismatches(chain: pd.DataFrame) -> pd.DataFrame:
    """Dates where the chain's contracts differ from ``cnradar.calendar.listed_cffex_contracts``.

    Returns one row per offending date with ``expected`` and ``found`` sets (empty frame = chain matches the
    listing rule on every date). A slow check (one calendar call per date), meant for tests and data audits.
    """
    rows = []
    product = str(chain["product"].iloc[0])
    for day, syms in chain.groupby("date")["symbol"]:
        expected = set(cal.listed_cffex_contracts(product, day))
        found = set(syms)
        if expected != found:
            rows.append({"date": day, "expected": sorted(expected), "found": sorted(found)})
    return pd.DataFrame(rows, columns=["date", "expected", "found"])
