"""The declarative table of every AkShare function cnradar calls, and the schema-drift check.

Each :class:`FunctionSpec` states what one AkShare function returns (column names exactly as AkShare spells
them, and the kind of dtype), the unit of every money/percent column, plausible value ranges that catch a silent
unit change (万元 -> 亿元), and which bundle table / series ids the columns feed. The column layouts were read
from AkShare 1.19's source (the ``temp_df.columns = [...]`` / ``rename`` lines of each function) and its
documentation.

:func:`validate_frame` checks a raw frame against its spec before anything is transformed: a missing column, a
column that changed dtype, or a value outside its plausible range raises :class:`~cnradar.errors.SourceError`
naming the function and the column (and the columns that appeared instead, the likely rename) -- never silently
wrong data.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from cnradar.errors import SourceError, UnknownNameError, explain

DType = Literal["date", "float", "str", "any"]
CallPattern = Literal["once", "per_window", "per_date", "per_symbol"]


@dataclass(frozen=True)
class FunctionSpec:
    """One AkShare function: its output columns, units and where its data goes in a bundle.

    ``columns`` maps each required column (AkShare's exact name) to its dtype kind; ``optional`` columns are
    used when present. ``units`` gives the unit of a numeric column as AkShare returns it (``元``, ``万元``,
    ``亿元``, ``手`` = lots of 100 shares, ``%``); the transforms convert with :mod:`.units`. ``ranges`` are
    plausible bounds in the raw unit (any non-missing value outside raises): they catch a unit switch that
    keeps the column name. ``feeds`` names the bundle file(s) and ``series`` the series ids produced.
    """

    name: str
    source: str
    call: CallPattern
    columns: Mapping[str, DType]
    feeds: tuple[str, ...]
    series: tuple[str, ...] = ()
    optional: Mapping[str, DType] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    notes: str = ""


_BAR_CN = {"日期": "date", "开盘": "float", "收盘": "float", "最高": "float", "最低": "float",
           "成交量": "float", "成交额": "float", "振幅": "float", "涨跌幅": "float", "涨跌额": "float",
           "换手率": "float"}
_FUTURES = {"symbol": "str", "date": "date", "open": "float", "high": "float", "low": "float", "close": "float",
            "volume": "float", "open_interest": "float", "turnover": "float", "settle": "float",
            "pre_settle": "float", "variety": "str"}
_JIN10 = {"商品": "str", "日期": "date", "今值": "float", "预测值": "float", "前值": "float"}
_SHIBOR_TENORS = ("O/N", "1W", "2W", "1M", "3M", "6M", "9M", "1Y")

FUNCTIONS: dict[str, FunctionSpec] = {s.name: s for s in (
    FunctionSpec(
        "get_futures_daily", "exchange daily files (CFFEX, SHFE, DCE, CZCE, INE, GFEX)", "per_window",
        _FUTURES, ("bars/index_future.csv", "bars/commodity_future.csv", "instruments.csv"),
        units={"turnover": "万元"}, ranges={"turnover": (0, 5e9), "settle": (-1e4, 1e7)},
        notes="per-contract daily bars with settle; CZCE codes have 3 digits (SR405) and are widened to SR2405"),
    FunctionSpec(
        "futures_contract_info_cffex", "CFFEX trading parameters", "once",
        {"合约代码": "str", "上市日": "date", "最后交易日": "date", "品种": "str"},
        ("instruments.csv",), optional={"合约月份": "any", "挂盘基准价": "float", "查询交易日": "date"},
        notes="listing and last trading day of the contracts live on the query date"),
    FunctionSpec(
        "index_zh_a_hist", "Eastmoney index kline", "per_symbol", _BAR_CN, ("bars/index.csv",),
        units={"成交量": "手", "成交额": "元"}, ranges={"成交额": (0, 1e13), "收盘": (1, 1e6)},
        notes="index OHLC with turnover; volume in lots of 100 shares"),
    FunctionSpec(
        "fund_etf_hist_em", "Eastmoney ETF kline (unadjusted)", "per_symbol", _BAR_CN, ("bars/etf.csv",),
        units={"成交量": "手", "成交额": "元"}, ranges={"成交额": (0, 1e12), "收盘": (0.01, 1e4)}),
    FunctionSpec(
        "option_risk_indicator_sse", "SSE option risk indicators (contract list per day)", "per_date",
        {"TRADE_DATE": "date", "SECURITY_ID": "any", "CONTRACT_ID": "str", "CONTRACT_SYMBOL": "str",
         "DELTA_VALUE": "float", "IMPLC_VOLATLTY": "float"},
        ("instruments.csv", "option_adjustments.csv"),
        optional={"THETA_VALUE": "float", "GAMMA_VALUE": "float", "VEGA_VALUE": "float", "RHO_VALUE": "float"},
        notes="CONTRACT_ID = underlying, C/P, yymm, M (standard) or A (dividend-adjusted), strike x 1000"),
    FunctionSpec(
        "option_sse_daily_sina", "Sina SSE option daily", "per_symbol",
        {"日期": "date", "开盘": "float", "最高": "float", "最低": "float", "收盘": "float", "成交量": "float"},
        ("bars/etf_option.csv",), ranges={"收盘": (0, 100)},
        notes="no settle or open interest in this source"),
    FunctionSpec("macro_china_pmi_yearly", "Jin10 (NBS manufacturing PMI releases)", "once", _JIN10,
                 ("observations/macro_releases.csv",), ("cn.pmi.nbs_mfg",), ranges={"今值": (20, 80)}),
    FunctionSpec("macro_china_non_man_pmi", "Jin10 (NBS non-manufacturing PMI releases)", "once", _JIN10,
                 ("observations/macro_releases.csv",), ("cn.pmi.nbs_nonmfg",), ranges={"今值": (20, 80)}),
    FunctionSpec("macro_china_cx_pmi_yearly", "Jin10 (Caixin manufacturing PMI final releases)", "once", _JIN10,
                 ("observations/macro_releases.csv",), ("cn.pmi.caixin_mfg",), ranges={"今值": (20, 80)}),
    FunctionSpec("macro_china_cpi_yearly", "Jin10 (CPI YoY releases)", "once", _JIN10,
                 ("observations/macro_releases.csv",), ("cn.cpi.yoy",), units={"今值": "%", "预测值": "%"},
                 ranges={"今值": (-30, 50)}),
    FunctionSpec("macro_china_ppi_yearly", "Jin10 (PPI YoY releases)", "once", _JIN10,
                 ("observations/macro_releases.csv",), ("cn.ppi.yoy",), units={"今值": "%", "预测值": "%"},
                 ranges={"今值": (-30, 50)}),
    FunctionSpec("macro_china_m2_yearly", "Jin10 (M2 YoY releases)", "once", _JIN10,
                 ("observations/macro_releases.csv",), ("cn.m2.yoy",), units={"今值": "%", "预测值": "%"},
                 ranges={"今值": (-10, 60)}),
    FunctionSpec(
        "macro_china_new_financial_credit", "Eastmoney (PBoC new RMB loans)", "once",
        {"月份": "str", "当月": "float", "累计": "float"}, ("observations/credit.csv",), ("cn.loans.new_rmb",),
        optional={"当月-同比增长": "float", "当月-环比增长": "float", "累计-同比增长": "float"},
        units={"当月": "亿元", "累计": "亿元"}, ranges={"当月": (-5e4, 1e5)},
        notes="no release date or consensus: release_date from the series rule next_month_day:15"),
    FunctionSpec("macro_china_lpr", "Eastmoney (loan prime rate)", "once",
                 {"TRADE_DATE": "date", "LPR1Y": "float", "LPR5Y": "float"}, ("observations/rates.csv",),
                 ("cn.rate.lpr_1y", "cn.rate.lpr_5y"), units={"LPR1Y": "%", "LPR5Y": "%"},
                 ranges={"LPR1Y": (0, 20), "LPR5Y": (0, 20)}),
    FunctionSpec("repo_rate_hist", "CFETS repo fixings (FR/FDR)", "per_window",
                 {"date": "date", "FR001": "float", "FR007": "float", "FR014": "float", "FDR001": "float",
                  "FDR007": "float", "FDR014": "float"}, ("observations/rates.csv",),
                 ("cn.rate.dr001", "cn.rate.dr007", "cn.rate.fr007"), units={"FDR007": "%", "FR007": "%"},
                 ranges={"FDR007": (0, 30), "FR007": (0, 30)},
                 notes="windows of at most one month (the CFETS query limit)"),
    FunctionSpec("macro_china_shibor_all", "Jin10 (SHIBOR fixings)", "once",
                 {"日期": "date", **{f"{t}-定价": "float" for t in _SHIBOR_TENORS}}, ("observations/rates.csv",),
                 tuple(f"cn.rate.shibor_{t.replace('O/N', 'on').lower()}" for t in _SHIBOR_TENORS),
                 optional={f"{t}-涨跌幅": "float" for t in _SHIBOR_TENORS},
                 units={f"{t}-定价": "%" for t in _SHIBOR_TENORS}, ranges={"1W-定价": (0, 30)}),
    FunctionSpec("bond_zh_us_rate", "Eastmoney (China / US government bond yields)", "once",
                 {"日期": "date", "中国国债收益率2年": "float", "中国国债收益率5年": "float",
                  "中国国债收益率10年": "float", "中国国债收益率30年": "float", "美国国债收益率10年": "float"},
                 ("observations/rates.csv",),
                 ("cn.rate.cgb_2y", "cn.rate.cgb_5y", "cn.rate.cgb_10y", "cn.rate.cgb_30y", "us.rate.ust_10y"),
                 units={"中国国债收益率10年": "%"}, ranges={"中国国债收益率10年": (0, 15)}),
    FunctionSpec("stock_margin_sse", "SSE margin summary", "per_window",
                 {"信用交易日期": "any", "融资余额": "float", "融资买入额": "float", "融券余量金额": "float",
                  "融资融券余额": "float"}, ("observations/margin.csv",),
                 ("cn.margin.financing", "cn.margin.lending", "cn.margin.financing_purchase"),
                 optional={"融券余量": "float", "融券卖出量": "float"},
                 units={"融资余额": "元", "融资买入额": "元", "融券余量金额": "元"},
                 ranges={"融资余额": (1e8, 1e14)}),
    FunctionSpec("stock_margin_szse", "SZSE margin summary (one trading day per call)", "per_date",
                 {"融资买入额": "float", "融资余额": "float", "融券余额": "float", "融资融券余额": "float"},
                 ("observations/margin.csv",),
                 ("cn.margin.financing", "cn.margin.lending", "cn.margin.financing_purchase"),
                 optional={"融券卖出量": "float", "融券余量": "float"},
                 units={"融资买入额": "亿元", "融资余额": "亿元", "融券余额": "亿元", "融资融券余额": "亿元"},
                 ranges={"融资余额": (1, 1e6)}, notes="no date column: the date is the call's argument"),
    FunctionSpec("stock_a_high_low_statistics", "Legulegu new highs / new lows", "once",
                 {"date": "date", "close": "float", "high20": "float", "low20": "float", "high60": "float",
                  "low60": "float", "high120": "float", "low120": "float"}, ("observations/breadth.csv",),
                 tuple(f"cn.breadth.{{index}}.{k}{n}" for k in ("high", "low") for n in (20, 60, 120)),
                 notes="symbol in {all, sz50, hs300, zz500}; no CSI 800 and no one-year window"),
    FunctionSpec("stock_index_pe_lg", "Legulegu index PE", "per_symbol",
                 {"日期": "date", "指数": "float", "滚动市盈率": "float", "静态市盈率": "float"},
                 ("observations/valuation.csv",),
                 ("cn.valuation.{index}.pe_ttm", "cn.valuation.{index}.pe_static",
                  "cn.valuation.{index}.pe_median"),
                 optional={"等权静态市盈率": "float", "静态市盈率中位数": "float", "等权滚动市盈率": "float",
                           "滚动市盈率中位数": "float"}, ranges={"滚动市盈率": (0, 1000)}),
    FunctionSpec("stock_index_pb_lg", "Legulegu index PB", "per_symbol",
                 {"日期": "date", "指数": "float", "市净率": "float"}, ("observations/valuation.csv",),
                 ("cn.valuation.{index}.pb",), optional={"等权市净率": "float", "市净率中位数": "float"},
                 ranges={"市净率": (0, 100)}),
    FunctionSpec("index_option_50etf_qvix", "Optionbbs 50ETF QVIX", "once",
                 {"date": "date", "open": "float", "high": "float", "low": "float", "close": "float"},
                 ("observations/vol.csv",), ("cn.vol.qvix_50etf",), ranges={"close": (0, 300)}),
    FunctionSpec(
        "bond_zh_cov", "Eastmoney convertible list", "once",
        {"债券代码": "any", "债券简称": "str", "上市时间": "date", "正股代码": "any", "转股价": "float",
         "发行规模": "float"}, ("instruments.csv",),
        optional={"申购日期": "date", "正股简称": "str", "信用评级": "str"}, units={"发行规模": "亿元"}),
    FunctionSpec(
        "bond_zh_cov_info", "Eastmoney convertible terms (基本信息)", "per_symbol",
        {"SECURITY_CODE": "any", "CONVERT_STOCK_CODE": "any", "EXPIRE_DATE": "any",
         "INITIAL_TRANSFER_PRICE": "float", "INTEREST_RATE_EXPLAIN": "any"}, ("convertible_terms.csv",),
        optional={"SECURITY_NAME_ABBR": "str", "LISTING_DATE": "any", "VALUE_DATE": "any",
                  "BOND_START_DATE": "any", "PAR_VALUE": "float", "REDEEM_CLAUSE": "any", "RESALE_CLAUSE": "any",
                  "TRANSFER_PRICE": "float", "ACTUAL_ISSUE_SCALE": "float"},
        notes="call/put/reset triggers parsed from the clause texts (REDEEM_CLAUSE, RESALE_CLAUSE)"),
    FunctionSpec("bond_zh_hs_cov_daily", "Sina convertible daily", "per_symbol",
                 {"date": "date", "open": "float", "high": "float", "low": "float", "close": "float",
                  "volume": "float"}, ("bars/convertible.csv",), ranges={"close": (1, 1e4)}),
    FunctionSpec("bond_zh_cov_value_analysis", "Eastmoney convertible value analysis", "per_symbol",
                 {"日期": "date", "收盘价": "float", "纯债价值": "float", "转股价值": "float",
                  "纯债溢价率": "float", "转股溢价率": "float"}, ("bars_extra/convertible_analytics.csv",),
                 units={"纯债溢价率": "%", "转股溢价率": "%"}, ranges={"转股价值": (0, 1e4)}),
    FunctionSpec("bond_cb_adj_logs_jsl", "Jisilu conversion-price change log", "per_symbol",
                 {"股东大会日": "date", "下修前转股价": "float", "下修后转股价": "float",
                  "新转股价生效日期": "date"}, ("bars_extra/convertible_conversion_price.csv",),
                 optional={"转债名称": "str", "下修底价": "float"}),
)}


def function_spec(name: str) -> FunctionSpec:
    """The spec of AkShare function ``name`` (raises :class:`UnknownNameError` listing the known ones)."""
    try:
        return FUNCTIONS[name]
    except KeyError:
        raise UnknownNameError("AkShare function", name, list(FUNCTIONS)) from None


def _dtype_ok(series: pd.Series, kind: DType) -> bool:
    dtype = series.dtype
    if kind == "any":
        return True
    if kind == "float":
        return bool(pd.api.types.is_numeric_dtype(dtype)) and not pd.api.types.is_bool_dtype(dtype)
    if kind == "str":
        return bool(pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype))
    # date: datetime64, or objects (datetime.date / ISO or YYYYMMDD strings) that all parse
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return True
    if not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
        return False
    values = series.dropna()
    if values.empty:
        return True
    parsed = pd.to_datetime(values.astype(str), errors="coerce", format="mixed")
    return bool(parsed.notna().all())


def validate_frame(function: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Check a raw AkShare frame against its :class:`FunctionSpec`; return it unchanged when it conforms.

    An empty frame with no columns is accepted (AkShare returns ``pd.DataFrame()`` for a day without data).
    Raises :class:`SourceError` naming the function and the offending column for: a missing required column
    (with the unexpected columns that may be its new name), a column whose dtype kind changed, and a value
    outside the spec's plausible range (a silent unit change).
    """
    spec = function_spec(function)
    if frame.shape[1] == 0:
        return frame
    present = [str(c) for c in frame.columns]
    missing = [c for c in spec.columns if c not in present]
    if missing:
        known = set(spec.columns) | set(spec.optional)
        unexpected = [c for c in present if c not in known]
        guesses = {m: difflib.get_close_matches(m, unexpected, n=1, cutoff=0.3) for m in missing}
        hint = "; ".join(f"{m!r} -> {g[0]!r}?" for m, g in guesses.items() if g)
        raise SourceError(explain(
            f"AkShare {function}() schema drift: missing column(s) {', '.join(repr(m) for m in missing)}",
            f"expected columns {list(spec.columns)}",
            present,
            (f"Possible renames: {hint}. " if hint else "")
            + "AkShare changed its output; update cnradar.sources.akshare.spec.FUNCTIONS and the transform, "
            "or pin the AkShare version that matches.",
        ))
    for col, kind in {**spec.columns, **{c: k for c, k in spec.optional.items() if c in present}}.items():
        if not _dtype_ok(frame[col], kind):
            raise SourceError(explain(
                f"AkShare {function}() schema drift: column {col!r} changed type",
                f"expected {kind}", str(frame[col].dtype),
                "Check the AkShare version and update cnradar.sources.akshare.spec.FUNCTIONS.",
            ))
    for col, (lo, hi) in spec.ranges.items():
        if col not in present:
            continue
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        bad = np.isfinite(values) & ((values < lo) | (values > hi))
        if bad.any():
            raise SourceError(explain(
                f"AkShare {function}() column {col!r} out of its plausible range "
                f"(unit {spec.units.get(col, 'as returned')})",
                f"values within [{lo:g}, {hi:g}]",
                float(values[bad][0]),
                "The source may have changed the unit (e.g. 万元 -> 亿元); check and update the spec.",
            ))
    return frame
