"""Section renderers: plain section inputs (``cnradar.report.model``) → template context (numbers formatted,
charts rendered to ``data:`` URIs, cells coloured).

Each ``*_context`` function is pure apart from rendering charts; a :class:`~cnradar.report.model.Missing` input
becomes ``{"missing": ..., "reason": ...}`` which the template shows as a "no data" panel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from cnradar.report import charts
from cnradar.report.labels import (
    CATEGORIES,
    DIMENSIONS,
    INDICATORS,
    Lang,
    composite_label,
    name_of,
    score_color,
    signal_label,
    t,
)
from cnradar.report.model import (
    BasisProduct,
    CommodityIndexData,
    DataCoverage,
    EvaluationData,
    Missing,
    RadarData,
)

DASH = "—"


def fmt(x: Any, digits: int = 2, signed: bool = False, pct: bool = False) -> str:
    """Format a number for a table; NaN/None → "—"."""
    if x is None:
        return DASH
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d")
    if isinstance(x, (bool, np.bool_)):
        return "✓" if x else "✗"
    if isinstance(x, (int, np.integer)) and not pct:
        return f"{int(x):,}"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(v):
        return DASH
    if pct:
        return f"{v * 100:+.{digits}f}%" if signed else f"{v * 100:.{digits}f}%"
    return f"{v:+.{digits}f}" if signed else f"{v:.{digits}f}"


def missing_context(m: Missing) -> dict[str, Any]:
    return {"missing": True, "section": m.section, "reason": m.reason, "kind": m.kind}


def frame_table(frame: pd.DataFrame, *, index: bool = True, pct_cols: Iterable[str] = (), max_rows: int = 60,
                digits: int = 4, pct_digits: int = 2) -> dict[str, Any]:
    """A generic table for frames whose columns the report does not know in advance (e.g. term structures)."""
    pct_cols = set(pct_cols)
    df = frame.head(max_rows)
    header = ([str(df.index.name or "")] if index else []) + [str(c) for c in df.columns]
    rows = []
    for key, row in df.iterrows():
        cells = [fmt(key) if isinstance(key, pd.Timestamp) else str(key)] if index else []
        for col, val in row.items():
            if col in pct_cols:
                cells.append(fmt(val, pct_digits, pct=True))
            elif isinstance(val, (float, np.floating)):
                cells.append(fmt(val, 2 if abs(val) >= 100 else digits))
            else:
                cells.append(fmt(val))
        rows.append(cells)
    return {"header": header, "rows": rows, "truncated": len(frame) > max_rows}


# --------------------------------------------------------------------------------------------------------------
# Radar


def fallback_narrative(data: RadarData, lang: Lang) -> list[str]:
    """One paragraph per dimension in the seed's style, generated from the table when the radar gives none.

    "<dimension>：本周A、B发出看多信号，C发出看空信号，D无显著信号，当前<dimension>得分为x分，综合来看<signal>。"
    """
    paras = []
    tab = data.table
    for dim in DIMENSIONS:
        rows = tab[tab["dimension"] == dim]
        if rows.empty:
            continue
        groups: dict[str, list[str]] = {"bull": [], "bear": [], "flat": [], "nan": []}
        for _, r in rows.iterrows():
            v = r["this_week"]
            key = "nan" if not np.isfinite(v) else "bull" if v > 0 else "bear" if v < 0 else "flat"
            groups[key].append(str(r["name"]))
        score = data.dimensions["this_week"].get(dim, np.nan)
        dname = name_of("dimension", dim, lang)
        if lang == "zh":
            parts = []
            if groups["bull"]:
                parts.append("、".join(groups["bull"]) + "发出看多信号")
            if groups["bear"]:
                parts.append("、".join(groups["bear"]) + "发出看空信号")
            if groups["flat"]:
                parts.append("、".join(groups["flat"]) + "无显著信号")
            if groups["nan"]:
                parts.append("、".join(groups["nan"]) + "无数据")
            num = "①②③④⑤⑥"[DIMENSIONS.index(dim)]
            paras.append(f"{num} {dname}：本周" + "，".join(parts) + f"，当前{dname}得分为{fmt(score)}分，"
                         f"综合来看{signal_label(score, 'zh')}。")
        else:
            parts = []
            if groups["bull"]:
                parts.append(", ".join(groups["bull"]) + " bullish")
            if groups["bear"]:
                parts.append(", ".join(groups["bear"]) + " bearish")
            if groups["flat"]:
                parts.append(", ".join(groups["flat"]) + " no signal")
            if groups["nan"]:
                parts.append(", ".join(groups["nan"]) + " no data")
            paras.append(f"{dname}: this week " + "; ".join(parts) + f". The {dname.lower()} score is "
                         f"{fmt(score)}: {signal_label(score, 'en').lower()}.")
    return paras


def _order(index: Iterable[str], preferred: Iterable[str]) -> list[str]:
    idx = list(index)
    first = [k for k in preferred if k in idx]
    return first + [k for k in idx if k not in first]


def radar_context(data: RadarData | Missing, lang: Lang, chart_format: charts.ChartFormat = "png",
                  years: float = 5.0) -> dict[str, Any]:
    """Summary, hexagon (图表1), categories (图表2), the indicator table (图表3), one chart per indicator,
    narrative and composite history."""
    if isinstance(data, Missing):
        return missing_context(data)
    dims = _order(data.dimensions.index, DIMENSIONS)
    cats = _order(data.categories.index, CATEGORIES)
    dim_names = [name_of("dimension", d, lang) for d in dims]
    cat_names = [name_of("category", c, lang) for c in cats]
    d_this = data.dimensions.loc[dims, "this_week"].astype(float).to_numpy()
    d_last = data.dimensions.loc[dims, "last_week"].astype(float).to_numpy()
    c_this = data.categories.loc[cats, "this_week"].astype(float).to_numpy()
    c_last = data.categories.loc[cats, "last_week"].astype(float).to_numpy()
    hexagon_svg = charts.hexagon_chart(dim_names, d_this, d_last, lang=lang, fmt="svg")
    hexagon_png = charts.hexagon_chart(dim_names, d_this, d_last, lang=lang, fmt="png")
    cat_chart = charts.paired_bar_chart(cat_names, c_this, c_last, lang=lang, fmt="svg")

    order = {row[0]: i for i, row in enumerate(INDICATORS)}
    tab = data.table.copy()
    tab["_dim_order"] = [DIMENSIONS.index(d) if d in DIMENSIONS else 99 for d in tab["dimension"]]
    tab["_order"] = [order.get(i, 99) for i in tab.index]
    tab = tab.sort_values(["_dim_order", "_order"], kind="stable")
    rows = []
    prev_dim = None
    dim_counts = tab["dimension"].value_counts()
    for ind_id, r in tab.iterrows():
        dim = r["dimension"]
        rows.append(
            {
                "id": ind_id,
                "dimension": name_of("dimension", dim, lang) if dim != prev_dim else None,
                "rowspan": int(dim_counts[dim]),
                "name": r["name"],
                "category": name_of("category", r["category"], lang),
                "last": fmt(r["last_week"]),
                "this": fmt(r["this_week"]),
                "change": fmt(r["change"], signed=True),
                "last_bg": score_color(r["last_week"], lang),
                "this_bg": score_color(r["this_week"], lang),
                "change_bg": score_color(r["change"], lang),
                "proxy": r.get("proxy") if isinstance(r.get("proxy"), str) and r.get("proxy") else None,
                "no_data": not np.isfinite(float(r["this_week"])),
            }
        )
        prev_dim = dim

    charted = {c.id: c for c in data.charts}
    indicator_charts = []
    for ind_id, r in tab.iterrows():
        c = charted.get(ind_id)
        if c is None:
            indicator_charts.append({"id": ind_id, "name": r["name"], "uri": None})
            continue
        chart = charts.indicator_chart(c, data.this_date, lang=lang, fmt=chart_format, years=years)
        indicator_charts.append({"id": ind_id, "name": c.name, "uri": chart.data_uri()})
    history = None
    if data.composite_history is not None and not data.composite_history.dropna().empty:
        history = charts.history_chart(data.composite_history, data.index_close, data.index_name, data.this_date,
                                       lang=lang, fmt="svg", years=years).data_uri()
    narrative = list(data.narrative) if data.narrative else fallback_narrative(data, lang)
    return {
        "missing": False,
        "this_date": fmt(data.this_date),
        "last_date": fmt(data.last_date),
        "composite": fmt(data.composite_this),
        "composite_last": fmt(data.composite_last),
        "composite_change": fmt(data.composite_this - data.composite_last, signed=True),
        "composite_bg": score_color(data.composite_this, lang),
        "label": composite_label(data.composite_this, lang),
        "label_last": composite_label(data.composite_last, lang),
        "dimensions": [
            {"name": n, "this": fmt(a), "last": fmt(b), "label": signal_label(a, lang), "bg": score_color(a, lang)}
            for n, a, b in zip(dim_names, d_this, d_last, strict=True)
        ],
        "categories": [
            {"name": n, "this": fmt(a), "last": fmt(b), "label": signal_label(a, lang), "bg": score_color(a, lang)}
            for n, a, b in zip(cat_names, c_this, c_last, strict=True)
        ],
        "hexagon_uri": hexagon_svg.data_uri(),
        "hexagon_svg": hexagon_svg,
        "hexagon_png": hexagon_png,
        "categories_uri": cat_chart.data_uri(),
        "rows": rows,
        "indicator_charts": indicator_charts,
        "history_uri": history,
        "index_name": data.index_name,
        "narrative": narrative,
        "n_with_data": int(sum(not r["no_data"] for r in rows)),
        "n_indicators": len(rows),
    }


# --------------------------------------------------------------------------------------------------------------
# Basis


def _pick(frame: pd.DataFrame, names: Iterable[str]) -> str | None:
    for n in names:
        if n in frame.columns:
            return n
    return None


def basis_context(products: list[BasisProduct | Missing], lang: Lang) -> list[dict[str, Any]]:
    """Per product: the term structure table, a bar chart of the daily-average basis per listed contract, the
    N-day monthly ratio history, and the recommended hedge contract."""
    out = []
    for p in products:
        if isinstance(p, Missing):
            out.append(missing_context(p))
            continue
        ts = p.term_structure
        bar = None
        label_col = _pick(ts, ("contract", "symbol"))
        daily_col = _pick(ts, ("daily_average", "daily_avg_basis", "daily_average_basis", "daily_avg"))
        if daily_col is not None and not ts.empty:
            labels = ts[label_col].astype(str).tolist() if label_col else [str(i) for i in ts.index]
            bar = charts.bar_chart(labels, ts[daily_col].astype(float).to_numpy() * 100.0,
                                   "日均升贴水 (%)" if lang == "zh" else "daily-average basis (%)",
                                   fmt="svg", highlight=p.recommended).data_uri()
        ratio = None
        if p.monthly_ratio_history is not None and not p.monthly_ratio_history.empty:
            ratio = charts.lines_chart(p.monthly_ratio_history.astype(float) * 100.0,
                                       "月度升贴水比例 (%)" if lang == "zh" else "monthly basis ratio (%)",
                                       fmt="svg").data_uri()
        pct = ("basis_rate", "annualised", "annualised_calendar", "div_adj_rate", "daily_average",
               "div_adj_daily_average", "rate", "monthly")
        today = None
        if p.ratios_today is not None and not p.ratios_today.empty:
            today = frame_table(p.ratios_today, index=False, pct_cols=pct, pct_digits=3)
        out.append({"missing": False, "product": p.product,
                    "table": frame_table(ts, index=label_col is None, pct_cols=pct, pct_digits=3),
                    "today": today, "bar_uri": bar, "ratio_uri": ratio, "recommended": p.recommended,
                    "note": p.note})
    return out


# --------------------------------------------------------------------------------------------------------------
# Commodity


def period_returns(levels: pd.Series, asof: pd.Timestamp) -> dict[str, float]:
    """1-week, 1-month and year-to-date returns of an index level series as of ``asof``.

    ``R_1w = L(asof) / L(last date ≤ asof − 7 days) − 1``; ``R_1m`` uses ``asof − 1 calendar month``;
    ``R_ytd`` uses the last level of the previous calendar year. NaN when the base date is before the data.
    """
    s = levels.dropna().sort_index()
    s = s.loc[s.index <= asof]
    if s.empty:
        return {"level": np.nan, "1w": np.nan, "1m": np.nan, "ytd": np.nan}
    last = float(s.iloc[-1])

    def base(on: pd.Timestamp) -> float:
        prior = s.loc[s.index <= on]
        return float(prior.iloc[-1]) if not prior.empty else np.nan

    year_end = pd.Timestamp(year=s.index[-1].year - 1, month=12, day=31)
    end = s.index[-1]
    return {
        "level": last,
        "1w": last / base(end - pd.Timedelta(days=7)) - 1.0,
        "1m": last / base(end - pd.DateOffset(months=1)) - 1.0,
        "ytd": last / base(year_end) - 1.0,
    }


def commodity_context(indices: list[CommodityIndexData | Missing], asof: pd.Timestamp, lang: Lang
                      ) -> dict[str, Any]:
    """A returns table over every configured index, one level chart, and each index's weights and rolls."""
    rows, panels, missing, level_frames = [], [], [], {}
    for ix in indices:
        if isinstance(ix, Missing):
            missing.append(missing_context(ix))
            continue
        col = _pick(ix.levels, ("excess", "total", "spot", "level"))
        if col is None or ix.levels.empty:
            missing.append(missing_context(Missing(f"commodity:{ix.name}", "index has no levels")))
            continue
        lv = ix.levels[col].astype(float)
        r = period_returns(lv, asof)
        rows.append({"name": ix.title or ix.name, "basis": col, "level": fmt(r["level"]),
                     "w1": fmt(r["1w"], pct=True, signed=True), "m1": fmt(r["1m"], pct=True, signed=True),
                     "ytd": fmt(r["ytd"], pct=True, signed=True),
                     "w1_bg": score_color(np.clip(r["1w"] * 20, -1, 1), lang),
                     "m1_bg": score_color(np.clip(r["1m"] * 10, -1, 1), lang),
                     "ytd_bg": score_color(np.clip(r["ytd"] * 5, -1, 1), lang)})
        recent = lv.loc[lv.index >= asof - pd.DateOffset(years=3)]
        if not recent.empty and np.isfinite(recent.iloc[0]) and recent.iloc[0] != 0:
            level_frames[ix.title or ix.name] = recent / recent.iloc[0] * 100.0
        sectors = None
        if ix.sector_weights is not None and not ix.sector_weights.empty:
            sectors = frame_table(ix.sector_weights.rename("weight").to_frame(), pct_cols=["weight"], pct_digits=1)
        panels.append({
            "name": ix.title or ix.name,
            "notes": list(ix.notes),
            "sectors": sectors,
            "weights": frame_table(ix.weights, pct_cols=["weight"], pct_digits=2)
            if ix.weights is not None and not ix.weights.empty else None,
            "rolls": frame_table(ix.roll_schedule, index=False, max_rows=12)
            if ix.roll_schedule is not None and not ix.roll_schedule.empty else None,
        })
    chart = None
    if level_frames:
        frame = pd.DataFrame(level_frames).sort_index().ffill()
        chart = charts.lines_chart(frame, "3年走势 (起点=100)" if lang == "zh" else "last 3 years (start = 100)",
                                   fmt="svg", zero_line=False).data_uri()
    return {"rows": rows, "panels": panels, "missing": missing, "chart_uri": chart}


