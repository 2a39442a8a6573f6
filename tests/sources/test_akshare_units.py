"""Unit normalisation: 万元/亿元 -> yuan, 手 -> shares, % -> fraction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cnradar.errors import ConfigError
from cnradar.sources.akshare.units import parse_percent_text, percent_to_fraction, to_shares, to_yuan


@pytest.mark.parametrize(("value", "unit", "yuan"), [
    (1.0, "元", 1.0), (2.5, "万元", 25_000.0), (3.0, "亿元", 300_000_000.0), (1.2, "万亿元", 1.2e12),
    (7.0, "千元", 7_000.0), (4.0, "百万元", 4_000_000.0),
])
def test_to_yuan(value, unit, yuan):
    assert to_yuan(value, unit) == pytest.approx(yuan, rel=1e-15)


def test_to_yuan_vectorised_keeps_nan():
    out = to_yuan(pd.Series([7730.2, np.nan]), "亿元")
    assert out.iloc[0] == pytest.approx(7.7302e11) and np.isnan(out.iloc[1])


def test_lots_to_shares_and_percent():
    assert to_shares(123, "手") == 12_300
    assert percent_to_fraction(23.5) == pytest.approx(0.235)
    assert parse_percent_text(pd.Series(["1.5%", "-0.3 %", "--", "1,234.5"])).tolist()[:2] == [1.5, -0.3]
    assert np.isnan(parse_percent_text(pd.Series(["--"])).iloc[0])


def test_unknown_unit_is_an_error():
    with pytest.raises(ConfigError, match="unknown money unit"):
        to_yuan(1.0, "美元")
    with pytest.raises(ConfigError, match="unknown volume unit"):
        to_shares(1.0, "桶")
