"""Assembly: call the library's analytics for one ``asof`` and turn their results into section inputs.

Each loader isolates one section. A missing module (another area not installed or not written yet), a missing
store table, or a :class:`~cnradar.errors.CnradarError` (e.g. ``DataError``: no bars for that date) becomes a
:class:`~cnradar.report.model.Missing` — a visible "no data" panel with the reason — never a crash and never a
silent zero. With ``strict=True`` any exception that is not a ``CnradarError`` or ``ImportError`` is re-raised
(tests use this to see bugs); by default it is shown as an "error" panel naming the exception, so one broken
section does not cost the whole weekly report.

APIs consumed (docs/DEVELOPING.md): ``cnradar.radar.engine.score_history`` / ``weekly_snapshot``,
``cnradar.radar.aggregate``; ``cnradar.futures.monitor.basis_monitor`` / ``basis_history``;
``cnradar.cindex.engine.build_index``, ``cnradar.cindex.methodology.list_methodologies``. Their result objects
are read by attribute with a few accepted spellings (see each ``_adapt_*``), so the report keeps working while
those APIs settle.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from cnradar.errors import CnradarError
from cnradar.report.evaluation import hit_rates, timing_backtest
from cnradar.report.labels import CATEGORIES, DIMENSIONS, INDICATORS, Lang
from cnradar.report.model import (
    BasisProduct,
    CommodityIndexData,
    DataCoverage,
    EvaluationData,
    IndicatorChartData,
    Missing,
    RadarData,
    ReportInputs,
)

log = logging.getLogger(__name__)

BASIS_PRODUCTS: tuple[str, ...] = ("IF", "IH", "IC", "IM")
MONTHLY_RATIO_MEASURES: tuple[str, ...] = ("monthly_ratio_20", "monthly_ratio_40", "monthly_ratio_60",
                                           "monthly_ratio_120")
RADAR_INDEX = "000300.SH"


class _Guard:
    """Runs a section loader and converts failures into :class:`Missing` (see the module docstring)."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.missing: list[Missing] = []

    def run(self, section: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except (ImportError, AttributeError) as exc:
            if self.strict and isinstance(exc, AttributeError):
                raise
            m = Missing(section, f"not available: {exc}")
        except CnradarError as exc:
            m = Missing(section, str(exc))
        except Exception as exc:  # shown as an error panel, re-raised in strict mode
            if self.strict:
                raise
            log.exception("report section %s failed", section)
            m = Missing(section, f"{type(exc).__name__}: {exc}", kind="error")
        self.missing.append(m)
        return m

    def note(self, m: Missing) -> Missing:
        self.missing.append(m)
        return m


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    """First present attribute or mapping key of ``names`` (the accepted spellings of a result field)."""
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return default


def _module(name: str):
    return importlib.import_module(name)


# --------------------------------------------------------------------------------------------------------------
# Radar


def indicator_meta(lang: Lang) -> pd.DataFrame:
    """Indicator id → name (in ``lang``), dimension, category; from the radar registry when importable, else
    the report's own copy of the seed's 图表3 (``labels.INDICATORS``)."""
    rows = {i: {"name": zh if lang == "zh" else en, "dimension": d, "category": c} for i, zh, en, d, c in INDICATORS}
    try:
        reg = _module("cnradar.radar.registry")
        specs = _get(reg, "load_registry", "registry", "load_indicators")
        specs = specs() if callable(specs) else specs
        items = specs.items() if isinstance(specs, dict) else ((getattr(s, "id", None), s) for s in specs)
        for key, s in items:
            if key is None:
                continue
            name = _get(s, "name", default={})
            if isinstance(name, dict):
                name = name.get(lang) or name.get("zh") or key
            name = _get(s, f"name_{lang}", default=name)
            rows[key] = {"name": str(name), "dimension": _get(s, "dimension", default=rows.get(key, {}).get(
                "dimension")), "category": _get(s, "category", default=rows.get(key, {}).get("category"))}
    except Exception as exc:  # display metadata only; the report's own copy is complete
        log.debug("radar registry not used: %s", exc)
    return pd.DataFrame.from_dict(rows, orient="index")


def aggregate_scores(scores: pd.DataFrame, meta: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Dimension and category scores and the composite from indicator scores (dates × indicator ids).

    seed 图表1–3 (golden §1): dimension = mean of its indicators with data, category = mean of its indicators
    with data, composite = mean of the categories with data (NaN = no data, never 0). Used when the radar result
    does not carry its own aggregates.
    """
    cols = [c for c in scores.columns if c in meta.index]
    s = scores[cols].astype(float)
    dims = s.T.groupby(meta.loc[cols, "dimension"]).mean().T
    cats = s.T.groupby(meta.loc[cols, "category"]).mean().T
    composite = cats.mean(axis=1, skipna=True)
    return dims, cats, composite


def _frame(x: Any) -> pd.DataFrame | None:
    if x is None:
        return None
    if isinstance(x, pd.DataFrame):
        return x
    if isinstance(x, pd.Series):
        return x.to_frame()
    if isinstance(x, dict):
        try:
            return pd.DataFrame(x)
        except (ValueError, TypeError):
            return None
    return None


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    """Ensure a DatetimeIndex (accept a ``date`` column)."""
    if "date" in frame.columns:
        frame = frame.set_index("date")
    frame.index = pd.DatetimeIndex(frame.index)
    return frame.sort_index()


#: How each indicator's chart is drawn from the columns of ``RadarHistory.factors[id]`` (radar engine):
#: (factor column on the left axis, optional second line on that axis, raw column on the right axis,
#: threshold rule). Threshold rules: "pm" = ±params["threshold"] (z-scores and surprises, seed: ±1.5σ),
#: "lowhigh" = (params["low"], params["high"]) on the percentile (seed §6.1: 30 % / 70 %), "zero" = 0.
CHART_SPEC: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "monetary_direction": ("factor", None, None, "zero"),
    "monetary_strength": ("factor", None, "deviation", "pm"),
    "credit_direction": ("factor", None, None, None),
    "credit_strength": ("surprise", None, None, "pm"),
    "growth_direction": ("factor", None, None, None),
    "growth_strength": ("surprise", None, None, "pm"),
    "inflation_direction": ("factor", None, None, None),
    "inflation_strength": ("surprise", None, None, "pm"),
    "shiller_erp": ("erp", None, "cape", None),
    "pb": ("pb", None, None, None),
    "aiae": ("aiae", None, None, None),
    "margin_increment": ("increment_short", "increment_long", "balance", None),
    "turnover_trend": ("distance", None, None, "zero"),
    "china_cds": ("smoothed", None, None, None),
    "risk_aversion": ("smoothed", None, None, None),
    "price_trend": ("distance", None, None, "zero"),
    "new_high_low": ("factor", None, "share", "zero"),
    "option_implied_basis": ("percentile", None, "value", "lowhigh"),
    "option_vix": ("percentile", None, "value", "lowhigh"),
    "option_skew": ("percentile", None, "value", "lowhigh"),
    "cb_pricing_deviation": ("deviation", None, None, None),
}

_COLUMN_LABELS = {
    "zh": {"factor": "因子", "deviation": "利率偏离度", "surprise": "预期差", "erp": "席勒ERP", "cape": "席勒PE",
           "pb": "PB", "aiae": "AIAE", "increment_short": "120日均增量", "increment_long": "240日均增量",
           "balance": "两融余额", "distance": "均线距离", "smoothed": "平滑值", "share": "新高-新低占比",
           "percentile": "分位数", "value": "指标值", "raw": "原始值"},
    "en": {"factor": "factor", "deviation": "deviation", "surprise": "surprise", "erp": "Shiller ERP",
           "cape": "CAPE", "pb": "PB", "aiae": "AIAE", "increment_short": "120d mean increment",
           "increment_long": "240d mean increment", "balance": "margin balance", "distance": "MA distance",
           "smoothed": "smoothed", "share": "highs − lows share", "percentile": "percentile", "value": "value",
           "raw": "raw"},
}


def _params(history: Any, ind: str) -> dict[str, Any]:
    reg = _get(history, "registry")
    try:
        return dict(reg[ind].params) if reg is not None else {}
    except (KeyError, TypeError, CnradarError):
        return {}


def indicator_chart_data(history: Any, ind: str, name: str, lang: Lang, proxy: str | None = None
                         ) -> IndicatorChartData | None:
    """The chart inputs of one indicator from a radar history (``scores`` + ``factors[ind]`` frame).

    Columns are chosen by :data:`CHART_SPEC`; an indicator not in it (or a frame without those columns)
    falls back to ``factor``/``raw`` columns or the first non-score column. ``None`` when the indicator has
    neither scores nor factors (nothing to draw: the report shows a "no data" panel instead).
    """
    scores = _frame(_get(history, "scores", "indicator_scores", "indicators"))
    score = scores[ind].astype(float) if scores is not None and ind in scores.columns else pd.Series(dtype=float)
    if len(score):
        score.index = pd.DatetimeIndex(score.index)
    factors = _get(history, "factors", "details", "charts", "chart_data")
    item = factors.get(ind) if isinstance(factors, dict) else None
    frame = _frame(item)
    labels = _COLUMN_LABELS[lang]
    factor = extra = raw = None
    factor_label = extra_label = raw_label = ""
    thresholds: tuple[float, ...] = ()
    if frame is not None and not frame.empty:
        frame = _dated(frame.copy())
        fcol, ecol, rcol, rule = CHART_SPEC.get(ind, ("factor", None, "raw", None))
        cols = [c for c in frame.columns if c != "score"]
        if fcol not in frame.columns:
            fcol = next((c for c in ("factor", "value", "raw") if c in frame.columns), cols[0] if cols else None)
            rule = None
        if fcol is not None:
            factor, factor_label = frame[fcol].astype(float), labels.get(fcol, fcol)
        if ecol and ecol in frame.columns:
            extra, extra_label = frame[ecol].astype(float), labels.get(ecol, ecol)
        if rcol and rcol in frame.columns and rcol != fcol:
            raw, raw_label = frame[rcol].astype(float), labels.get(rcol, rcol)
        p = _params(history, ind)
        if rule == "pm" and "threshold" in p:
            thresholds = (-float(p["threshold"]), float(p["threshold"]))
        elif rule == "lowhigh" and "low" in p and "high" in p:
            thresholds = (float(p["low"]), float(p["high"]))
        elif rule == "zero":
            thresholds = (0.0,)
        th_map = _get(history, "thresholds")
        if isinstance(th_map, dict) and th_map.get(ind) is not None:
            thresholds = tuple(float(v) for v in np.atleast_1d(th_map[ind]))
    if score.dropna().empty and (factor is None or factor.dropna().empty):
        return None
    return IndicatorChartData(id=ind, name=name, score=score, raw=raw, factor=factor, raw_label=raw_label,
                              factor_label=factor_label, thresholds=thresholds, proxy=proxy, extra=extra,
                              extra_label=extra_label)


def _weekly_dates(index: pd.DatetimeIndex, asof: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """This week's date = last history date ≤ asof; last week's = the last date of an earlier calendar week
    (the radar's ``week_dates`` rule), used when no weekly snapshot is given."""
    idx = index[index <= asof]
    if idx.empty:
        raise CnradarError(f"no radar history on or before {asof.date()}")
    this = idx[-1]
    prior = idx[idx.to_period("W") < this.to_period("W")]
    return this, (prior[-1] if not prior.empty else idx[0])


def _snapshot_table(snapshot: Any, lang: Lang) -> pd.DataFrame:
    tab = snapshot.table.copy()
    name_col = f"name_{lang}" if f"name_{lang}" in tab.columns else "name"
    out = pd.DataFrame({"name": tab[name_col], "dimension": tab["dimension"], "category": tab["category"],
                        "last_week": tab["last_week"].astype(float), "this_week": tab["this_week"].astype(float),
                        "change": tab["change"].astype(float)}, index=tab.index)
    pcol = f"proxy_name_{lang}" if f"proxy_name_{lang}" in tab.columns else "proxy"
    if pcol in tab.columns:
        out["proxy"] = [v if isinstance(v, str) and v else None for v in tab[pcol]]
    return out


def radar_from_history(history: Any, asof: pd.Timestamp, lang: Lang, *, index_close: pd.Series | None = None,
                       narrative: Iterable[str] = (), snapshot: Any = None) -> RadarData:
    """Build :class:`RadarData` from a radar history (``cnradar.radar.engine.RadarHistory`` or any object with
    ``scores`` and optionally ``factors``/``dimensions``/``categories``/``composite``/``proxies``) and, when
    given, the radar's ``WeeklySnapshot`` (its table, dates, aggregates and narrative take precedence)."""
    meta = indicator_meta(lang)
    scores = _frame(_get(history, "scores", "indicator_scores", "indicators"))
    if scores is None or scores.empty:
        raise CnradarError("radar history has no indicator scores")
    scores = _dated(scores.copy())
    for ind in meta.index:
        if ind not in scores.columns:
            scores[ind] = np.nan  # "no data", kept visible in the table
    dims = _frame(_get(history, "dimensions"))
    cats = _frame(_get(history, "categories"))
    comp = _get(history, "composite")
    if dims is None or cats is None or comp is None:
        dims, cats, comp = aggregate_scores(scores, meta)
    else:
        dims, cats = _dated(dims.copy()), _dated(cats.copy())
        comp = comp.iloc[:, 0] if isinstance(comp, pd.DataFrame) else comp.copy()
        comp.index = pd.DatetimeIndex(comp.index)
    ids = list(meta.index)
    if snapshot is not None:
        this = pd.Timestamp(snapshot.this_date)
        last = pd.Timestamp(snapshot.last_date) if snapshot.last_date is not None else this
        table = _snapshot_table(snapshot, lang)
        dim_df = snapshot.dimensions[["this_week", "last_week"]].astype(float)
        cat_df = snapshot.categories[["this_week", "last_week"]].astype(float)
        c_this, c_last = float(snapshot.composite), float(snapshot.composite_last)
        if not narrative:
            narrative = _narrative(snapshot, lang)
    else:
        this, last = _weekly_dates(scores.index, asof)
        table = meta.loc[ids, ["name", "dimension", "category"]].copy()
        table["last_week"] = scores.loc[last, ids].astype(float).to_numpy()
        table["this_week"] = scores.loc[this, ids].astype(float).to_numpy()
        table["change"] = table["this_week"] - table["last_week"]
        proxies = _get(history, "proxies", "proxy")
        if isinstance(proxies, dict):
            table["proxy"] = [proxies.get(i) for i in table.index]
        dim_df = pd.DataFrame({"this_week": dims.reindex(columns=list(DIMENSIONS)).loc[this],
                               "last_week": dims.reindex(columns=list(DIMENSIONS)).loc[last]})
        cat_df = pd.DataFrame({"this_week": cats.reindex(columns=list(CATEGORIES)).loc[this],
                               "last_week": cats.reindex(columns=list(CATEGORIES)).loc[last]})
        c_this, c_last = float(comp.loc[this]), float(comp.loc[last])
    chart_list = []
    for ind in table.index:
        proxy = table.loc[ind].get("proxy") if "proxy" in table.columns else None
        c = indicator_chart_data(history, ind, str(table.loc[ind, "name"]), lang,
                                 proxy=proxy if isinstance(proxy, str) else None)
        if c is not None:
            chart_list.append(c)
    return RadarData(
        asof=asof, this_date=this, last_date=last, composite_this=c_this, composite_last=c_last,
        table=table, dimensions=dim_df, categories=cat_df,
        composite_history=comp.astype(float), index_close=index_close, index_name=RADAR_INDEX,
        charts=tuple(chart_list), narrative=tuple(narrative),
    )


def _narrative(snapshot: Any, lang: Lang) -> tuple[str, ...]:
    n = _get(snapshot, f"narrative_{lang}", "narrative")
    if n is None:
        return ()
    if isinstance(n, dict):
        n = n.get(lang, next(iter(n.values()), ""))
        if isinstance(n, dict):
            n = list(n.values())
    if callable(n):
        n = n(lang)
    if isinstance(n, str):
        return tuple(p.strip() for p in n.split("\n") if p.strip())
    return tuple(str(p) for p in n)


def _index_close(store: Any, asof: pd.Timestamp, symbol: str = RADAR_INDEX) -> pd.Series | None:
    try:
        bars = store.bars(symbol, asof=asof, columns=["symbol", "date", "close"])
    except TypeError:
        bars = store.bars(symbol, asof=asof)
    if bars.empty:
        return None
    return bars.set_index("date")["close"].astype(float)


def load_radar(store: Any, asof: pd.Timestamp, lang: Lang, years: float) -> tuple[RadarData, Any]:
    """Radar history (last ``years`` + 1 years) and the weekly snapshot from ``cnradar.radar.engine``."""
    engine = _module("cnradar.radar.engine")
    start = asof - pd.DateOffset(years=years + 1)
    history = engine.score_history(store, asof=asof, start=start)
    snapshot = None
    if hasattr(engine, "snapshot_from_history"):
        snapshot = engine.snapshot_from_history(history, asof=asof)
    elif hasattr(engine, "weekly_snapshot"):
        snapshot = engine.weekly_snapshot(store, asof=asof)
    close = _index_close(store, asof)
    return radar_from_history(history, asof, lang, index_close=close, snapshot=snapshot), history


# --------------------------------------------------------------------------------------------------------------
# Evaluation


def _hits_from_signal_study(signals: pd.DataFrame, horizon: int = 20, benchmark: str = RADAR_INDEX
                            ) -> pd.DataFrame:
    """Per indicator from the radar's ``signal_study`` rows: hit rate over the ±1 states weighted by days,
    signal days, and the mean forward return in the bullish / bearish state."""
    s = signals
    if "benchmark" in s.columns and (s["benchmark"] == benchmark).any():
        s = s[s["benchmark"] == benchmark]
    s = s[(s["horizon"] == horizon) & (s["state"] != 0)]
    if s.empty:
        return pd.DataFrame(columns=["hit_rate", "n_signals", "fwd_when_bullish", "fwd_when_bearish"])
    s = s.assign(hits=s["hit_rate"] * s["days"])
    g = s.groupby("indicator", sort=False)
    out = pd.DataFrame({"hit_rate": g["hits"].sum() / g["days"].sum(), "n_signals": g["days"].sum()})
    for state, col in ((1, "fwd_when_bullish"), (-1, "fwd_when_bearish")):
        out[col] = s[s["state"] == state].set_index("indicator")["mean_return"].reindex(out.index)
    return out


def evaluation_from(radar: RadarData, history: Any, lang: Lang, *, cost: float = 0.0005) -> EvaluationData:
    """The evaluation panel: ``cnradar.radar.evaluate.evaluate_history`` on the report's history when
    available (full sample, in-sample and out-of-sample rows), else :mod:`cnradar.report.evaluation`."""
    if radar.composite_history is None or radar.index_close is None:
        raise CnradarError("evaluation needs the composite history and the CSI 300 close")
    try:
        ev_mod = _module("cnradar.radar.evaluate")
        scores = _dated(_frame(_get(history, "scores")).copy())
        bars = {RADAR_INDEX: pd.DataFrame({"close": radar.index_close})}
        ev = ev_mod.evaluate_history(scores, radar.composite_history, bars, execution="next_close")
    except ImportError:
        ev = None
    if ev is not None:
        daily = ev.daily
        nav = pd.DataFrame({"strategy": (1 + daily["strategy"].fillna(0)).cumprod(),
                            "buy_hold": (1 + daily["benchmark"].fillna(0)).cumprod()})
        period_names = {"full": "全样本" if lang == "zh" else "full",
                        "in_sample": "样本内" if lang == "zh" else "in-sample",
                        "out_of_sample": "样本外" if lang == "zh" else "out-of-sample"}
        series_names = {"strategy": "择时策略" if lang == "zh" else "timing strategy",
                        "buy_and_hold": "买入持有" if lang == "zh" else "buy and hold"}
        perf = ev.performance.copy()
        perf.index = [f"{period_names.get(p, p)} · {series_names.get(x, x)}"
                      for p, x in zip(perf["period"], perf["series"], strict=True)]
        hits = _hits_from_signal_study(ev.signals)
        split = pd.Timestamp(ev.split).strftime("%Y-%m-%d")
        desc = (f"仓位 = (综合打分 + 1)/2（{ev.mode}），{ev.execution} 成交，成本 {ev.cost_bps:g}bp，"
                f"每年 {ev.periods_per_year} 个交易日；样本外自 {split} 起。胜率：信号方向与未来 20 个交易日"
                "沪深300收益方向一致的比例。" if lang == "zh" else
                f"Weight = (composite + 1)/2 ({ev.mode}), executed {ev.execution}, cost {ev.cost_bps:g} bp, "
                f"{ev.periods_per_year} trading days a year; out of sample from {split}. Hit rate: share of "
                "signal days whose sign matches the next 20 trading days' CSI 300 return.")
        return EvaluationData(nav=nav, stats=perf, hit_rates=hits, description=desc)
    nav, stats = timing_backtest(radar.composite_history, radar.index_close, cost=cost)
    scores = _frame(_get(history, "scores", "indicator_scores", "indicators"))
    hits = None
    if scores is not None:
        scores = _dated(scores.copy())
        scores["composite"] = radar.composite_history.reindex(scores.index)
        hits = hit_rates(scores, radar.index_close, horizon=20)
    desc = ("多空规则：前一交易日综合打分 > 0 时持有沪深300，否则空仓；收盘价成交，单边成本 5bp；"
            "年化按每年 242 个交易日；胜率为分数符号与未来 20 个交易日收益符号一致的比例。"
            if lang == "zh" else
            "Rule: hold the CSI 300 when the previous day's composite > 0, else cash; trades at the close, 5 bp "
            "per unit turnover; 242 trading days a year; hit rate = share of signal days whose sign matches the "
            "next 20 trading days' return.")
    return EvaluationData(nav=nav, stats=stats, hit_rates=hits, description=desc)


# --------------------------------------------------------------------------------------------------------------
# Basis


#: Term-structure columns shown in the report (``BasisMonitor.term_structure``), in order.
TERM_COLUMNS: tuple[str, ...] = ("contract", "slot_name", "expiry", "days_to_expiry", "price", "basis_points",
                                 "basis_rate", "annualised", "div_adj_rate", "daily_average",
                                 "div_adj_daily_average", "is_main", "open_interest")
PCT_COLUMNS: tuple[str, ...] = ("basis_rate", "annualised", "div_adj_rate", "daily_average",
                                "div_adj_daily_average", "rate", "monthly")


def basis_product(store: Any, product: str, asof: pd.Timestamp, lang: Lang = "zh") -> BasisProduct:
    """One CFFEX product from ``cnradar.futures.monitor``: term structure, today's N-day monthly ratios, the
    recommended short-hedge contract and the 20/40/60/120-day monthly ratio history (last 3 years)."""
    monitor = _module("cnradar.futures.monitor")
    res = monitor.basis_monitor(store, product, asof=asof)
    ts = _frame(_get(res, "term_structure", "table", "contracts", default=res))
    if ts is None or ts.empty:
        raise CnradarError(f"no listed {product} contracts on {asof.date()}")
    ts = ts[[c for c in TERM_COLUMNS if c in ts.columns] or list(ts.columns)]
    rec = _get(res, "recommended", "recommended_hedge", "hedge")
    if rec is None and isinstance(res, pd.DataFrame):  # a bare table: ask the module for the hedge
        for fn_name in ("recommended_hedge", "recommend_hedge"):
            if hasattr(monitor, fn_name):
                try:
                    rec = getattr(monitor, fn_name)(store, product, asof=asof)
                except CnradarError:
                    rec = None
                break
    notes = []
    day = _get(res, "date")
    if day is not None and pd.Timestamp(day) < asof:
        notes.append(("期货数据截至 " if lang == "zh" else "futures data as of ") + f"{pd.Timestamp(day).date()}")
    recommended = None
    if isinstance(rec, str):
        recommended = rec
    elif rec is not None:
        recommended = _get(rec, "symbol", "contract", default=str(rec))
        cost, reason = _get(rec, "monthly_cost"), _get(rec, "reason")
        if cost is not None and np.isfinite(cost):
            notes.append(("对冲成本约 " if lang == "zh" else "hedge cost about ") + f"{cost * 100:.2f}%"
                         + (" / 月" if lang == "zh" else " per month"))
        if reason:
            notes.append(str(reason))
    div = _get(res, "dividend_source")
    if div:
        notes.append(("分红来源: " if lang == "zh" else "dividends: ") + str(div))
    ratios_today = _frame(_get(res, "monthly_ratios"))
    hist = None
    try:
        h = monitor.basis_history(store, product, asof=asof, measure=list(MONTHLY_RATIO_MEASURES),
                                  start=asof - pd.DateOffset(years=3))
        h = _dated(_frame(h).copy())
        hist = h.rename(columns=lambda c: str(c).replace("monthly_ratio_", "N=")).astype(float)
    except (CnradarError, TypeError, ValueError, KeyError) as exc:
        log.info("basis history of %s unavailable: %s", product, exc)
    return BasisProduct(product=product, term_structure=ts.reset_index(drop=True), monthly_ratio_history=hist,
                        recommended=recommended, note=" · ".join(notes) or None, ratios_today=ratios_today)


# --------------------------------------------------------------------------------------------------------------
# Commodity


def commodity_index(store: Any, name: str, asof: pd.Timestamp) -> CommodityIndexData:
    """One methodology from ``cnradar.cindex.engine.build_index``: levels (last 4 years), latest weights and
    sector weights, upcoming roll windows."""
    engine = _module("cnradar.cindex.engine")
    start = (asof - pd.DateOffset(years=4)).date()
    res = engine.build_index(name, store, start=start, asof=asof)
    levels = _frame(_get(res, "levels"))
    if levels is None or levels.empty:
        raise CnradarError(f"commodity index {name} has no levels by {asof.date()}")
    levels = _dated(levels.copy())
    levels = levels.loc[levels.index <= asof]
    weights = _frame(_get(res, "weights"))
    sectors = None
    if weights is not None and not weights.empty:
        wdate = _pick_col(weights, ("rebalance_date", "date", "effective_date"))
        if wdate is not None:
            dates = pd.to_datetime(weights[wdate])
            past = dates[dates <= asof]
            latest = past.max() if len(past) else dates.min()
            weights = weights.loc[dates == latest].drop(columns=[wdate])
        key = _pick_col(weights, ("product", "constituent", "symbol", "commodity"))
        if key is not None:
            weights = weights.set_index(key)
        if "weight" in weights.columns:
            weights = weights.sort_values("weight", ascending=False)
            if "sector" in weights.columns:
                sectors = weights.groupby("sector")["weight"].sum().sort_values(ascending=False)
    rolls = _frame(_get(res, "roll_schedule", "rolls"))
    if rolls is not None and not rolls.empty:
        dcol = _pick_col(rolls, ("window_end", "end", "window_start", "start", "date"))
        if dcol is not None:
            rolls = rolls.loc[pd.to_datetime(rolls[dcol]) >= asof]
        rolls = rolls.head(12)
    notes = tuple(str(n) for n in (_get(res, "notes", default=()) or ()))
    missing = _get(res, "missing", default=()) or ()
    if missing:
        notes += ("missing constituents: " + ", ".join(map(str, missing)),)
    title = _get(res, "title", "display_name")
    return CommodityIndexData(name=str(_get(res, "name", default=name)), levels=levels, weights=weights,
                              roll_schedule=rolls, title=title if isinstance(title, str) else None,
                              sector_weights=sectors, notes=notes)


def _pick_col(frame: pd.DataFrame, names: Iterable[str]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def list_commodity_indices() -> list[str]:
    methodology = _module("cnradar.cindex.methodology")
    names = methodology.list_methodologies()
    if isinstance(names, dict):
        names = list(names)
    return [n if isinstance(n, str) else str(_get(n, "name", "id", default=n)) for n in names]


# --------------------------------------------------------------------------------------------------------------
# Data coverage


def data_coverage(store: Any, asof: pd.Timestamp, radar: RadarData | Missing, history: Any) -> DataCoverage:
    """Synthetic flag, indicator coverage (first/last date with data, proxy), and per-source as-of dates."""
    meta = store.meta()
    bundles = tuple(str(b.get("bundle", b)) if isinstance(b, dict) else str(b) for b in meta.get("bundles", []))
    indicators = None
    scores = _frame(_get(history, "scores", "indicator_scores", "indicators")) if history is not None else None
    if isinstance(radar, RadarData):
        tab = radar.table
        rows = {}
        sc = _dated(scores.copy()) if scores is not None else None
        status = _get(history, "status")
        for ind, r in tab.iterrows():
            s = sc[ind].dropna() if sc is not None and ind in sc.columns else pd.Series(dtype=float)
            rows[ind] = {"name": r["name"], "has_data": bool(np.isfinite(float(r["this_week"]))),
                         "first": s.index[0] if len(s) else None, "last": s.index[-1] if len(s) else None,
                         "proxy": r.get("proxy") or ""}
            if isinstance(status, pd.DataFrame) and ind in status.index:
                miss = status.loc[ind].get("missing")
                rows[ind]["inputs"] = str(status.loc[ind].get("source") or "")
                rows[ind]["missing_input"] = miss if isinstance(miss, str) else ""
        indicators = pd.DataFrame.from_dict(rows, orient="index")
        indicators.index.name = "indicator"
    sources = _source_asof(store, asof)
    return DataCoverage(synthetic=bool(meta.get("synthetic", False)), indicators=indicators, sources=sources,
                        bundles=bundles)


def _source_asof(store: Any, asof: pd.Timestamp) -> pd.DataFrame | None:
    """Last bar date per instrument kind and last period / release per series, as of ``asof``."""
    d = asof.date()
    frames = []
    try:
        bars = store.sql(
            "SELECT i.kind AS what, count(DISTINCT b.symbol) AS n, min(b.date) AS first, max(b.date) AS last "
            "FROM bars b JOIN instruments i USING (symbol) WHERE b.date <= ? GROUP BY i.kind ORDER BY i.kind", [d])
        bars.insert(0, "source", "bars")
        frames.append(bars)
        obs = store.sql(
            "SELECT o.series AS what, count(*) AS n, min(o.period) AS first, max(o.period) AS last, "
            "max(o.release_date) AS last_release, any_value(s.source) AS provider FROM observations o "
            "LEFT JOIN series s USING (series) WHERE o.release_date <= ? GROUP BY o.series ORDER BY o.series", [d])
        obs.insert(0, "source", "series")
        frames.append(obs)
    except Exception as exc:  # coverage detail is optional; the panel says why it is absent
        log.warning("source coverage query failed: %s", exc)
        return None
    out = pd.concat(frames, ignore_index=True)
    for c in ("first", "last", "last_release"):
        if c in out.columns:
            out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d")
    stale = pd.to_datetime(out["last"]) < asof - pd.Timedelta(days=45)
    out["status"] = np.where(stale, "stale (>45d)", "ok")
    return out.fillna("")


# --------------------------------------------------------------------------------------------------------------


def update_derived(store: Any, asof: pd.Timestamp, guard: _Guard | None = None) -> list[Missing]:
    """Bring the cached derived tables the radar reads up to ``asof`` (incremental): the 50ETF option indices
    (``cnradar.options.history.update_option_indices``) and the convertible pricing deviation
    (``cnradar.convertibles.deviation.update_deviation``). Failures become :class:`Missing` entries."""
    guard = guard or _Guard(False)
    before = len(guard.missing)
    guard.run("derived:option_indices",
              lambda: _module("cnradar.options.history").update_option_indices(store, "510050.SH", asof=asof))
    guard.run("derived:cb_deviation", lambda: _module("cnradar.convertibles.deviation").update_deviation(
        store, asof=asof))
    return guard.missing[before:]


def collect(store: Any, asof: pd.Timestamp, lang: Lang = "zh", *, years: float = 5.0, strict: bool = False,
            commodity_names: Iterable[str] | None = None, refresh_derived: bool = False
            ) -> tuple[ReportInputs, list[Missing]]:
    """Gather every section's inputs for ``asof``; returns the inputs and the list of missing parts.
    ``refresh_derived``: first run :func:`update_derived` (writes the store's derived caches)."""
    guard = _Guard(strict)
    if refresh_derived:
        update_derived(store, asof, guard)
    loaded = guard.run("radar", lambda: load_radar(store, asof, lang, years))
    if isinstance(loaded, Missing):
        radar, history = loaded, None
    else:
        radar, history = loaded
        status = _get(history, "status")
        for ind, r in radar.table.iterrows():
            if not np.isfinite(float(r["this_week"])):
                why = "no data for this week (input missing or not yet public)"
                if isinstance(status, pd.DataFrame) and ind in status.index:
                    st = status.loc[ind]
                    miss = st.get("missing")
                    why = (f"input {miss} missing" if isinstance(miss, str) and miss else
                           "no score on this date: an input ended, is stale, or is too short for the indicator's windows") + f" (inputs: {st.get('source')})"
                guard.note(Missing(f"radar:{ind}", why))
    evaluation = (guard.run("evaluation", lambda: evaluation_from(radar, history, lang))
                  if isinstance(radar, RadarData) else None)
    basis = [guard.run(f"basis:{p}", lambda p=p: basis_product(store, p, asof, lang)) for p in BASIS_PRODUCTS]
    names = list(commodity_names) if commodity_names is not None else guard.run("commodity", list_commodity_indices)
    commodity: list[CommodityIndexData | Missing] = []
    if isinstance(names, Missing):
        commodity.append(names)
    else:
        commodity = [guard.run(f"commodity:{n}", lambda n=n: commodity_index(store, n, asof)) for n in names]
    coverage = guard.run("data", lambda: data_coverage(store, asof, radar, history))
    if isinstance(coverage, Missing):
        coverage = DataCoverage(synthetic=bool(store.meta().get("synthetic", False)))
    inputs = ReportInputs(asof=asof, radar=radar, basis=basis, commodity=commodity, evaluation=evaluation,
                          data=coverage)
    return inputs, guard.missing
