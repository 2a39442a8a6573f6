"""Pure transforms: validated raw AkShare frames -> bundle tables (DESIGN.md, "The data bundle").

Every function here takes raw frames (already checked by :func:`.spec.validate_frame`) and returns bundle-shaped
frames: amounts in yuan, volumes in shares or contracts, ISO dates, exchange-style symbols, dotted series ids.
No I/O. Vectorised over rows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cnradar import calendar
from cnradar.errors import SourceError, explain
from cnradar.sources.akshare.units import percent_to_fraction, to_shares, to_yuan

BAR_COLUMNS = ["symbol", "date", "open", "high", "low", "close", "settle", "volume", "open_interest", "amount"]
INSTRUMENT_COLUMNS = ["symbol", "kind", "product", "exchange", "underlying", "multiplier", "list_date",
                      "last_trade_date", "strike", "right", "unit", "name"]
OBS_COLUMNS = ["series", "period", "release_date", "value", "consensus", "consensus_std"]
TERMS_COLUMNS = ["symbol", "stock", "issue_date", "maturity_date", "par", "redemption_price", "coupons",
                 "conversion_price", "call_trigger", "call_m", "call_n", "put_trigger", "put_m", "put_n",
                 "reset_trigger", "reset_m", "reset_n"]
ADJ_COLUMNS = ["symbol", "effective_date", "strike_before", "strike_after", "unit_before", "unit_after"]

#: exchange -> symbol suffix (docs/DEVELOPING.md, "Symbols")
FUTURES_SUFFIX = {"CFFEX": "CFE", "SHFE": "SHF", "DCE": "DCE", "CZCE": "CZC", "INE": "INE", "GFEX": "GFE"}
INDEX_FUTURES = {"IF": "000300.SH", "IH": "000016.SH", "IC": "000905.SH", "IM": "000852.SH"}


def to_dates(values: pd.Series) -> pd.Series:
    """Parse AkShare date columns (``datetime.date`` objects, ``YYYYMMDD`` or ISO strings) to ``datetime64[ns]``."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return pd.to_datetime(values).astype("datetime64[ns]")
    text = values.astype("string").str.strip().str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    return pd.to_datetime(text, errors="coerce", format="mixed").astype("datetime64[ns]")


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _frame(columns: list[str], **data: object) -> pd.DataFrame:
    out = pd.DataFrame(data)
    for c in columns:
        if c not in out:
            out[c] = np.nan
    return out[columns]


# ---------------------------------------------------------------------------------------------- futures
def futures_symbols(raw: pd.Series, dates: pd.Series, exchange: str) -> pd.DataFrame:
    """Exchange-style futures codes from raw exchange codes: ``m2405`` -> ``M2405.DCE``, ``SR405`` -> ``SR2405.CZC``.

    CZCE prints the year with one digit; the contract year is the first year ``>=`` the trade year whose last
    digit matches (a contract never trades after its delivery month, and CZCE lists at most a year ahead):
    ``year = y_trade + ((d - y_trade) mod 10)``. Returns columns ``symbol, product, year, month`` (``symbol`` is
    missing for codes that are not plain futures, e.g. options or spreads).
    """
    code = raw.astype("string").str.strip().str.upper()
    parts = code.str.extract(r"^([A-Z]{1,3})(\d{3,4})$")
    product, digits = parts[0], parts[1]
    trade_year = dates.dt.year.astype("Int64")
    four = digits.str.len() == 4
    yy = pd.to_numeric(digits.str[:2], errors="coerce").astype("Int64")
    d = pd.to_numeric(digits.str[:1], errors="coerce").astype("Int64")
    year3 = trade_year + ((d - trade_year) % 10)
    year = (2000 + yy).where(four, year3)
    month = pd.to_numeric(digits.str[-2:], errors="coerce").astype("Int64")
    ok = product.notna() & year.notna() & month.between(1, 12)
    suffix = FUTURES_SUFFIX[exchange]
    symbol = (product + (year % 100).astype("string").str.zfill(2) + month.astype("string").str.zfill(2)
              + "." + suffix)
    return pd.DataFrame({"symbol": symbol.where(ok), "product": product.where(ok), "year": year.where(ok),
                         "month": month.where(ok)})


