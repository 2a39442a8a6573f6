"""SSE trading calendar and the CFFEX / SSE expiry rules.

The trading days are the Shanghai Stock Exchange's (exchange_calendars ``XSHG``, which carries the official
holiday tables offline). It was checked against every CSI 300 bar in ``shared/data/real`` (2005-01-04 ..
2026-09-02): identical, no missing and no extra session. Official sessions cover 2005-01-04 .. 2026-12-31
(the years whose holidays exchange_calendars records). Contracts listed in late 2026 expire in 2027, so the
calendar continues to 2028-12-31 with *provisional* sessions (weekdays less the fixed-date holidays;
:func:`is_provisional` tells); a date outside raises :class:`~cnradar.errors.ConfigError`.

Expiry rules (CFFEX index futures contract specs; SSE ETF option contract specs):

- index futures (IF/IH/IC/IM) stop trading on the **third Friday** of the contract month, or the next trading
  day if that Friday is a holiday;
- SSE ETF options expire on the **fourth Wednesday** of the contract month, or the next trading day.

Day counting: :func:`trading_days_between` counts sessions in the half-open interval ``(start, end]`` so that a
contract has 0 trading days left on its last trading day and 1 on the day before.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Literal

import exchange_calendars as xcals
import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, DataError, explain

DateLike = str | dt.date | pd.Timestamp | np.datetime64

CALENDAR_START = "2005-01-04"
#: Last day of the official holiday tables (exchange_calendars records XSHG holidays to 2026).
OFFICIAL_END = "2026-12-31"
#: Sessions after OFFICIAL_END are provisional (weekdays less the fixed-date holidays) up to this day.
CALENDAR_END = "2028-12-31"

#: CFFEX products: contract multiplier (CNY per index point) and first listing day.
CFFEX_PRODUCTS: dict[str, dict[str, object]] = {
    "IF": {"multiplier": 300, "index": "000300.SH", "launch": "2010-04-16", "first_month": (2010, 5)},
    "IH": {"multiplier": 300, "index": "000016.SH", "launch": "2015-04-16", "first_month": (2015, 5)},
    "IC": {"multiplier": 200, "index": "000905.SH", "launch": "2015-04-16", "first_month": (2015, 5)},
    "IM": {"multiplier": 200, "index": "000852.SH", "launch": "2022-07-22", "first_month": (2022, 8)},
}

_SYMBOL = re.compile(r"^(?P<product>[A-Z]{1,2})(?P<yy>\d{2})(?P<mm>\d{2})(?:\.CFE)?$")


@lru_cache(maxsize=1)
def _sessions_array() -> np.ndarray:
    cal = xcals.get_calendar("XSHG", start=CALENDAR_START, end=OFFICIAL_END)
    official = cal.sessions.values.astype("datetime64[D]")
    weekdays = pd.bdate_range(pd.Timestamp(OFFICIAL_END) + pd.Timedelta(days=1), CALENDAR_END)
    fixed = (((weekdays.month == 1) & (weekdays.day == 1)) | ((weekdays.month == 5) & (weekdays.day <= 5))
             | ((weekdays.month == 10) & (weekdays.day <= 7)))
    provisional = weekdays[~fixed].values.astype("datetime64[D]")
    return np.concatenate([official, provisional])


def is_provisional(day: DateLike) -> bool:
    """True when ``day`` lies after the official holiday tables: its sessions are an estimate (weekdays less
    New Year, Labour Day and National Day; the lunar holidays are unknown until the exchange publishes them)."""
    return bool(_day(day) > np.datetime64(OFFICIAL_END))


def _day(value: DateLike) -> np.datetime64:
    try:
        return np.datetime64(pd.Timestamp(value).date(), "D")
    except (ValueError, TypeError) as exc:
        raise ConfigError(explain("invalid date", "must be an ISO date such as 2024-01-19", value,
                                  "Pass a date, Timestamp or 'YYYY-MM-DD' string.")) from exc


def _check_range(day: np.datetime64) -> None:
    s = _sessions_array()
    if day < s[0] - np.timedelta64(7, "D") or day > s[-1]:
        raise ConfigError(explain("date outside the SSE calendar", f"must lie in {s[0]} .. {s[-1]}", str(day),
                                  "Use a date inside the calendar's range."))


def sessions(start: DateLike, end: DateLike) -> pd.DatetimeIndex:
    """SSE trading days from ``start`` to ``end``, both inclusive."""
    s = _sessions_array()
    a, b = _day(start), _day(end)
    return pd.DatetimeIndex(s[(s >= a) & (s <= b)].astype("datetime64[ns]"))


def is_trading_day(day: DateLike) -> bool:
    """True when ``day`` is an SSE trading day."""
    d = _day(day)
    _check_range(d)
    s = _sessions_array()
    i = np.searchsorted(s, d)
    return bool(i < len(s) and s[i] == d)


def roll_to_trading_day(day: DateLike, direction: Literal["forward", "backward"] = "forward") -> pd.Timestamp:
    """``day`` itself if it is a trading day, else the next (``forward``) or previous (``backward``) one."""
    d = _day(day)
    _check_range(d)
    s = _sessions_array()
    if direction == "forward":
        i = np.searchsorted(s, d, side="left")
    else:
        i = np.searchsorted(s, d, side="right") - 1
    if i < 0 or i >= len(s):
        raise ConfigError(explain("no trading day", f"{direction} of the date inside the calendar", str(d),
                                  "Use a date inside the calendar's range."))
    return pd.Timestamp(s[i])


def offset(day: DateLike, n: int) -> pd.Timestamp:
    """The trading day ``n`` sessions after ``day`` (before, when ``n`` < 0).

    ``day`` need not be a trading day: ``offset(saturday, 1)`` is the next Monday session, and
    ``offset(saturday, -1)`` the Friday before; ``offset(day, 0)`` rolls forward.
    """
    d = _day(day)
    _check_range(d)
    s = _sessions_array()
    if n >= 0:
        i = np.searchsorted(s, d, side="left")
        if n > 0 and i < len(s) and s[i] == d:
            i += n
        elif n > 0:
            i += n - 1
    else:
        i = np.searchsorted(s, d, side="left") + n
    if i < 0 or i >= len(s):
        raise ConfigError(explain("trading-day offset leaves the calendar", f"must land in {s[0]} .. {s[-1]}",
                                  f"{n} sessions from {d}", "Use a smaller offset."))
    return pd.Timestamp(s[i])


def trading_days_between(start: DateLike | np.ndarray | pd.Series, end: DateLike | np.ndarray | pd.Series):
    """Number of SSE trading days in ``(start, end]`` (negative when ``end`` < ``start``).

    Vectorised: ``start`` and ``end`` may be arrays/Series of dates of equal length (or broadcastable).
    ``trading_days_between('2024-01-18', '2024-01-19') == 1``; a contract's last trading day gives 0.
    """
    s = _sessions_array()
    a = np.asarray(pd.to_datetime(start), dtype="datetime64[D]") if not np.isscalar(start) and not isinstance(
        start, str | dt.date | pd.Timestamp) else _day(start)
    b = np.asarray(pd.to_datetime(end), dtype="datetime64[D]") if not np.isscalar(end) and not isinstance(
        end, str | dt.date | pd.Timestamp) else _day(end)
    count = np.searchsorted(s, b, side="right") - np.searchsorted(s, a, side="right")
    if np.ndim(count) == 0:
        return int(count)
    return count


def nth_trading_day_of_month(year: int, month: int, n: int) -> pd.Timestamp:
    """The ``n``-th trading day of a month (1-based); ``n = -1`` is the last, ``-2`` the last but one."""
    first = dt.date(year, month, 1)
    last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
    days = sessions(first, last)
    if n == 0 or abs(n) > len(days):
        raise ConfigError(explain("no such trading day in the month", f"n in 1..{len(days)} or -{len(days)}..-1",
                                  n, "Pick n within the month's trading days."))
    return days[n - 1] if n > 0 else days[n]


def _weekday_of_month(year: int, month: int, weekday: int, nth: int) -> dt.date:
    first = dt.date(year, month, 1)
    delta = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=delta + 7 * (nth - 1))


def _parse_contract(symbol_or_product: str, year: int | None, month: int | None) -> tuple[str, int, int]:
    m = _SYMBOL.match(symbol_or_product.upper())
    if m:
        return m["product"], 2000 + int(m["yy"]), int(m["mm"])
    product = symbol_or_product.upper()
    if product not in CFFEX_PRODUCTS:
        raise ConfigError(explain("unknown CFFEX product or contract", "one of IF, IH, IC, IM or a code like IF2401",
                                  symbol_or_product, "Pass e.g. 'IF' with year and month, or 'IF2401.CFE'."))
    if year is None or month is None:
        raise ConfigError(explain("contract month missing", "a product needs year and month", symbol_or_product,
                                  "Pass year= and month=, or a full code like 'IF2401'."))
    return product, int(year), int(month)


def third_friday(year: int, month: int) -> pd.Timestamp:
    """The third Friday of a month, before any holiday roll (valid for any year, inside the calendar or not)."""
    return pd.Timestamp(_weekday_of_month(year, month, 4, 3))


def cffex_last_trading_day(symbol_or_product: str, year: int | None = None, month: int | None = None) -> pd.Timestamp:
    """Last trading day of a CFFEX index future: the third Friday of the month, next trading day if a holiday.

    >>> cffex_last_trading_day("IF2402").date()
    datetime.date(2024, 2, 19)
    """
    _, y, mth = _parse_contract(symbol_or_product, year, month)
    return roll_to_trading_day(third_friday(y, mth))


def etf_option_expiry(year: int, month: int) -> pd.Timestamp:
    """Expiry of an SSE ETF option: the fourth Wednesday of the month, next trading day if a holiday."""
    return roll_to_trading_day(_weekday_of_month(year, month, 2, 4))


def contract_code(product: str, year: int, month: int) -> str:
    """Exchange-style code of a CFFEX contract, e.g. ``IF2401.CFE``."""
    return f"{product}{year % 100:02d}{month:02d}.CFE"


def listed_cffex_contracts(product: str, day: DateLike) -> list[str]:
    """The four contracts listed on ``day``: current month, next month and the next two quarter months.

    The current month is the first month whose last trading day is on or after ``day`` (so on an expiry day
    the expiring contract is still listed, and the new contracts appear the next trading day, as CFFEX lists
    them). Quarter months are March, June, September and December. At a product's launch no contract before its
    first listed month exists (IC/IH launched 2015-04-16 with 1505, 1506, 1509, 1512: the April contract,
    expiring the next day, was never listed), so the list continues with the next quarter month instead.
    """
    product = product.upper()
    if product not in CFFEX_PRODUCTS:
        raise ConfigError(explain("unknown CFFEX product", "one of IF, IH, IC, IM", product, "Use a listed product."))
    d = pd.Timestamp(_day(day))
    launch = pd.Timestamp(str(CFFEX_PRODUCTS[product]["launch"]))
    if d < launch:
        raise DataError(explain(f"{product} not yet listed", f"trading began {launch.date()}", str(d.date()),
                                "Ask for a date on or after the launch."))
    y, m = d.year, d.month
    if cffex_last_trading_day(product, y, m) < d:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    first = CFFEX_PRODUCTS[product]["first_month"]
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    months = [ym for ym in ((y, m), (ny, nm)) if ym >= first]
    qy, qm = ny, nm
    while len(months) < 4:
        qy, qm = (qy + 1, 1) if qm == 12 else (qy, qm + 1)
        if qm % 3 == 0 and (qy, qm) >= first:
            months.append((qy, qm))
    return [contract_code(product, yy, mm) for yy, mm in months]
