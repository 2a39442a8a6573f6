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


def _chart_parts(history: Any, ind: str) -> tuple[pd.Series | None, pd.Series | None, tuple[float, ...], str | None]:
    """(raw, factor, thresholds, proxy) of one indicator from the radar result, accepting a dict per indicator
    (``{"raw": .., "factor": ..}`` or a frame with those columns) or frames with (indicator, field) columns."""
    raw = factor = None
    thresholds: tuple[float, ...] = ()
    proxy = None
    for attr in ("charts", "chart_data", "details", "factors", "inputs", "raw"):
        obj = _get(history, attr)
        if obj is None:
            continue
        item = None
        if isinstance(obj, dict):
            item = obj.get(ind)
        elif isinstance(obj, pd.DataFrame) and isinstance(obj.columns, pd.MultiIndex) and ind in obj.columns.levels[0]:
            item = obj[ind]
        elif isinstance(obj, pd.DataFrame) and ind in obj.columns:
            item = obj[ind]
        if item is None:
            continue
        if isinstance(item, pd.Series):
            if attr in ("factors",):
                factor = factor if factor is not None else item
            else:
                raw = raw if raw is not None else item
            continue
        f = _frame(item)
        if f is not None:
            f = _dated(f.copy())
            if raw is None:
                raw = next((f[c] for c in ("raw", "input", "value") if c in f.columns), None)
            if factor is None:
                factor = next((f[c] for c in ("factor", "signal", "derived") if c in f.columns), None)
        th = _get(item, "thresholds")
        if th is not None:
            thresholds = tuple(float(v) for v in th)
    th_map = _get(history, "thresholds")
    if isinstance(th_map, dict) and ind in th_map and th_map[ind] is not None:
        thresholds = tuple(float(v) for v in np.atleast_1d(th_map[ind]))
    proxies = _get(history, "proxies", "proxy")
    if isinstance(proxies, dict):
        proxy = proxies.get(ind)
    return raw, factor, thresholds, proxy