def futures_daily(frame: pd.DataFrame, exchange: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``get_futures_daily(market=exchange)`` -> (bars, instruments).

    CFFEX keeps the equity-index futures IF/IH/IC/IM (kind ``index_future``; treasury futures are not a bundle
    kind); the commodity exchanges give ``commodity_future``. ``amount = turnover[万元] x 1e4`` yuan. The
    instruments carry ``list_date`` = first bar seen (the caller keeps an earlier stored one) and, for CFFEX,
    ``last_trade_date`` from the third-Friday rule (:func:`cnradar.calendar.cffex_last_trading_day`), overridden
    by ``futures_contract_info_cffex`` where available.
    """
    if frame.empty:
        return _empty(BAR_COLUMNS), _empty(INSTRUMENT_COLUMNS)
    dates = to_dates(frame["date"])
    ids = futures_symbols(frame["symbol"], dates, exchange)
    keep = ids["symbol"].notna() & dates.notna()
    if exchange == "CFFEX":
        keep &= ids["product"].isin(list(INDEX_FUTURES))
    f, ids, dates = frame[keep.to_numpy()], ids[keep], dates[keep]
    num = {c: pd.to_numeric(f[c], errors="coerce").astype(float) for c in
           ("open", "high", "low", "close", "settle", "volume", "open_interest", "turnover")}
    bars = _frame(BAR_COLUMNS, symbol=ids["symbol"].astype(str).to_numpy(), date=dates.to_numpy(),
                  open=num["open"].to_numpy(), high=num["high"].to_numpy(), low=num["low"].to_numpy(),
                  close=num["close"].to_numpy(), settle=num["settle"].to_numpy(),
                  volume=num["volume"].to_numpy(), open_interest=num["open_interest"].to_numpy(),
                  amount=to_yuan(num["turnover"], "万元").to_numpy())
    bars = bars.drop_duplicates(["symbol", "date"], keep="last").sort_values(["symbol", "date"])
    first = bars.groupby("symbol", sort=True)["date"].min()
    meta = ids.assign(date=dates).drop_duplicates("symbol").set_index("symbol").loc[first.index]
    kind = "index_future" if exchange == "CFFEX" else "commodity_future"
    inst = _frame(INSTRUMENT_COLUMNS, symbol=first.index.to_numpy(), kind=kind,
                  product=meta["product"].astype(str).to_numpy(), exchange=exchange,
                  list_date=first.to_numpy(), name=[s.split(".")[0] for s in first.index])
    if exchange == "CFFEX":
        inst["underlying"] = inst["product"].map(INDEX_FUTURES)
        inst["multiplier"] = inst["product"].map(
            {p: float(v["multiplier"]) for p, v in calendar.CFFEX_PRODUCTS.items()})
        inst["last_trade_date"] = [calendar.cffex_last_trading_day(p, int(y), int(m)) for p, y, m in
                                   zip(meta["product"], meta["year"], meta["month"], strict=True)]
    return bars.reset_index(drop=True), inst


def cffex_contract_info(frame: pd.DataFrame) -> pd.DataFrame:
    """``futures_contract_info_cffex`` -> ``symbol, list_date, last_trade_date`` of the live index futures."""
    if frame.empty:
        return pd.DataFrame(columns=["symbol", "list_date", "last_trade_date"])
    code = frame["合约代码"].astype("string").str.strip().str.upper()
    keep = code.str.extract(r"^([A-Z]+)\d{4}$")[0].isin(list(INDEX_FUTURES))
    return pd.DataFrame({"symbol": (code + ".CFE")[keep].to_numpy(),
                         "list_date": to_dates(frame["上市日"])[keep].to_numpy(),
                         "last_trade_date": to_dates(frame["最后交易日"])[keep].to_numpy()})


# ---------------------------------------------------------------------------------------------- kline bars
def em_kline(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """Eastmoney kline (``index_zh_a_hist`` / ``fund_etf_hist_em``) -> bars: volume 手 x 100 shares, amount yuan."""
    if frame.empty:
        return _empty(BAR_COLUMNS)
    num = {c: pd.to_numeric(frame[c], errors="coerce").astype(float) for c in
           ("开盘", "最高", "最低", "收盘", "成交量", "成交额")}
    out = _frame(BAR_COLUMNS, symbol=symbol, date=to_dates(frame["日期"]).to_numpy(), open=num["开盘"].to_numpy(),
                 high=num["最高"].to_numpy(), low=num["最低"].to_numpy(), close=num["收盘"].to_numpy(),
                 volume=to_shares(num["成交量"], "手").to_numpy(), amount=to_yuan(num["成交额"], "元").to_numpy())
    return out.dropna(subset=["date"]).drop_duplicates(["symbol", "date"], keep="last")


def simple_bars(frame: pd.DataFrame, symbol: str, columns: dict[str, str]) -> pd.DataFrame:
    """A daily OHLC(V) frame -> bars, with ``columns`` mapping bundle names to the frame's names."""
    if frame.empty:
        return _empty(BAR_COLUMNS)
    data = {k: pd.to_numeric(frame[v], errors="coerce").astype(float).to_numpy() for k, v in columns.items()
            if k != "date"}
    out = _frame(BAR_COLUMNS, symbol=symbol, date=to_dates(frame[columns["date"]]).to_numpy(), **data)
    return out.dropna(subset=["date"]).drop_duplicates(["symbol", "date"], keep="last")


# ---------------------------------------------------------------------------------------------- ETF options
_CONTRACT_ID = r"^(\d{6})([CP])(\d{2})(\d{2})([MA])(\d+)$"


def sse_option_contracts(frame: pd.DataFrame) -> pd.DataFrame:
    """``option_risk_indicator_sse`` rows (any number of days) -> one row per contract and day.

    ``CONTRACT_ID`` (e.g. ``510050C2406M02400``) encodes underlying, right, expiry year/month, ``M`` (standard) or
    ``A`` (adjusted after a dividend) and strike x 1000. Returns ``symbol, date, underlying, right, year, month,
    adjusted, strike, name``.
    """
    parts = frame["CONTRACT_ID"].astype("string").str.strip().str.extract(_CONTRACT_ID)
    ok = parts[0].notna()
    if not ok.all():
        bad = frame.loc[~ok.to_numpy(), "CONTRACT_ID"].iloc[0]
        raise SourceError(explain("AkShare option_risk_indicator_sse() schema drift: CONTRACT_ID format",
                                  "510050C2406M02400-style ids", bad, "Update the CONTRACT_ID parser."))
    sec = frame["SECURITY_ID"].astype("string").str.strip()
    return pd.DataFrame({
        "symbol": (sec + ".SH").to_numpy(), "date": to_dates(frame["TRADE_DATE"]).to_numpy(),
        "underlying": (parts[0] + ".SH").to_numpy(), "right": parts[1].to_numpy(),
        "year": 2000 + parts[2].astype(int).to_numpy(), "month": parts[3].astype(int).to_numpy(),
        "adjusted": (parts[4] == "A").to_numpy(), "strike": parts[5].astype(int).to_numpy() / 1000.0,
        "name": frame["CONTRACT_SYMBOL"].astype(str).to_numpy()})


def infer_adjusted_unit(strike_before: np.ndarray, strike_after: np.ndarray, unit_before: float,
                        search: int = 2000) -> float:
    """The contract unit after a dividend adjustment, recovered from the strikes alone.

    SSE rule (golden/README.md §5): ``new_strike = round(old_strike x old_unit / new_unit, 3)``. The new unit is
    the integer ``U`` for which that holds for *every* contract adjusted on the day; candidates are searched
    around ``old_unit x K_before / K_after``. With a full strike ladder the solution is unique (50ETF
    2016-11-29: only 10220 fits nine strikes); with two or three strikes a dozen units may fit (510210
    2023-12-20: 10879..10891 all reproduce 0.597 and 0.735), and then the unit is not knowable from strikes:
    NaN is returned (missing stays visible; supply it in option_adjustments.csv), as when nothing fits.
    """
    kb, ka = np.asarray(strike_before, float), np.asarray(strike_after, float)
    centre = np.median(unit_before * kb / ka)
    cand = np.arange(max(1, int(centre) - search), int(centre) + search + 1, dtype=float)
    fits = np.all(np.abs(np.round(kb[None, :] * unit_before / cand[:, None], 3) - ka[None, :]) < 5e-7, axis=1)
    if fits.sum() != 1:
        return float("nan")
    return float(cand[fits][0])


def sse_option_universe(contracts: pd.DataFrame, standard_unit: float = 10000.0
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contracts-by-day (from :func:`sse_option_contracts`) -> (instruments, option_adjustments).

    ``instruments`` hold the terms at listing (first day seen): strike from the id, ``unit`` = 10,000 for
    standard contracts, expiry by the fourth-Wednesday rule (:func:`cnradar.calendar.etf_option_expiry`).
    A contract whose id changes from ``M`` to ``A`` (or whose strike changes) gets an adjustment row effective
    on the first day with the new id; the new unit comes from :func:`infer_adjusted_unit` over all contracts of
    that underlying adjusted the same day (chained when a contract is adjusted twice).
    """
    c = contracts.sort_values(["symbol", "date"]).reset_index(drop=True)
    first = c.drop_duplicates("symbol", keep="first").reset_index(drop=True)
    changed = (c["symbol"].eq(c["symbol"].shift()) & (c["strike"].ne(c["strike"].shift())
                                                     | c["adjusted"].ne(c["adjusted"].shift())))
    prev = c.shift()
    adj = pd.DataFrame({"symbol": c.loc[changed, "symbol"], "underlying": c.loc[changed, "underlying"],
                        "effective_date": c.loc[changed, "date"], "strike_before": prev.loc[changed, "strike"],
                        "strike_after": c.loc[changed, "strike"]})
    units = {}  # unit currently in force per contract
    unit_at_listing = np.where(first["adjusted"], np.nan, standard_unit)
    for sym, u in zip(first["symbol"], unit_at_listing, strict=True):
        units[sym] = u
    rows = []
    for (_, day), grp in adj.sort_values("effective_date").groupby(["underlying", "effective_date"], sort=True):
        before = np.array([units[s] for s in grp["symbol"]])
        known = np.isfinite(before)
        ub = before[known][0] if known.any() else standard_unit
        ua = infer_adjusted_unit(grp["strike_before"].to_numpy()[known] if known.any() else
                                 grp["strike_before"].to_numpy(),
                                 grp["strike_after"].to_numpy()[known] if known.any() else
                                 grp["strike_after"].to_numpy(), ub)
        for s, kb, ka, u in zip(grp["symbol"], grp["strike_before"], grp["strike_after"], before, strict=True):
            rows.append((s, day, kb, ka, u if np.isfinite(u) else ub, ua))
            units[s] = ua
    adjustments = pd.DataFrame(rows, columns=ADJ_COLUMNS)
    expiry = [calendar.etf_option_expiry(int(y), int(m)) for y, m in zip(first["year"], first["month"],
                                                                             strict=True)]
    inst = _frame(INSTRUMENT_COLUMNS, symbol=first["symbol"].to_numpy(), kind="etf_option",
                  product=first["underlying"].str[:6].map({"510050": "50ETF", "510300": "300ETF",
                                                           "510500": "500ETF"}).to_numpy(),
                  exchange="SSE", underlying=first["underlying"].to_numpy(), list_date=first["date"].to_numpy(),
                  last_trade_date=expiry, strike=first["strike"].to_numpy(), right=first["right"].to_numpy(),
                  unit=unit_at_listing, name=first["name"].to_numpy())
    return inst, adjustments


# ---------------------------------------------------------------------------------------------- macro
def reference_period(release: pd.Series, rule: str) -> pd.Series:
    """Reference month end of a release dated ``release``.

    ``previous_month``: CPI, PPI, M2, loans and Caixin PMI are published in the month after the reference month.
    ``pmi``: NBS PMIs are published on the last day of the reference month or in the first days of the next
    one; a release on day >= 20 refers to its own month, otherwise to the previous month (the same rule the
    real bundle's converter used, shared/data/real/README.md).
    """
    month_end_prev = (release.dt.to_period("M") - 1).dt.to_timestamp(how="end").dt.normalize()
    if rule == "previous_month":
        return month_end_prev.astype("datetime64[ns]")
    own = release.dt.to_period("M").dt.to_timestamp(how="end").dt.normalize()
    return own.where(release.dt.day >= 20, month_end_prev).astype("datetime64[ns]")


def jin10_releases(frame: pd.DataFrame, series: str, period_rule: str) -> pd.DataFrame:
    """Jin10 release table (商品, 日期 = release date, 今值, 预测值, 前值) -> observations with consensus.

    Rows without 今值 (scheduled, not yet released) are dropped; when a period appears twice, the first
    release is kept (point-in-time: the first print). ``consensus`` = 预测值 in the value's unit;
    ``consensus_std`` is unknown from this source (blank).
    """
    if frame.empty:
        return _empty(OBS_COLUMNS)
    rel = to_dates(frame["日期"])
    value = pd.to_numeric(frame["今值"], errors="coerce").astype(float)
    out = _frame(OBS_COLUMNS, series=series, period=reference_period(rel, period_rule).to_numpy(),
                 release_date=rel.to_numpy(), value=value.to_numpy(),
                 consensus=pd.to_numeric(frame["预测值"], errors="coerce").astype(float).to_numpy())
    out = out.dropna(subset=["value", "release_date"]).sort_values("release_date")
    return out.drop_duplicates(["series", "period"], keep="first").reset_index(drop=True)


def eastmoney_month(text: pd.Series) -> pd.Series:
    """``"2024年03月份"`` -> 2024-03-31 (month end)."""
    parts = text.astype("string").str.extract(r"(\d{4})\D+(\d{1,2})")
    start = pd.to_datetime(parts[0] + "-" + parts[1].str.zfill(2) + "-01", errors="coerce")
    return (start + pd.offsets.MonthEnd(0)).astype("datetime64[ns]")


def new_rmb_loans(frame: pd.DataFrame) -> pd.DataFrame:
    """``macro_china_new_financial_credit`` -> ``cn.loans.new_rmb`` in yuan (当月 亿元 x 1e8); release_date blank
    (the series' rule ``next_month_day:15`` applies)."""
    value = to_yuan(pd.to_numeric(frame["当月"], errors="coerce").astype(float), "亿元")
    out = _frame(OBS_COLUMNS, series="cn.loans.new_rmb", period=eastmoney_month(frame["月份"]).to_numpy(),
                 value=value.to_numpy())
    return out.dropna(subset=["period", "value"]).drop_duplicates(["series", "period"], keep="first")


def daily_series(frame: pd.DataFrame, date_col: str, mapping: dict[str, str], *, release: str = "same_day",
                 scale: float = 1.0) -> pd.DataFrame:
    """Wide daily frame -> long observations. ``mapping``: column -> series id. ``release``: ``same_day`` or
    ``bday+1`` (explicit release dates for date-based rules, as the bundle format asks)."""
    if frame.empty:
        return _empty(OBS_COLUMNS)
    dates = to_dates(frame[date_col])
    parts = []
    for col, sid in mapping.items():
        v = pd.to_numeric(frame[col], errors="coerce").astype(float) * scale
        parts.append(pd.DataFrame({"series": sid, "period": dates.to_numpy(), "value": v.to_numpy()}))
    out = pd.concat(parts, ignore_index=True).dropna(subset=["period", "value"])
    out["release_date"] = release_dates(out["period"], release)
    out = _frame(OBS_COLUMNS, **{c: out[c].to_numpy() for c in ("series", "period", "release_date", "value")})
    return out.drop_duplicates(["series", "period"], keep="last").reset_index(drop=True)


def release_dates(period: pd.Series, rule: str) -> np.ndarray:
    """Explicit release dates for ``same_day`` and ``bday+1`` (next SSE trading day)."""
    if rule == "same_day":
        return period.to_numpy()
    if rule == "bday+1":
        days = calendar.sessions(period.min(), calendar.offset(calendar.roll_to_trading_day(period.max(),
                                                                                           "backward"), 2))
        idx = np.searchsorted(days.to_numpy(), period.to_numpy(), side="right")
        return days.to_numpy()[idx]
    raise SourceError(explain("unsupported explicit release rule", "same_day or bday+1", rule,
                              "Use a month-based rule in series.csv instead."))


def margin_totals(sse: pd.DataFrame, szse: pd.DataFrame) -> pd.DataFrame:
    """SSE (元) + SZSE (亿元) margin summaries -> market totals in yuan, on days both exchanges reported.

    ``cn.margin.financing`` = 融资余额; ``cn.margin.lending`` = SSE 融券余量金额 + SZSE 融券余额;
    ``cn.margin.financing_purchase`` = 融资买入额. Released the next trading day (``bday+1``).
    ``szse`` must carry a ``date`` column (the call's date).
    """
    if sse.empty or szse.empty:
        return _empty(OBS_COLUMNS)
    a = pd.DataFrame({"date": to_dates(sse["信用交易日期"]),
                      "fin": to_yuan(pd.to_numeric(sse["融资余额"], errors="coerce"), "元"),
                      "lend": to_yuan(pd.to_numeric(sse["融券余量金额"], errors="coerce"), "元"),
                      "buy": to_yuan(pd.to_numeric(sse["融资买入额"], errors="coerce"), "元")})
    b = pd.DataFrame({"date": to_dates(szse["date"]),
                      "fin": to_yuan(pd.to_numeric(szse["融资余额"], errors="coerce"), "亿元"),
                      "lend": to_yuan(pd.to_numeric(szse["融券余额"], errors="coerce"), "亿元"),
                      "buy": to_yuan(pd.to_numeric(szse["融资买入额"], errors="coerce"), "亿元")})
    both = a.drop_duplicates("date", keep="last").merge(b.drop_duplicates("date", keep="last"), on="date",
                                                        suffixes=("_sh", "_sz"))
    wide = pd.DataFrame({"date": both["date"], "cn.margin.financing": both["fin_sh"] + both["fin_sz"],
                         "cn.margin.lending": both["lend_sh"] + both["lend_sz"],
                         "cn.margin.financing_purchase": both["buy_sh"] + both["buy_sz"]})
    return daily_series(wide, "date", {c: c for c in wide.columns if c != "date"}, release="bday+1")


# ---------------------------------------------------------------------------------------------- convertibles
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}


def chinese_number(text: str) -> int:
    """Small Chinese or Arabic numerals: ``"三十"`` -> 30, ``"十五"`` -> 15, ``"二十"`` -> 20, ``"15"`` -> 15."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + current


_NUM = r"([0-9一二两三四五六七八九十百零〇]+)"
_PCT = r"(\d+(?:\.\d+)?)\s*[%％]"
_CALL = re.compile(r"连续" + _NUM + r"个交易日(?:内|中)?(?:至少)?有?" + _NUM
                   + r"个交易日的收盘价(?:格)?不低于当期转股价(?:格)?的" + _PCT)
_PUT = re.compile(r"(?:连续|任何)" + _NUM + r"个交易日(?:内|中)?(?:(?:至少)?有?" + _NUM
                  + r"个交易日)?的收盘价(?:格)?低于当期转股价(?:格)?的" + _PCT)
_MATURITY = re.compile(r"期满后.{0,40}?(?:面值的" + _PCT + r"|(\d+(?:\.\d+)?)\s*元)")


def parse_clauses(redeem: str | None, resale: str | None) -> dict[str, float]:
    """Soft-call, put and maturity-redemption terms from the clause texts of ``bond_zh_cov_info``.

    Soft call: "连续三十个交易日中至少有十五个交易日的收盘价格不低于当期转股价格的130%" -> call_m = 15 of
    call_n = 30 days, call_trigger = 1.30 (ratio to the conversion price). Put: "连续三十个交易日的收盘价格低于
    当期转股价的70%" -> put_m = put_n = 30, put_trigger = 0.70. Maturity redemption "期满后五个交易日内 ... 面值的
    110%" -> redemption_price = 110 (per 100 par). Missing clauses give NaN.
    """
    out = dict.fromkeys(("call_trigger", "call_m", "call_n", "put_trigger", "put_m", "put_n",
                         "redemption_price"), float("nan"))
    if isinstance(redeem, str):
        m = _CALL.search(redeem)
        if m:
            out.update(call_n=float(chinese_number(m.group(1))), call_m=float(chinese_number(m.group(2))),
                       call_trigger=float(m.group(3)) / 100.0)
        m = _MATURITY.search(redeem)
        if m:
            out["redemption_price"] = float(m.group(1)) if m.group(1) else float(m.group(2))
    if isinstance(resale, str):
        m = _PUT.search(resale)
        if m:
            n = float(chinese_number(m.group(1)))
            out.update(put_n=n, put_m=float(chinese_number(m.group(2))) if m.group(2) else n,
                       put_trigger=float(m.group(3)) / 100.0)
    return out


def exchange_code(code: pd.Series, kind: str) -> pd.Series:
    """Six-digit codes -> exchange-style: convertibles 11x/13x -> .SH, 12x -> .SZ; stocks 6/9 -> .SH, else .SZ
    (4/8 -> .BJ)."""
    c = code.astype("string").str.strip().str.extract(r"(\d{6})")[0]
    if kind == "convertible":
        suffix = np.where(c.str.startswith("1") & ~c.str.startswith("12"), ".SH", ".SZ")
    else:
        suffix = np.select([c.str[0].isin(["6", "9"]), c.str[0].isin(["4", "8"])], [".SH", ".BJ"], ".SZ")
    return (c + pd.Series(suffix, index=c.index)).where(c.notna())


def convertible_list(frame: pd.DataFrame) -> pd.DataFrame:
    """``bond_zh_cov`` -> instruments of the listed convertibles and their stocks."""
    listed = frame[to_dates(frame["上市时间"]).notna().to_numpy()]
    sym = exchange_code(listed["债券代码"], "convertible")
    stock = exchange_code(listed["正股代码"], "stock")
    bonds = _frame(INSTRUMENT_COLUMNS, symbol=sym.to_numpy(), kind="convertible", product="CB",
                   exchange=np.where(sym.str.endswith(".SH"), "SSE", "SZSE"), underlying=stock.to_numpy(),
                   list_date=to_dates(listed["上市时间"]).to_numpy(), name=listed["债券简称"].astype(str).to_numpy())
    names = listed["正股简称"].astype(str).to_numpy() if "正股简称" in listed else np.nan
    stocks = _frame(INSTRUMENT_COLUMNS, symbol=stock.to_numpy(), kind="stock",
                    exchange=np.where(stock.str.endswith(".SH"), "SSE", "SZSE"), name=names)
    out = pd.concat([bonds, stocks], ignore_index=True).dropna(subset=["symbol"])
    return out.drop_duplicates("symbol", keep="first").reset_index(drop=True)


def convertible_terms(frame: pd.DataFrame) -> pd.DataFrame:
    """``bond_zh_cov_info(indicator="基本信息")`` rows -> convertible_terms (conversion price at issue; coupons as
    ';'-separated percents; call/put/maturity terms parsed by :func:`parse_clauses`; reset terms blank: the
    source has no reset clause field)."""
    if frame.empty:
        return _empty(TERMS_COLUMNS)
    coupons = frame["INTEREST_RATE_EXPLAIN"].astype("string").str.findall(r"(\d+(?:\.\d+)?)\s*[%％]")
    issue_col = next((c for c in ("VALUE_DATE", "BOND_START_DATE") if c in frame), None)
    clauses = pd.DataFrame([parse_clauses(r, p) for r, p in zip(
        frame.get("REDEEM_CLAUSE", pd.Series(None, index=frame.index)),
        frame.get("RESALE_CLAUSE", pd.Series(None, index=frame.index)), strict=True)])
    par = (pd.to_numeric(frame["PAR_VALUE"], errors="coerce") if "PAR_VALUE" in frame
           else pd.Series(100.0, index=frame.index)).fillna(100.0)
    out = _frame(TERMS_COLUMNS, symbol=exchange_code(frame["SECURITY_CODE"], "convertible").to_numpy(),
                 stock=exchange_code(frame["CONVERT_STOCK_CODE"], "stock").to_numpy(),
                 issue_date=to_dates(frame[issue_col]).to_numpy() if issue_col else pd.NaT,
                 maturity_date=to_dates(frame["EXPIRE_DATE"]).to_numpy(), par=par.astype(float).to_numpy(),
                 coupons=[";".join(c) if isinstance(c, list) and c else np.nan for c in coupons],
                 conversion_price=pd.to_numeric(frame["INITIAL_TRANSFER_PRICE"], errors="coerce").to_numpy(),
                 **{k: clauses[k].to_numpy() for k in clauses})
    return out.dropna(subset=["symbol"]).drop_duplicates("symbol", keep="last").reset_index(drop=True)


def convertible_analytics(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """``bond_zh_cov_value_analysis`` -> bars_extra/convertible_analytics: conversion value and bond floor (per 100
    par) and the premiums as fractions (转股溢价率 % / 100)."""
    cols = ["symbol", "date", "conversion_value", "bond_floor", "conversion_premium", "bond_premium"]
    if frame.empty:
        return _empty(cols)
    num = {c: pd.to_numeric(frame[c], errors="coerce").astype(float) for c in
           ("纯债价值", "转股价值", "纯债溢价率", "转股溢价率")}
    out = pd.DataFrame({"symbol": symbol, "date": to_dates(frame["日期"]).to_numpy(),
                        "conversion_value": num["转股价值"].to_numpy(), "bond_floor": num["纯债价值"].to_numpy(),
                        "conversion_premium": percent_to_fraction(num["转股溢价率"]).to_numpy(),
                        "bond_premium": percent_to_fraction(num["纯债溢价率"]).to_numpy()})
    return out.dropna(subset=["date"]).drop_duplicates(["symbol", "date"], keep="last")[cols]


def conversion_price_log(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """``bond_cb_adj_logs_jsl`` -> bars_extra/convertible_conversion_price (effective-dated: ``date`` = 新转股价
    生效日期; before/after conversion price and the reset floor 下修底价)."""
    cols = ["symbol", "date", "conversion_price_before", "conversion_price_after", "reset_floor"]
    if frame.empty:
        return _empty(cols)
    out = pd.DataFrame({"symbol": symbol, "date": to_dates(frame["新转股价生效日期"]).to_numpy(),
                        "conversion_price_before": pd.to_numeric(frame["下修前转股价"], errors="coerce").to_numpy(),
                        "conversion_price_after": pd.to_numeric(frame["下修后转股价"], errors="coerce").to_numpy(),
                        "reset_floor": pd.to_numeric(frame["下修底价"], errors="coerce").to_numpy()
                        if "下修底价" in frame else np.nan})
    return out.dropna(subset=["date"]).drop_duplicates(["symbol", "date"], keep="last")[cols]
