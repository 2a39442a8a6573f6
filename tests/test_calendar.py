"""Calendar rules: golden §5 (published contract rules) and the real bundle's expired contracts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnradar import calendar
from cnradar.errors import ConfigError, DataError


@pytest.mark.parametrize(("code", "expected"), [
    ("IF2401", "2024-01-19"), ("IF2403", "2024-03-15"), ("IF2310", "2023-10-20"),
    ("IF2402", "2024-02-19"),  # third Friday 2024-02-16 is in the Spring Festival holiday
    ("IF1802", "2018-02-22"),
])
def test_cffex_last_trading_day_golden(code, expected):
    assert calendar.cffex_last_trading_day(code) == pd.Timestamp(expected)
    assert calendar.cffex_last_trading_day(code[:2], 2000 + int(code[2:4]), int(code[4:])) == pd.Timestamp(expected)


@pytest.mark.parametrize(("year", "month", "expected"), [
    (2024, 1, "2024-01-24"), (2024, 3, "2024-03-27"), (2023, 10, "2023-10-25"),
])
def test_etf_option_expiry_golden(year, month, expected):
    assert calendar.etf_option_expiry(year, month) == pd.Timestamp(expected)


def test_listed_contracts_rule():
    # April 2016: current 1604 until its expiry (2016-04-15), then 1605, 1606 and the quarters 1609, 1612.
    assert calendar.listed_cffex_contracts("IF", "2016-04-15") == ["IF1604.CFE", "IF1605.CFE", "IF1606.CFE",
                                                                   "IF1609.CFE"]
    assert calendar.listed_cffex_contracts("IC", "2016-04-18") == ["IC1605.CFE", "IC1606.CFE", "IC1609.CFE",
                                                                   "IC1612.CFE"]
    # December: next month is January of the next year; quarters follow it.
    assert calendar.listed_cffex_contracts("IF", "2023-12-18") == ["IF2401.CFE", "IF2402.CFE", "IF2403.CFE",
                                                                   "IF2406.CFE"]


def test_errors_teach():
    with pytest.raises(ConfigError, match="unknown CFFEX product"):
        calendar.listed_cffex_contracts("XX", "2020-01-02")
    with pytest.raises(DataError, match="IM not yet listed: trading began 2022-07-22"):
        calendar.listed_cffex_contracts("IM", "2020-01-02")
    with pytest.raises(ConfigError, match="outside the SSE calendar"):
        calendar.is_trading_day("1999-01-04")
    assert calendar.is_provisional("2027-03-19") and not calendar.is_provisional("2026-12-31")


def test_trading_day_arithmetic_examples():
    assert calendar.trading_days_between("2024-01-18", "2024-01-19") == 1
    assert calendar.trading_days_between("2024-02-08", "2024-02-19") == 1  # Spring Festival week closed
    assert calendar.offset("2024-02-08", 1) == pd.Timestamp("2024-02-19")
    assert calendar.offset("2024-01-20", 1) == pd.Timestamp("2024-01-22")  # from a Saturday
    assert calendar.offset("2024-01-20", -1) == pd.Timestamp("2024-01-19")
    assert calendar.nth_trading_day_of_month(2024, 2, 1) == pd.Timestamp("2024-02-01")
    assert calendar.nth_trading_day_of_month(2024, 2, -1) == pd.Timestamp("2024-02-29")
    assert not calendar.is_trading_day("2024-10-01")  # National Day


days = st.dates(dt.date(2007, 1, 1), dt.date(2027, 12, 31))


@settings(max_examples=200, deadline=None)
@given(days, days, days)
def test_trading_days_between_is_additive(a, b, c):
    assert (calendar.trading_days_between(a, b) + calendar.trading_days_between(b, c)
            == calendar.trading_days_between(a, c))


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(2007, 1, 1), dt.date(2027, 6, 30)), st.integers(-300, 300))
def test_offset_inverts_counting(day, n):
    # starts end mid-2027 so that 300 sessions ahead stay inside the provisional calendar (to 2028-12-31)
    start = calendar.roll_to_trading_day(day)
    assert calendar.trading_days_between(start, calendar.offset(start, n)) == n


def test_offset_past_the_calendar_end_raises():
    with pytest.raises(ConfigError, match=r"trading-day offset leaves the calendar: must land in 2005-01-04 \.\. "
                       r"2028-12-29; got '295 sessions from 2027-11-01'"):
        calendar.offset("2027-11-01", 295)
    with pytest.raises(ConfigError, match="trading-day offset leaves the calendar"):
        calendar.offset("2005-01-10", -10)


def test_vectorised_counting_matches_scalar():
    a = pd.Series(pd.to_datetime(["2024-01-02", "2024-02-08", "2023-12-29"]))
    b = pd.Series(pd.to_datetime(["2024-01-19", "2024-02-19", "2024-01-02"]))
    got = calendar.trading_days_between(a, b)
    assert list(got) == [calendar.trading_days_between(x, y) for x, y in zip(a, b, strict=True)]


@pytest.mark.real
def test_sessions_equal_real_index_dates(real_bundle):
    bars = pd.read_csv(real_bundle / "bars" / "index.csv", usecols=["symbol", "date"], parse_dates=["date"])
    d = pd.DatetimeIndex(bars.loc[bars.symbol == "000300.SH", "date"]).sort_values()
    d = d[d >= pd.Timestamp(calendar.CALENDAR_START)]
    assert d.equals(calendar.sessions(d[0], d[-1]))


@pytest.mark.real
def test_every_expired_real_future_ends_on_the_rule(real_bundle):
    bars = pd.read_csv(real_bundle / "bars" / "index_future.csv", usecols=["symbol", "date"], parse_dates=["date"])
    last = bars.groupby("symbol")["date"].max()
    data_end = bars["date"].max()
    rule = pd.Series({s: calendar.cffex_last_trading_day(s.split(".")[0]) for s in last.index})
    expired = rule < data_end
    assert expired.sum() > 400
    mismatch = last[expired][last[expired] != rule[expired]]
    assert mismatch.empty, mismatch.head()


@pytest.mark.real
def test_listed_contracts_match_real_chains(real_bundle):
    """On every real date, the contracts with a bar are exactly the listing rule's four (IF from 2015-04-16:
    before that the data hold only the dominant contracts)."""
    bars = pd.read_csv(real_bundle / "bars" / "index_future.csv", usecols=["symbol", "date"], parse_dates=["date"])
    bars = bars[bars["date"] >= "2015-04-16"]
    bars["product"] = bars["symbol"].str[:2]
    bad = []
    for (product, day), g in bars.groupby(["product", "date"]):
        if set(g["symbol"]) != set(calendar.listed_cffex_contracts(product, day)):
            bad.append((product, day.date(), sorted(g["symbol"])))
    assert not bad, bad[:5]
