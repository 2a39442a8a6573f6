"""``sync``: fetch AkShare data incrementally, write a bundle, import it into the store.

Flow (DESIGN.md: source -> bundle -> store): for each *family* (a group of bundle rows served by a few AkShare
functions) plan the calls from the start date to ``until``, fetch them through :class:`.fetch.ResilientFetcher`
(raw cache, throttle, retry), validate each raw frame against :data:`.spec.FUNCTIONS` (schema drift -> error),
transform (:mod:`.transform`), then write one bundle folder and hand it to
``cnradar.sources.bundle.import_bundle``.

Incremental: a family starts from ``since`` when given, else from the last date the store already holds for
that family (bars of its kind, or the oldest "latest period" of its series; the last day is fetched again so a
late correction replaces it), else from the family's first available date. Full-history AkShare functions are
fetched whole and filtered. Resumable: every finished call is cached, so a re-run with the same ``until`` replays
them and continues from the first call that did not finish. A family that fails is reported and the others are
still written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cnradar import calendar
from cnradar.config import resolve_home
from cnradar.errors import CnradarError, ConfigError, SourceError, UnknownNameError, explain
from cnradar.sources.akshare import transform as tf
from cnradar.sources.akshare.catalog import SERIES
from cnradar.sources.akshare.fetch import Call, Fetcher, RawCache, ResilientFetcher, akshare_fetcher
from cnradar.sources.akshare.spec import validate_frame


@dataclass(frozen=True)
class SyncOptions:
    """What to fetch beyond the defaults. Codes are AkShare's (six digits, or Legulegu names)."""

    indices: dict[str, str] = field(default_factory=lambda: {
        "000300": "000300.SH", "000016": "000016.SH", "000905": "000905.SH", "000852": "000852.SH",
        "000906": "000906.SH", "000985": "000985.CSI", "000001": "000001.SH"})
    etfs: dict[str, str] = field(default_factory=lambda: {"510050": "510050.SH", "510300": "510300.SH"})
    option_underlyings: tuple[str, ...] = ("510050", "510300")
    valuation: dict[str, str] = field(default_factory=lambda: {"沪深300": "csi300", "中证800": "csi800"})
    breadth: dict[str, str] = field(default_factory=lambda: {"hs300": "csi300", "all": "all_a"})
    commodity_markets: tuple[str, ...] = ("SHFE", "DCE", "CZCE", "INE", "GFEX")
    convertibles: tuple[str, ...] | None = None  # six-digit codes; None = every listed bond
    macro_lookback_months: int = 3  # re-take this many months of full-history macro tables (revisions)


@dataclass
class Context:
    """What a family's runner gets: a validated fetch, its window and the options."""

    fetch: Callable[[Call], pd.DataFrame]
    start: pd.Timestamp
    until: pd.Timestamp
    options: SyncOptions

    def tag(self, end: pd.Timestamp | None = None) -> str:
        """Cache tag: the sync date for calls whose answer may still change, empty for closed windows."""
        if end is not None and end < self.until - pd.Timedelta(days=7):
            return ""
        return self.until.strftime("%Y-%m-%d")


Parts = dict[str, list[pd.DataFrame]]


@dataclass(frozen=True)
class Family:
    """A group of bundle rows fetched together."""

    name: str
    description: str
    functions: tuple[str, ...]
    first: str  # first date the sources have
    run: Callable[[Context], Parts]
    kind: str | None = None
    series: tuple[str, ...] = ()


def _ymd(day: pd.Timestamp) -> str:
    return day.strftime("%Y%m%d")


