"""Convertible terms from the store, with the declared market-standard defaults applied and flagged.

Source: the bundle's ``convertible_terms`` table (DESIGN.md "The data bundle"). Where a clause is blank the
issue-5 defaults apply — soft call 15 of 30 days ≥ 130 % of K, put 30 of 30 days ≤ 70 % in the last two
years, reset 15 of 30 days < 85 % — and the bond's ``defaults_used`` names every field filled that way
(``call``, ``put``, ``reset``, ``coupons``, ``redemption``), so each number computed from it can be flagged.

Missing coupons: the market-standard 6-year step-up schedule :data:`~cnradar.quant.convertible.DEFAULT_COUPONS`
(0.3/0.5/1.0/1.5/1.8/2.0 %), cut to the bond's life. Missing redemption price: par plus the last coupon.
The conversion price in the table is the price *at issue*; the one in force on a date comes from the
market data (:func:`cnradar.convertibles.market.current_conversion_price`).
"""

from __future__ import annotations

import math

import pandas as pd

from cnradar.errors import DataError
from cnradar.quant.convertible import (
    DEFAULT_CALL,
    DEFAULT_COUPONS,
    DEFAULT_PUT,
    DEFAULT_RESET,
    ConvertibleTerms,
    Put,
    Reset,
    SoftCall,
)

TERMS_COLUMNS = ["symbol", "stock", "issue_date", "maturity_date", "par", "redemption_price", "coupons",
                 "conversion_price", "call_trigger", "call_m", "call_n", "put_trigger", "put_m", "put_n",
                 "reset_trigger", "reset_m", "reset_n"]


def _num(value: object) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _ratio(value: float) -> float:
    """Triggers may be written as percents (130) or ratios (1.30)."""
    return value / 100.0 if value > 5 else value



def _clause(row, name: str, cls, default, flags: list[str]):
    """The ``<name>_trigger / _m / _n`` clause of a terms row; the declared default (flagged) when blank."""
    trigger, m, n = (_num(row.get(f"{name}_{k}")) for k in ("trigger", "m", "n"))
    if trigger is None:
        flags.append(name)
        return default
    return cls(trigger=_ratio(trigger), m=int(m or default.m), n=int(n or default.n))

def terms_from_row(row: dict[str, object]) -> ConvertibleTerms:
    """One bundle row → :class:`ConvertibleTerms` (defaults applied and flagged; bad terms raise
    :class:`~cnradar.errors.DataError` naming the bond and field)."""
    symbol = str(row["symbol"])
    flags: list[str] = []
    par = _num(row.get("par")) or 100.0
    coupons_raw = row.get("coupons")
    if isinstance(coupons_raw, str) and coupons_raw.strip():
        try:
            coupons = tuple(float(c) for c in coupons_raw.split(";") if c.strip())
        except ValueError as exc:
            raise DataError(f"bad terms for {symbol}: coupons: must be ';'-separated percents; got "
                            f"{coupons_raw!r}. Fix the coupon schedule.") from exc
    else:
        coupons = DEFAULT_COUPONS
        flags.append("coupons")
    redemption = _num(row.get("redemption_price"))
    if redemption is None:
        flags.append("redemption")

    call = _clause(row, "call", SoftCall, DEFAULT_CALL, flags)
    put = _clause(row, "put", Put, DEFAULT_PUT, flags)
    reset = _clause(row, "reset", Reset, DEFAULT_RESET, flags)
    issue, maturity = row.get("issue_date"), row.get("maturity_date")
    n_years = None
    if not (pd.isna(issue) or pd.isna(maturity)):
        n_years = max(1, round((pd.Timestamp(maturity) - pd.Timestamp(issue)).days / 365.25))
    if "coupons" in flags and n_years is not None:
        coupons = DEFAULT_COUPONS[:n_years] + (DEFAULT_COUPONS[-1],) * max(0, n_years - len(DEFAULT_COUPONS))
    cp = _num(row.get("conversion_price"))
    stock = row.get("stock")
    return ConvertibleTerms(symbol=symbol, issue_date=issue, maturity_date=maturity,  # type: ignore[arg-type]
                            conversion_price=cp if cp is not None else float("nan"), coupons=coupons, par=par,
                            redemption_price=redemption, call=call, put=put, reset=reset,
                            stock=None if pd.isna(stock) else str(stock), defaults_used=tuple(flags))


def load_terms(store, symbols: list[str] | None = None) -> tuple[dict[str, ConvertibleTerms], pd.DataFrame]:
    """All convertibles' terms from the store.

    Returns ``(terms_by_symbol, rejected)``: ``rejected`` has columns symbol, error — the bonds whose terms
    fail validation (each message names the bond and the field), so a caller can show them instead of
    silently dropping them.
    """
    frame = store.convertible_terms()
    if symbols is not None:
        frame = frame[frame["symbol"].isin(symbols)]
    out: dict[str, ConvertibleTerms] = {}
    bad: list[dict[str, str]] = []
    for row in frame.to_dict("records"):
        try:
            out[str(row["symbol"])] = terms_from_row(row)
        except DataError as exc:
            bad.append({"symbol": str(row["symbol"]), "error": str(exc)})
    return out, pd.DataFrame(bad, columns=["symbol", "error"])
