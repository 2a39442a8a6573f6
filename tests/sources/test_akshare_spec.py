"""Every AkShare function cnradar uses: recorded frames conform to the spec; drift is caught and named."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cnradar.errors import SourceError, UnknownNameError
from cnradar.sources.akshare import FAMILIES, FUNCTIONS, validate_frame
from cnradar.sources.akshare.recorded import frame_from_record, record_from_frame

FIXTURES = Path(__file__).parent / "fixtures" / "akshare"


def _recorded(function: str) -> pd.DataFrame:
    doc = json.loads((FIXTURES / f"{function}.json").read_text(encoding="utf-8"))
    return frame_from_record(doc["records"][0])


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_has_a_conforming_recorded_frame(function):
    frame = _recorded(function)
    assert len(frame) > 0
    assert validate_frame(function, frame) is frame


def test_every_family_function_is_declared():
    used = {f for fam in FAMILIES.values() for f in fam.functions}
    assert used == set(FUNCTIONS)


def test_recording_round_trip_keeps_dtypes():
    frame = _recorded("bond_zh_cov")
    again = frame_from_record(record_from_frame(frame))
    pd.testing.assert_frame_equal(frame, again)
    assert frame["上市时间"].dtype == object and frame["原股东配售-股权登记日"].dtype == "datetime64[ns]"


def test_empty_frame_of_a_non_trading_day_passes():
    assert validate_frame("get_futures_daily", pd.DataFrame()).empty


def test_missing_column_names_function_column_and_likely_rename():
    frame = _recorded("macro_china_cpi_yearly").rename(columns={"预测值": "预期值"})
    with pytest.raises(SourceError) as err:
        validate_frame("macro_china_cpi_yearly", frame)
    msg = str(err.value)
    assert "macro_china_cpi_yearly() schema drift" in msg
    assert "'预测值'" in msg and "'预测值' -> '预期值'?" in msg


def test_changed_dtype_is_caught():
    frame = _recorded("get_futures_daily")
    frame["settle"] = frame["settle"].astype(str)
    with pytest.raises(SourceError, match=r"get_futures_daily\(\) schema drift: column 'settle' changed type"):
        validate_frame("get_futures_daily", frame)


def test_unparseable_date_column_is_caught():
    frame = _recorded("repo_rate_hist")
    frame["date"] = "n/a"
    with pytest.raises(SourceError, match="column 'date' changed type"):
        validate_frame("repo_rate_hist", frame)


def test_silent_unit_change_is_caught_by_range():
    # SZSE reports 亿元; the same numbers in yuan would be 1e8 times larger
    frame = _recorded("stock_margin_szse")
    frame["融资余额"] = frame["融资余额"] * 1e8
    with pytest.raises(SourceError, match=r"stock_margin_szse\(\) column '融资余额' out of its plausible range"):
        validate_frame("stock_margin_szse", frame)


def test_unknown_function_lists_known_ones():
    with pytest.raises(UnknownNameError, match="index_zh_a_hist"):
        validate_frame("no_such_function", pd.DataFrame({"a": [1]}))