def month_windows(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Calendar-month windows covering ``[start, end]`` (the first and last clipped)."""
    if start > end:
        return []
    edges = pd.date_range(start.to_period("M").to_timestamp(), end, freq="MS")
    out = []
    for s in edges:
        e = s + pd.offsets.MonthEnd(0)
        out.append((max(s, start), min(e, end)))
    return out


def _add(parts: Parts, name: str, frame: pd.DataFrame) -> None:
    if frame is not None and len(frame):
        parts.setdefault(name, []).append(frame)


def _clip(name: str, frame: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Nothing after ``until``: bars up to it, observations released (or, without a date, dated) by it."""
    if name.startswith("bars"):
        return frame[frame["date"] <= end]
    if name.startswith("observations/"):
        released = pd.to_datetime(frame["release_date"]).fillna(pd.to_datetime(frame["period"]))
        return frame[released <= end]
    return frame


def _since(frame: pd.DataFrame, col: str, start: pd.Timestamp) -> pd.DataFrame:
    return frame[frame[col] >= start] if len(frame) else frame


# ---------------------------------------------------------------------------------------------- runners
def _run_futures(markets: Callable[[Context], Sequence[str]]) -> Callable[[Context], Parts]:
    def run(ctx: Context) -> Parts:
        parts: Parts = {}
        for market in markets(ctx):
            for s, e in month_windows(ctx.start, ctx.until):
                raw = ctx.fetch(Call.make("get_futures_daily", ctx.tag(e), start_date=_ymd(s), end_date=_ymd(e),
                                          market=market))
                bars, inst = tf.futures_daily(raw, market)
                kind = "index_future" if market == "CFFEX" else "commodity_future"
                _add(parts, f"bars/{kind}.csv", bars)
                _add(parts, "instruments.csv", inst)
            if market == "CFFEX":
                info = ctx.fetch(Call.make("futures_contract_info_cffex", ctx.tag(),
                                           date=_ymd(calendar.roll_to_trading_day(ctx.until, "backward"))))
                _add(parts, "_cffex_info", tf.cffex_contract_info(info))
        return parts

    return run


INDEX_NAMES = {"000300": "沪深300", "000016": "上证50", "000905": "中证500", "000852": "中证1000",
               "000906": "中证800", "000985": "中证全指", "000001": "上证指数"}


def _run_index(ctx: Context) -> Parts:
    parts: Parts = {}
    for code, symbol in ctx.options.indices.items():
        raw = ctx.fetch(Call.make("index_zh_a_hist", ctx.tag(), symbol=code, period="daily",
                                  start_date=_ymd(ctx.start), end_date=_ymd(ctx.until)))
        _add(parts, "bars/index.csv", tf.em_kline(raw, symbol))
        _add(parts, "instruments.csv", tf._frame(tf.INSTRUMENT_COLUMNS, symbol=[symbol], kind="index",
                                                 exchange=[{"SH": "SSE", "SZ": "SZSE"}.get(symbol[-2:], "CSI")],
                                                 name=[INDEX_NAMES.get(code, np.nan)]))
    return parts


def _run_etf(ctx: Context) -> Parts:
    parts: Parts = {}
    for code, symbol in ctx.options.etfs.items():
        raw = ctx.fetch(Call.make("fund_etf_hist_em", ctx.tag(), symbol=code, period="daily",
                                  start_date=_ymd(ctx.start), end_date=_ymd(ctx.until), adjust=""))
        _add(parts, "bars/etf.csv", tf.em_kline(raw, symbol))
        _add(parts, "instruments.csv", tf._frame(tf.INSTRUMENT_COLUMNS, symbol=[symbol], kind="etf",
                                                 exchange=["SSE" if symbol.endswith(".SH") else "SZSE"]))
    return parts


def _run_options(ctx: Context) -> Parts:
    parts: Parts = {}
    days = calendar.sessions(max(ctx.start, pd.Timestamp("2015-02-09")), ctx.until)
    frames = [ctx.fetch(Call.make("option_risk_indicator_sse", ctx.tag(d), date=_ymd(d))) for d in days]
    frames = [f for f in frames if len(f)]
    if not frames:
        return parts
    contracts = tf.sse_option_contracts(pd.concat(frames, ignore_index=True))
    contracts = contracts[contracts["underlying"].str[:6].isin(ctx.options.option_underlyings)]
    inst, adjustments = tf.sse_option_universe(contracts)
    _add(parts, "instruments.csv", inst)
    _add(parts, "option_adjustments.csv", adjustments)
    for symbol in inst["symbol"]:
        raw = ctx.fetch(Call.make("option_sse_daily_sina", ctx.tag(), symbol=symbol.split(".")[0]))
        bars = tf.simple_bars(raw, symbol, {"date": "日期", "open": "开盘", "high": "最高", "low": "最低",
                                            "close": "收盘", "volume": "成交量"})
        _add(parts, "bars/etf_option.csv", _since(bars, "date", ctx.start))
    return parts


_JIN10 = (("macro_china_pmi_yearly", "cn.pmi.nbs_mfg", "pmi"),
          ("macro_china_non_man_pmi", "cn.pmi.nbs_nonmfg", "pmi"),
          ("macro_china_cx_pmi_yearly", "cn.pmi.caixin_mfg", "previous_month"),
          ("macro_china_cpi_yearly", "cn.cpi.yoy", "previous_month"),
          ("macro_china_ppi_yearly", "cn.ppi.yoy", "previous_month"),
          ("macro_china_m2_yearly", "cn.m2.yoy", "previous_month"))


def _macro_start(ctx: Context) -> pd.Timestamp:
    return ctx.start - pd.DateOffset(months=ctx.options.macro_lookback_months)


def _run_macro(ctx: Context) -> Parts:
    parts: Parts = {}
    for function, series, rule in _JIN10:
        obs = tf.jin10_releases(ctx.fetch(Call.make(function, ctx.tag())), series, rule)
        _add(parts, "observations/macro_releases.csv", _since(obs, "period", _macro_start(ctx)))
    loans = tf.new_rmb_loans(ctx.fetch(Call.make("macro_china_new_financial_credit", ctx.tag())))
    _add(parts, "observations/credit.csv", _since(loans, "period", _macro_start(ctx)))
    return parts


def _run_rates(ctx: Context) -> Parts:
    parts: Parts = {}
    out = "observations/rates.csv"
    for s, e in month_windows(max(ctx.start, pd.Timestamp("2014-12-01")), ctx.until):
        raw = ctx.fetch(Call.make("repo_rate_hist", ctx.tag(e), start_date=_ymd(s), end_date=_ymd(e)))
        _add(parts, out, tf.daily_series(raw, "date", {"FDR001": "cn.rate.dr001", "FDR007": "cn.rate.dr007",
                                                       "FR007": "cn.rate.fr007"}))
    shibor = ctx.fetch(Call.make("macro_china_shibor_all", ctx.tag()))
    _add(parts, out, _since(tf.daily_series(shibor, "日期", {
        f"{t}-定价": f"cn.rate.shibor_{t.replace('O/N', 'on').lower()}"
        for t in ("O/N", "1W", "2W", "1M", "3M", "6M", "9M", "1Y")}), "period", ctx.start))
    bonds = ctx.fetch(Call.make("bond_zh_us_rate", ctx.tag(), start_date=_ymd(ctx.start)))
    _add(parts, out, _since(tf.daily_series(bonds, "日期", {
        "中国国债收益率2年": "cn.rate.cgb_2y", "中国国债收益率5年": "cn.rate.cgb_5y",
        "中国国债收益率10年": "cn.rate.cgb_10y", "中国国债收益率30年": "cn.rate.cgb_30y"}), "period", ctx.start))
    if len(bonds):
        ust = tf.daily_series(bonds, "日期", {"美国国债收益率10年": "us.rate.ust_10y"})
        ust["release_date"] = ust["period"] + pd.Timedelta(days=1)  # US close is public the next Beijing day
        _add(parts, out, _since(ust, "period", ctx.start))
    lpr = ctx.fetch(Call.make("macro_china_lpr", ctx.tag()))
    _add(parts, out, _since(tf.daily_series(lpr, "TRADE_DATE", {"LPR1Y": "cn.rate.lpr_1y",
                                                                "LPR5Y": "cn.rate.lpr_5y"}),
                            "period", _macro_start(ctx)))
    return parts


def _run_margin(ctx: Context) -> Parts:
    parts: Parts = {}
    start = max(ctx.start, pd.Timestamp("2010-03-31"))
    sse = [ctx.fetch(Call.make("stock_margin_sse", ctx.tag(e), start_date=_ymd(s), end_date=_ymd(e)))
           for s, e in month_windows(start, ctx.until)]
    szse = []
    for d in calendar.sessions(start, ctx.until):
        raw = ctx.fetch(Call.make("stock_margin_szse", ctx.tag(d), date=_ymd(d)))
        if len(raw):
            szse.append(raw.assign(date=d))
    if sse and szse:
        _add(parts, "observations/margin.csv",
             tf.margin_totals(pd.concat(sse, ignore_index=True), pd.concat(szse, ignore_index=True)))
    return parts


def _run_breadth_valuation(ctx: Context) -> Parts:
    parts: Parts = {}
    for code, ix in ctx.options.breadth.items():
        raw = ctx.fetch(Call.make("stock_a_high_low_statistics", ctx.tag(), symbol=code))
        cols = {f"{k}{n}": f"cn.breadth.{ix}.{k}{n}" for k in ("high", "low") for n in (20, 60, 120)}
        _add(parts, "observations/breadth.csv", _since(tf.daily_series(raw, "date", cols), "period", ctx.start))
    for name, ix in ctx.options.valuation.items():
        pe = ctx.fetch(Call.make("stock_index_pe_lg", ctx.tag(), symbol=name))
        cols = {"滚动市盈率": f"cn.valuation.{ix}.pe_ttm", "静态市盈率": f"cn.valuation.{ix}.pe_static"}
        if "滚动市盈率中位数" in pe:
            cols["滚动市盈率中位数"] = f"cn.valuation.{ix}.pe_median"
        _add(parts, "observations/valuation.csv", _since(tf.daily_series(pe, "日期", cols), "period", ctx.start))
        pb = ctx.fetch(Call.make("stock_index_pb_lg", ctx.tag(), symbol=name))
        _add(parts, "observations/valuation.csv",
             _since(tf.daily_series(pb, "日期", {"市净率": f"cn.valuation.{ix}.pb"}), "period", ctx.start))
    qvix = ctx.fetch(Call.make("index_option_50etf_qvix", ctx.tag()))
    _add(parts, "observations/vol.csv",
         _since(tf.daily_series(qvix, "date", {"close": "cn.vol.qvix_50etf"}), "period", ctx.start))
    return parts


def _run_convertibles(ctx: Context) -> Parts:
    parts: Parts = {}
    listing = tf.convertible_list(ctx.fetch(Call.make("bond_zh_cov", ctx.tag())))
    bonds = listing[listing["kind"] == "convertible"]
    if ctx.options.convertibles is not None:
        bonds = bonds[bonds["symbol"].str[:6].isin(ctx.options.convertibles)]
    wanted = set(bonds["symbol"]) | set(bonds["underlying"].dropna())
    _add(parts, "instruments.csv", listing[listing["symbol"].isin(wanted)])
    infos = []
    for symbol in bonds["symbol"]:
        code, market = symbol[:6], symbol[-2:].lower()
        infos.append(ctx.fetch(Call.make("bond_zh_cov_info", ctx.tag(), symbol=code, indicator="基本信息")))
        daily = ctx.fetch(Call.make("bond_zh_hs_cov_daily", ctx.tag(), symbol=f"{market}{code}"))
        bars = tf.simple_bars(daily, symbol, {"date": "date", "open": "open", "high": "high", "low": "low",
                                              "close": "close", "volume": "volume"})
        _add(parts, "bars/convertible.csv", _since(bars, "date", ctx.start))
        value = ctx.fetch(Call.make("bond_zh_cov_value_analysis", ctx.tag(), symbol=code))
        _add(parts, "bars_extra/convertible_analytics.csv",
             _since(tf.convertible_analytics(value, symbol), "date", ctx.start))
        log = ctx.fetch(Call.make("bond_cb_adj_logs_jsl", ctx.tag(), symbol=code))
        _add(parts, "bars_extra/convertible_conversion_price.csv", tf.conversion_price_log(log, symbol))
    infos = [f for f in infos if len(f)]
    if infos:
        _add(parts, "convertible_terms.csv", tf.convertible_terms(pd.concat(infos, ignore_index=True)))
    return parts


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("index_futures", "CFFEX IF/IH/IC/IM per-contract bars and contract dates",
           ("get_futures_daily", "futures_contract_info_cffex"), "2010-04-16",
           _run_futures(lambda ctx: ("CFFEX",)), kind="index_future"),
    Family("indices", "index daily bars with turnover", ("index_zh_a_hist",), "2005-01-04", _run_index,
           kind="index"),
    Family("etfs", "ETF daily bars (unadjusted)", ("fund_etf_hist_em",), "2005-02-23", _run_etf, kind="etf"),
    Family("etf_options", "SSE ETF option contracts, adjustments and daily bars",
           ("option_risk_indicator_sse", "option_sse_daily_sina"), "2015-02-09", _run_options, kind="etf_option"),
    Family("macro", "PMI, CPI, PPI, M2 releases with consensus; new RMB loans",
           tuple(f for f, _, _ in _JIN10) + ("macro_china_new_financial_credit",), "2005-01-01", _run_macro,
           series=tuple(s for _, s, _ in _JIN10) + ("cn.loans.new_rmb",)),
    Family("rates", "repo fixings, SHIBOR, government bond yields, LPR",
           ("repo_rate_hist", "macro_china_shibor_all", "bond_zh_us_rate", "macro_china_lpr"), "2006-10-08",
           _run_rates, series=("cn.rate.dr007", "cn.rate.shibor_1w", "cn.rate.cgb_10y")),
    Family("margin", "margin financing and lending balances, SSE + SZSE", ("stock_margin_sse", "stock_margin_szse"),
           "2010-03-31", _run_margin, series=("cn.margin.financing",)),
    Family("breadth_valuation", "new highs/lows, index PE/PB, 50ETF QVIX",
           ("stock_a_high_low_statistics", "stock_index_pe_lg", "stock_index_pb_lg", "index_option_50etf_qvix"),
           "2005-01-04", _run_breadth_valuation, series=("cn.valuation.csi300.pe_ttm",)),
    Family("convertibles", "convertible list, terms, daily prices, value analysis, conversion-price log",
           ("bond_zh_cov", "bond_zh_cov_info", "bond_zh_hs_cov_daily", "bond_zh_cov_value_analysis",
            "bond_cb_adj_logs_jsl"), "2005-01-04", _run_convertibles, kind="convertible"),
    Family("commodity_futures", "SHFE/DCE/CZCE/INE/GFEX per-contract bars", ("get_futures_daily",),
           "2010-01-04", _run_futures(lambda ctx: ctx.options.commodity_markets), kind="commodity_future"),
)}


