"""Unit normalisation for AkShare frames: money to yuan, lots to shares, percent to fraction.

The bundle stores amounts in CNY yuan and volumes in shares or contracts (DESIGN.md, "The data bundle").
Chinese sources quote money in 元, 千元, 万元 (1e4), 百万元, 亿元 (1e8) or 万亿元 (1e12) and stock/ETF volume in
手 (a lot of 100 shares). Rates and year-on-year changes stay in percent because the bundle's series say
``unit = %``; :func:`percent_to_fraction` is for the columns the bundle declares as fractions (premium ratios
in ``bars_extra/convertible_analytics``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, explain

#: yuan per unit
MONEY_UNITS: dict[str, float] = {
    "元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8, "万亿元": 1e12,
    "yuan": 1.0, "CNY": 1.0, "CNY 10k": 1e4, "CNY mn": 1e6, "CNY 100m": 1e8,
}
#: shares (or contracts) per unit
COUNT_UNITS: dict[str, float] = {"股": 1.0, "份": 1.0, "张": 1.0, "手": 100.0, "万股": 1e4, "亿股": 1e8}


def to_yuan(values: pd.Series | np.ndarray | float, unit: str) -> pd.Series | np.ndarray | float:
    """Convert money quoted in ``unit`` to yuan: ``yuan = value x factor(unit)``.

    >>> to_yuan(1.5, "亿元")
    150000000.0
    """
    try:
        factor = MONEY_UNITS[unit]
    except KeyError:
        raise ConfigError(explain("unknown money unit", f"one of {sorted(MONEY_UNITS)}", unit,
                                  "Add the unit to cnradar.sources.akshare.units.MONEY_UNITS.")) from None
    return values * factor


def to_shares(values: pd.Series | np.ndarray | float, unit: str) -> pd.Series | np.ndarray | float:
    """Convert a volume quoted in ``unit`` (``手`` = 100 shares) to shares."""
    try:
        factor = COUNT_UNITS[unit]
    except KeyError:
        raise ConfigError(explain("unknown volume unit", f"one of {sorted(COUNT_UNITS)}", unit,
                                  "Add the unit to cnradar.sources.akshare.units.COUNT_UNITS.")) from None
    return values * factor


def percent_to_fraction(values: pd.Series | np.ndarray | float) -> pd.Series | np.ndarray | float:
    """``fraction = percent / 100`` (e.g. a 23.5 % premium -> 0.235)."""
    return values / 100.0


def parse_percent_text(values: pd.Series) -> pd.Series:
    """Parse text such as ``"1.5%"``, ``"-0.3 %"`` or ``"--"`` to a float percent (``NaN`` when not a number)."""
    text = values.astype("string").str.replace("%", "", regex=False).str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text, errors="coerce").astype(float)
