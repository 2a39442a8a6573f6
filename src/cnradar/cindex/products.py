"""Commodity product catalogue (``products.toml``): every product the seven methodologies and the Chinese sector
indices use — symbol root and suffix, names, sector and related-commodity group, listed months, contract size,
quotation unit, a typical price level and the last-trading-day rule.

Seed: ``seeds/commodity-index-methods.txt`` 表1 (constituents and exchanges of TRJ/CRB, S&P GSCI, DJ-UBS, RICI,
SPCI, DBLCI, LMEX) and §三 (Chinese non-ferrous, chemicals and agriculture indices).

Symbols (docs/DEVELOPING.md): a contract is ``<root><yy><mm>.<suffix>`` — ``CL2412.NYM``, ``CU2405.SHF``,
``SR2405.CZC`` (always four digits) — and a continuous series ``<root>.<suffix>.CONT``.

Last trading days are the exchanges' published rules in simplified form. Chinese exchanges count SSE trading days
(SHFE/DCE/CZCE/INE close on the same holidays); foreign exchanges count Monday–Friday and ignore local holidays,
an approximation that can put a foreign last trading day one or two days off around a holiday.

Example
-------
>>> from cnradar.cindex.products import load_products
>>> p = load_products()["CU.SHF"]
>>> p.contract(2024, 5), str(p.last_trade_date(2024, 5).date())
('CU2405.SHF', '2024-05-15')
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cnradar import calendar as sse
from cnradar.errors import MethodologyError, UnknownNameError, explain

MONTH_CODES = "FGHJKMNQUVXZ"
"""CME month letters, January (F) .. December (Z)."""

Sector = Literal[
    "energy", "industrial_metals", "precious_metals", "agriculture", "livestock", "softs", "ferrous", "chemicals"
]


def month_code(month: int) -> str:
    """The CME letter of a calendar month (1 -> ``F``, 12 -> ``Z``)."""
    return MONTH_CODES[month - 1]


def month_of_code(code: str) -> int:
    """Calendar month of a CME letter (``F`` -> 1)."""
    i = MONTH_CODES.find(code.upper())
    if len(code) != 1 or i < 0:
        raise MethodologyError(explain("invalid month code", f"must be one letter of {MONTH_CODES}", code,
                                       "Use F G H J K M N Q U V X Z for January..December."))
    return i + 1


class LastTradeRule(BaseModel):
    """A last-trading-day rule; ``month_offset`` shifts the reference month (−1 = the month before delivery).

    kinds:
      - ``nth_business_day``: the ``n``-th business day of the month, ``n < 0`` from the end (−1 = last).
      - ``day_of_month``: calendar day ``day``, moved to a business day ``following`` or ``preceding``.
      - ``business_days_before_day``: the ``n``-th business day strictly before calendar day ``day``; with
        ``extra_if_holiday`` one more when ``day`` is not a business day (the NYMEX crude rule).
      - ``nth_weekday``: the ``nth`` ``weekday`` (0 = Monday; ``nth = -1`` the last), shifted by ``shift``
        business days, then moved forward to a business day.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["nth_business_day", "day_of_month", "business_days_before_day", "nth_weekday"]
    month_offset: int = 0
    n: int = 0
    day: int = 0
    adjust: Literal["following", "preceding"] = "following"
    weekday: int = 0
    nth: int = 0
    shift: int = 0
    extra_if_holiday: bool = False

    @model_validator(mode="after")
    def _check(self) -> LastTradeRule:
        bad = (
            (self.kind == "nth_business_day" and self.n == 0)
            or (self.kind in ("day_of_month", "business_days_before_day") and not 1 <= self.day <= 31)
            or (self.kind == "business_days_before_day" and self.n < 1)
            or (self.kind == "nth_weekday" and (self.nth == 0 or not 0 <= self.weekday <= 6))
        )
        if bad:
            raise ValueError(f"incomplete parameters for a {self.kind!r} rule: {self.model_dump()}")
        return self