# ---------------------------------------------------------------------------------------------- store
def last_stored_date(store: Any, family: Family) -> pd.Timestamp | None:
    """The last date ``store`` holds for ``family`` (bars of its kind, or the oldest latest-period of its series)."""
    if store is None:
        return None
    if family.kind is not None:
        bars = store.bars(kind=family.kind, asof=None)
        return None if bars is None or bars.empty else pd.Timestamp(bars["date"].max())
    lasts = []
    for sid in family.series:
        obs = store.observations(sid, asof=None)
        if obs is None or obs.empty:
            return None
        lasts.append(pd.Timestamp(obs["period"].max()))
    return min(lasts) if lasts else None


def _merge_instruments(new: pd.DataFrame, store: Any) -> pd.DataFrame:
    """Keep what the store knows: the earlier list_date, and stored fields where the new row is blank."""
    if store is None or new.empty:
        return new
    old = store.instruments(symbols=list(new["symbol"]))
    if old is None or old.empty:
        return new
    old = old.set_index("symbol").reindex(new["symbol"])
    out = new.set_index("symbol")
    for col in tf.INSTRUMENT_COLUMNS[1:]:
        if col in old:
            out[col] = out[col].where(out[col].notna(), old[col])
    if "list_date" in old:
        out["list_date"] = pd.concat([pd.to_datetime(out["list_date"]), pd.to_datetime(old["list_date"])],
                                     axis=1).min(axis=1)
    return out.reset_index()