# --------------------------------------------------------------------------------------------------------------
# Evaluation and data


def evaluation_context(ev: EvaluationData | Missing | None, lang: Lang) -> dict[str, Any] | None:
    if ev is None:
        return None
    if isinstance(ev, Missing):
        return missing_context(ev)
    names = {"strategy": "择时策略" if lang == "zh" else "Timing strategy",
             "buy_hold": "买入持有" if lang == "zh" else "Buy and hold"}
    stats_rows = []
    for key, r in ev.stats.iterrows():
        stats_rows.append({
            "name": names.get(str(key), str(key)),
            "annual_return": fmt(r.get("annual_return"), pct=True),
            "volatility": fmt(r.get("volatility"), pct=True),
            "sharpe": fmt(r.get("sharpe")),
            "max_drawdown": fmt(r.get("max_drawdown"), pct=True),
            "turnover": fmt(r.get("turnover")),
        })
    nav = ev.nav.rename(columns=names)
    hits = []
    if ev.hit_rates is not None:
        name_map = {row[0]: row[1 if lang == "zh" else 2] for row in INDICATORS}
        for ind, r in ev.hit_rates.iterrows():
            hits.append({"name": name_map.get(str(ind), str(ind)), "hit_rate": fmt(r.get("hit_rate"), 1, pct=True),
                         "n": fmt(r.get("n_signals")),
                         "bull": fmt(r.get("fwd_when_bullish"), 2, pct=True, signed=True),
                         "bear": fmt(r.get("fwd_when_bearish"), 2, pct=True, signed=True),
                         "bg": score_color((float(r.get("hit_rate", np.nan)) - 0.5) * 4, lang)})
    return {"missing": False, "stats": stats_rows,
            "nav_uri": charts.nav_drawdown_chart(nav, lang=lang, fmt="svg").data_uri() if not nav.empty else None,
            "hits": hits, "description": ev.description}


def data_context(dc: DataCoverage | None, missing: list[Missing], warnings: list[str], lang: Lang
                 ) -> dict[str, Any]:
    return {
        "synthetic": bool(dc.synthetic) if dc else False,
        "indicators": frame_table(dc.indicators, max_rows=100) if dc and dc.indicators is not None else None,
        "sources": frame_table(dc.sources, index=False, max_rows=200) if dc and dc.sources is not None else None,
        "bundles": list(dc.bundles) if dc else [],
        "warnings": list(warnings) + (list(dc.warnings) if dc else []),
        "missing": [missing_context(m) for m in missing],
        "labels": {"composite_threshold": 0.3, "signal_threshold": 0.5},
        "t": {k: t(k, lang) for k in ("no_data",)},
    }