def _weekly_dates(index: pd.DatetimeIndex, asof: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """This week's date = last history date ≤ asof; last week's = last date ≤ (that date − 7 calendar days)."""
    idx = index[index <= asof]
    if idx.empty:
        raise CnradarError(f"no radar history on or before {asof.date()}")
    this = idx[-1]
    prior = idx[idx <= this - pd.Timedelta(days=7)]
    return this, (prior[-1] if not prior.empty else idx[0])


def radar_from_history(history: Any, asof: pd.Timestamp, lang: Lang, *, index_close: pd.Series | None = None,
                       narrative: Iterable[str] = (), snapshot_table: pd.DataFrame | None = None) -> RadarData:
    """Build :class:`RadarData` from a radar score-history result (duck-typed, see :func:`_get`)."""
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
        comp = comp.iloc[:, 0] if isinstance(comp, pd.DataFrame) else comp
        comp.index = pd.DatetimeIndex(comp.index)
    this, last = _weekly_dates(scores.index, asof)
    ids = list(meta.index)
    if snapshot_table is not None:
        table = snapshot_table
    else:
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
    chart_list = []
    for ind in ids:
        raw, factor, thresholds, proxy = _chart_parts(history, ind)
        sc = scores[ind].astype(float)
        if sc.dropna().empty and raw is None and factor is None:
            continue
        chart_list.append(IndicatorChartData(id=ind, name=str(meta.loc[ind, "name"]), score=sc, raw=raw,
                                             factor=factor, raw_label="input" if lang == "en" else "原始值",
                                             factor_label="factor" if lang == "en" else "因子",
                                             thresholds=thresholds, proxy=proxy))
    return RadarData(
        asof=asof, this_date=this, last_date=last,
        composite_this=float(comp.loc[this]), composite_last=float(comp.loc[last]),
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
    engine = _module("cnradar.radar.engine")
    start = asof - pd.DateOffset(years=years + 1)
    try:
        history = engine.score_history(store, asof=asof, start=start)
    except TypeError:
        history = engine.score_history(store, asof=asof)
    narrative: tuple[str, ...] = ()
    snapshot = None
    if hasattr(engine, "weekly_snapshot"):
        try:
            snapshot = engine.weekly_snapshot(store, asof=asof)
            narrative = _narrative(snapshot, lang)
        except CnradarError as exc:
            log.warning("weekly_snapshot failed, the report derives the week from the history: %s", exc)
    close = _index_close(store, asof)
    return radar_from_history(history, asof, lang, index_close=close, narrative=narrative), history


# --------------------------------------------------------------------------------------------------------------
# Evaluation


def evaluation_from(radar: RadarData, history: Any, lang: Lang, *, cost: float = 0.0005) -> EvaluationData:
    if radar.composite_history is None or radar.index_close is None:
        raise CnradarError("evaluation needs the composite history and the CSI 300 close")
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


def basis_product(store: Any, product: str, asof: pd.Timestamp) -> BasisProduct:
    monitor = _module("cnradar.futures.monitor")
    res = monitor.basis_monitor(store, product, asof=asof)
    ts = _frame(_get(res, "term_structure", "table", "contracts", default=res))
    if ts is None or ts.empty:
        raise CnradarError(f"no listed {product} contracts on {asof.date()}")
    recommended = _get(res, "recommended", "recommended_hedge", "hedge")
    for fn_name in ("recommended_hedge", "recommend_hedge", "recommended_contract"):
        if recommended is None and hasattr(monitor, fn_name):
            recommended = getattr(monitor, fn_name)(store, product, asof=asof)
    if recommended is not None and not isinstance(recommended, str):
        recommended = _get(recommended, "contract", "symbol", default=str(recommended))
    ratios = {}
    for m in MONTHLY_RATIO_MEASURES:
        try:
            h = monitor.basis_history(store, product, asof=asof, measure=m)
        except CnradarError:
            continue
        if isinstance(h, pd.DataFrame):
            h = _dated(h.copy())
            h = h[m] if m in h.columns else h.iloc[:, -1]
        if h is not None and len(h):
            h.index = pd.DatetimeIndex(h.index)
            ratios[m.replace("monthly_ratio_", "N=")] = h.astype(float)
    hist = pd.DataFrame(ratios).sort_index() if ratios else None
    if hist is not None:
        hist = hist.loc[hist.index >= asof - pd.DateOffset(years=3)]
    return BasisProduct(product=product, term_structure=ts.reset_index(drop=isinstance(ts.index, pd.RangeIndex)),
                        monthly_ratio_history=hist, recommended=recommended)


# --------------------------------------------------------------------------------------------------------------
# Commodity


def commodity_index(store: Any, name: str, asof: pd.Timestamp) -> CommodityIndexData:
    engine = _module("cnradar.cindex.engine")
    start = asof - pd.DateOffset(years=4)
    try:
        res = engine.build_index(name, store, start=start, asof=asof)
    except TypeError:
        res = engine.build_index(name, store, asof=asof)
    levels = _frame(_get(res, "levels"))
    if levels is None or levels.empty:
        raise CnradarError(f"commodity index {name} has no levels by {asof.date()}")
    levels = _dated(levels.copy())
    weights = _frame(_get(res, "weights"))
    if weights is not None and not weights.empty:
        wdate = _pick_col(weights, ("date", "rebalance_date", "effective_date"))
        if wdate is not None:
            weights = weights.loc[weights[wdate] == weights[wdate].max()].drop(columns=[wdate])
        key = _pick_col(weights, ("constituent", "product", "symbol", "commodity"))
        if key is not None:
            weights = weights.set_index(key)
    rolls = _frame(_get(res, "roll_schedule", "rolls"))
    if rolls is not None and not rolls.empty:
        dcol = _pick_col(rolls, ("start", "window_start", "date", "roll_start"))
        if dcol is not None:
            rolls = rolls.loc[pd.to_datetime(rolls[dcol]) >= asof].head(12)
    title = _get(res, "title", "display_name")
    return CommodityIndexData(name=name, levels=levels, weights=weights, roll_schedule=rolls,
                              title=title if isinstance(title, str) else None)


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
        for ind, r in tab.iterrows():
            s = sc[ind].dropna() if sc is not None and ind in sc.columns else pd.Series(dtype=float)
            rows[ind] = {"name": r["name"], "has_data": bool(np.isfinite(float(r["this_week"]))),
                         "first": s.index[0] if len(s) else None, "last": s.index[-1] if len(s) else None,
                         "proxy": r.get("proxy") or ""}
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


def collect(store: Any, asof: pd.Timestamp, lang: Lang = "zh", *, years: float = 5.0, strict: bool = False,
            commodity_names: Iterable[str] | None = None) -> tuple[ReportInputs, list[Missing]]:
    """Gather every section's inputs for ``asof``; returns the inputs and the list of missing parts."""
    guard = _Guard(strict)
    loaded = guard.run("radar", lambda: load_radar(store, asof, lang, years))
    if isinstance(loaded, Missing):
        radar, history = loaded, None
    else:
        radar, history = loaded
        for _, r in radar.table.iterrows():
            if not np.isfinite(float(r["this_week"])):
                guard.note(Missing(f"radar:{r.name}", "no data for this week (input missing or not yet public)"))
    evaluation = (guard.run("evaluation", lambda: evaluation_from(radar, history, lang))
                  if isinstance(radar, RadarData) else None)
    basis = [guard.run(f"basis:{p}", lambda p=p: basis_product(store, p, asof)) for p in BASIS_PRODUCTS]
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