# ---------------------------------------------------------------------------------------------- bundle
KEYS = {"instruments.csv": ["symbol"], "option_adjustments.csv": ["symbol", "effective_date"],
        "convertible_terms.csv": ["symbol"]}


def _finish(name: str, frames: list[pd.DataFrame]) -> pd.DataFrame:
    df = pd.concat([f for f in frames if len(f)], ignore_index=True)
    if name.startswith("bars/") or name.startswith("bars_extra/"):
        key = ["symbol", "date"]
    elif name.startswith("observations/"):
        key = ["series", "period", "release_date"]
    else:
        key = KEYS[name]
    return df.drop_duplicates(key, keep="last").sort_values(key).reset_index(drop=True)


def write_bundle(parts: Parts, out_dir: str | os.PathLike[str], *, store: Any = None,
                 description: str = "") -> dict[str, int]:
    """Write the collected parts as a bundle folder; return rows per file."""
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    tables = {name: _finish(name, frames) for name, frames in parts.items() if not name.startswith("_")
              and any(len(f) for f in frames)}
    if "instruments.csv" in tables:
        inst = tables["instruments.csv"]
        info = parts.get("_cffex_info")
        if info:
            live = pd.concat(info, ignore_index=True).drop_duplicates("symbol", keep="last").set_index("symbol")
            idx = inst["symbol"].isin(live.index)
            for col in ("list_date", "last_trade_date"):
                inst.loc[idx, col] = inst.loc[idx, "symbol"].map(live[col]).to_numpy()
        tables["instruments.csv"] = _merge_instruments(inst, store)
    obs = [t for n, t in tables.items() if n.startswith("observations/")]
    if obs:
        ids = sorted(set(pd.concat(obs)["series"]))
        tables["series.csv"] = pd.DataFrame(
            [{"series": s, "name": SERIES[s][0], "unit": SERIES[s][1], "frequency": SERIES[s][2],
              "source": "AkShare", "release_rule": SERIES[s][3]} for s in ids])
    rows = {}
    for name, df in tables.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        out = df.copy()
        for col in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[col].dtype) or col in (
                    "date", "period", "release_date", "list_date", "last_trade_date", "effective_date",
                    "issue_date", "maturity_date"):
                out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
        out.to_csv(path, index=False, na_rep="")
        rows[name] = len(df)
    meta = {"name": root.name, "description": description or "AkShare sync", "synthetic": False,
            "sources": [{"name": "AkShare (MIT-licensed wrapper)",
                         "licence": "data: terms of the exchanges, Eastmoney, Sina, Jin10, Legulegu, Jisilu, "
                                    "CFETS apply; for research use"}]}
    (root / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return rows


@dataclass
class SyncResult:
    """What a sync did."""

    bundle: Path
    windows: dict[str, tuple[str, str]]
    rows: dict[str, int]
    network_calls: int
    cache_hits: int
    retries: int
    failures: dict[str, str]
    imported: bool

    @property
    def ok(self) -> bool:
        return not self.failures


def sync(store: Any = None, *, until: str | dt.date | pd.Timestamp, families: Sequence[str] | None = None,
         since: str | dt.date | pd.Timestamp | None = None, fetcher: Fetcher | None = None,
         home: str | os.PathLike[str] | None = None, out_dir: str | os.PathLike[str] | None = None,
         options: SyncOptions | None = None, min_interval: float = 0.5, retries: int = 3, backoff: float = 2.0,
         sleep: Callable[[float], None] | None = None, import_into_store: bool = True) -> SyncResult:
    """Fetch AkShare data for ``families`` from ``since`` (or the store's last date) to ``until``; write a bundle
    and import it into ``store``.

    ``until`` is explicit (no hidden clock; the CLI passes today's date). ``fetcher`` defaults to the real
    AkShare (imported lazily); tests inject recorded frames. Raw responses are cached under
    ``<home>/cache/akshare``; the bundle goes to ``out_dir`` (default ``<home>/bundles/akshare-<until>``).
    A family that fails (network, schema drift) is listed in ``failures``; the rest is written and imported.
    """
    names = list(families) if families else list(FAMILIES)
    for n in names:
        if n not in FAMILIES:
            raise UnknownNameError("AkShare family", n, list(FAMILIES))
    end = pd.Timestamp(until).normalize()
    first_since = pd.Timestamp(since).normalize() if since is not None else None
    if first_since is not None and first_since > end:
        raise ConfigError(explain("sync window is empty", "since <= until", (str(first_since.date()),
                                                                               str(end.date())),
                                  "Pass an earlier --since or a later --until."))
    store_path = getattr(store, "path", None)
    paths = resolve_home(home if home is not None else (Path(store_path).parent if store_path else None))
    cache = RawCache(paths.cache / "akshare")
    kwargs: dict[str, Any] = {"min_interval": min_interval, "retries": retries, "backoff": backoff}
    if sleep is not None:
        kwargs["sleep"] = sleep
    resilient = ResilientFetcher(fetcher or akshare_fetcher(), cache, **kwargs)

    def fetch(call: Call) -> pd.DataFrame:
        return validate_frame(call.function, resilient.fetch(call))

    opts = options or SyncOptions()
    parts: Parts = {}
    windows: dict[str, tuple[str, str]] = {}
    failures: dict[str, str] = {}
    for name in names:
        family = FAMILIES[name]
        start = first_since or last_stored_date(store, family) or pd.Timestamp(family.first)
        start = max(start, pd.Timestamp(family.first))
        windows[name] = (start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d"))
        if start > end:
            continue
        try:
            got = family.run(Context(fetch, start, end, opts))
        except CnradarError as exc:
            failures[name] = str(exc)
            continue
        for k, v in got.items():
            parts.setdefault(k, []).extend(_clip(k, f, end) for f in v)
    bundle = Path(out_dir) if out_dir is not None else paths.bundles / f"akshare-{end.strftime('%Y%m%d')}"
    rows = write_bundle(parts, bundle, store=store,
                        description=f"AkShare sync of {', '.join(names)} to {end.date()}")
    imported = False
    if store is not None and import_into_store and rows:
        from cnradar.sources.bundle import import_bundle

        import_bundle(store, bundle)
        imported = True
    s = resilient.stats
    return SyncResult(bundle, windows, rows, s.network_calls, s.cache_hits, s.retries, failures, imported)


def raise_on_failures(result: SyncResult) -> None:
    """Raise :class:`SourceError` listing the failed families (for callers that want all-or-error)."""
    if result.failures:
        raise SourceError(explain("AkShare sync incomplete", "every family fetched",
                                  sorted(result.failures), " | ".join(result.failures.values())))