class Product(BaseModel):
    """One commodity futures product (frozen). ``key`` = ``root.suffix``, e.g. ``CL.NYM``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    root: str = Field(pattern=r"^[A-Z]{1,3}$")
    suffix: str = Field(pattern=r"^[A-Z]{3}$")
    exchange: str
    name_zh: str
    name_en: str
    sector: Sector
    commodity: str = ""
    complex: str = ""
    months: str
    active_months: str = ""
    multiplier: float = Field(gt=0)
    unit: str
    currency: str
    price_to_currency: float = Field(default=1.0, gt=0)
    typical_price: float = Field(gt=0)
    roll_code: str = ""
    calendar: Literal["SSE", "weekdays"] = "weekdays"
    ltd: LastTradeRule

    @field_validator("months", "active_months")
    @classmethod
    def _months(cls, v: str) -> str:
        if any(c not in MONTH_CODES for c in v) or len(set(v)) != len(v):
            raise ValueError(f"months must be distinct letters of {MONTH_CODES}, got {v!r}")
        return "".join(sorted(v, key=MONTH_CODES.index))

    @model_validator(mode="after")
    def _defaults(self) -> Product:
        if not self.commodity:
            object.__setattr__(self, "commodity", self.key)
        if not self.active_months:
            object.__setattr__(self, "active_months", self.months)
        elif not set(self.active_months) <= set(self.months):
            raise ValueError(f"active_months {self.active_months!r} must be listed months {self.months!r}")
        if not self.roll_code:
            object.__setattr__(self, "roll_code", self.root)
        return self

    @property
    def key(self) -> str:
        return f"{self.root}.{self.suffix}"

    @property
    def continuous_symbol(self) -> str:
        """The continuous (main-contract) series, e.g. ``CU.SHF.CONT``."""
        return f"{self.key}.CONT"

    @property
    def listed_months(self) -> tuple[int, ...]:
        """Listed contract months as integers 1..12."""
        return tuple(MONTH_CODES.index(c) + 1 for c in self.months)

    @property
    def main_months(self) -> tuple[int, ...]:
        """The liquid (main-contract) months as integers 1..12."""
        return tuple(MONTH_CODES.index(c) + 1 for c in self.active_months)

    @property
    def is_chinese(self) -> bool:
        return self.calendar == "SSE"

    def contract(self, year: int, month: int) -> str:
        """Exchange-style contract code, e.g. ``CL2412.NYM``; raises for a month that is not listed."""
        if month not in self.listed_months:
            raise MethodologyError(explain(f"{self.key} has no {month_code(month)} contract",
                                           f"listed months are {self.months}", month,
                                           "Pick a listed month (see products.toml)."))
        return f"{self.root}{year % 100:02d}{month:02d}.{self.suffix}"

    def notional(self, price: float | np.ndarray) -> float | np.ndarray:
        """Contract value in ``currency``: price × multiplier × price_to_currency."""
        return price * self.multiplier * self.price_to_currency

    def last_trade_date(self, year: int, month: int) -> pd.Timestamp:
        """Last trading day of the ``year``/``month`` contract under ``ltd`` (see the module docstring)."""
        return _last_trade_date(self.ltd, self.calendar, year, month)


_CONTRACT = re.compile(r"^(?P<root>[A-Z]{1,3})(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<suffix>[A-Z]{3})$")


def parse_contract(symbol: str) -> tuple[str, int, int]:
    """``CL2412.NYM`` -> (``CL.NYM``, 2024, 12). Two-digit years map to 1950..2049."""
    m = _CONTRACT.match(symbol)
    if not m or not 1 <= int(m["mm"]) <= 12:
        raise MethodologyError(explain("invalid contract code", "must look like CL2412.NYM or CU2405.SHF", symbol,
                                       "Write <root><yy><mm>.<suffix> with a four-digit year-month."))
    yy = int(m["yy"])
    return f"{m['root']}.{m['suffix']}", (2000 + yy if yy < 50 else 1900 + yy), int(m["mm"])


# --------------------------------------------------------------------------- business-day arithmetic
def _business_days(calendar: str, year: int, month: int) -> np.ndarray:
    """Business days (datetime64[D]) of one month, plus the two neighbouring months for shifts."""
    first = pd.Timestamp(year, month, 1) - pd.DateOffset(months=1)
    last = pd.Timestamp(year, month, 1) + pd.DateOffset(months=2) - pd.Timedelta(days=1)
    if calendar == "SSE" and pd.Timestamp(sse.CALENDAR_START) <= first and last <= pd.Timestamp(sse.CALENDAR_END):
        return sse.sessions(first, last).values.astype("datetime64[D]")
    days = pd.bdate_range(first, last)  # weekdays; also the fallback outside the SSE calendar's range
    return days.values.astype("datetime64[D]")


def _last_trade_date(rule: LastTradeRule, calendar: str, year: int, month: int) -> pd.Timestamp:
    ref = pd.Timestamp(year, month, 1) + pd.DateOffset(months=rule.month_offset)
    y, m = ref.year, ref.month
    bdays = _business_days(calendar, y, m)
    lo = np.datetime64(dt.date(y, m, 1), "D")
    hi = np.datetime64((ref + pd.offsets.MonthEnd(0)).date(), "D")
    in_month = bdays[(bdays >= lo) & (bdays <= hi)]
    if rule.kind == "nth_business_day":
        idx = rule.n - 1 if rule.n > 0 else rule.n
        day = in_month[idx]
    elif rule.kind == "day_of_month":
        target = np.datetime64(dt.date(y, m, min(rule.day, int(hi.astype(object).day))), "D")
        if rule.adjust == "following":
            day = bdays[np.searchsorted(bdays, target, side="left")]
        else:
            day = bdays[np.searchsorted(bdays, target, side="right") - 1]
    elif rule.kind == "business_days_before_day":
        target = np.datetime64(dt.date(y, m, rule.day), "D")
        i = np.searchsorted(bdays, target, side="left")  # bdays[i-1] is the first business day before target
        is_bday = i < len(bdays) and bdays[i] == target
        day = bdays[i - rule.n - (1 if rule.extra_if_holiday and not is_bday else 0)]
    else:  # nth_weekday
        cal_days = pd.date_range(str(lo), str(hi), freq="D")
        matches = cal_days[cal_days.day_of_week == rule.weekday]
        base = np.datetime64(matches[rule.nth - 1 if rule.nth > 0 else rule.nth].date(), "D")
        i = np.searchsorted(bdays, base, side="left")  # forward to a business day, then shift
        day = bdays[i + rule.shift]
    return pd.Timestamp(day)


# --------------------------------------------------------------------------- loader
@lru_cache(maxsize=1)
def _load() -> dict[str, Product]:
    text = resources.files("cnradar.cindex").joinpath("products.toml").read_text(encoding="utf-8")
    return parse_products(tomllib.loads(text), source="products.toml")


def parse_products(data: dict, *, source: str = "<dict>") -> dict[str, Product]:
    """Validate a parsed catalogue (``{"product": [ {...}, ... ]}``) into ``{key: Product}``."""
    out: dict[str, Product] = {}
    for i, raw in enumerate(data.get("product", [])):
        try:
            p = Product(**raw)
        except ValidationError as exc:
            raise MethodologyError(explain(f"invalid product #{i + 1} in {source}", "must match the Product schema",
                                           raw.get("root", "?"), str(exc).replace("\n", " "))) from exc
        if p.key in out:
            raise MethodologyError(explain(f"duplicate product in {source}", "keys root.suffix must be unique",
                                           p.key, "Remove or rename one of the entries."))
        out[p.key] = p
    return out


def load_products() -> dict[str, Product]:
    """The catalogue as ``{"CL.NYM": Product, "CU.SHF": Product, ...}`` (a fresh dict; products are frozen)."""
    return dict(_load())


def get_product(key: str) -> Product:
    """One product by key (``CU.SHF``); also accepts a continuous symbol ``CU.SHF.CONT`` or a contract code."""
    products = _load()
    if key.endswith(".CONT"):
        key = key[: -len(".CONT")]
    elif _CONTRACT.match(key):
        key = parse_contract(key)[0]
    if key not in products:
        raise UnknownNameError("commodity product", key, list(products))
    return products[key]
