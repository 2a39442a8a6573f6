"""Charts of the weekly report, rendered offline by matplotlib to SVG or PNG.

Every function takes plain pandas objects, builds a :class:`matplotlib.figure.Figure` without pyplot (no
global state, safe to call from several threads) and returns a :class:`Chart` (the bytes plus the format).
SVG is written with ``svg.fonttype = "path"`` so Chinese glyphs travel as outlines and the chart needs no font
on the reader's machine; output is deterministic (fixed ``svg.hashsalt``, no date metadata).

Colours follow :func:`cnradar.report.labels.up_down_colors` (red = bullish in the Chinese report).
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cnradar.report.fonts import find_cjk_font
from cnradar.report.labels import Lang, t, up_down_colors
from cnradar.report.model import IndicatorChartData

ChartFormat = Literal["svg", "png"]

THIS_WEEK_COLOR = "#c0392b"
LAST_WEEK_COLOR = "#7f8c8d"
GRID_COLOR = "#bbbbbb"


@dataclass(frozen=True)
class Chart:
    """A rendered chart: raw bytes and their format."""

    data: bytes
    fmt: ChartFormat

    @property
    def mime(self) -> str:
        return "image/svg+xml" if self.fmt == "svg" else "image/png"

    def data_uri(self) -> str:
        """``data:`` URI for an ``<img>`` (each chart stays an isolated document: no clashing SVG ids)."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def _rc() -> dict[str, object]:
    font = find_cjk_font()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": list(font.families),
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "svg.hashsalt": "cnradar-report",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _render(fig: Figure, fmt: ChartFormat, dpi: int = 110) -> Chart:
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata)
    return Chart(buf.getvalue(), fmt)


def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


# --------------------------------------------------------------------------------------------------------------
# Hexagon (radar) chart — seed 图表1


def hexagon_vertices(scores: Sequence[float], rmin: float = -1.0, rmax: float = 1.0) -> np.ndarray:
    """Cartesian vertices of a radar polygon with one axis per score.

    Axis ``k`` of ``n`` points at angle ``θ_k = π/2 − 2πk/n`` (first axis straight up, then clockwise) and a
    score ``s`` sits at radius ``r = (s − rmin) / (rmax − rmin)`` (so -1 is the centre and +1 the outer ring):
    ``(x, y) = (r cos θ_k, r sin θ_k)``. Scores are clipped to ``[rmin, rmax]``; a NaN (no data) is placed on
    the neutral ring ``s = (rmin + rmax)/2`` — the chart marks that vertex as "no data".
    """
    s = np.asarray(scores, dtype=float)
    n = s.size
    if n < 3:
        from cnradar.errors import ConfigError, explain

        raise ConfigError(explain("radar chart axes", "needs at least 3 scores", n, "Pass one score per axis."))
    s = np.where(np.isnan(s), (rmin + rmax) / 2.0, np.clip(s, rmin, rmax))
    r = (s - rmin) / (rmax - rmin)
    theta = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


def hexagon_chart(
    labels: Sequence[str],
    this_week: Sequence[float],
    last_week: Sequence[float] | None,
    lang: Lang = "zh",
    fmt: ChartFormat = "svg",
    title: str | None = None,
) -> Chart:
    """The six-dimension hexagon (seed 图表1): this week's polygon over last week's, rings at -1, -0.5, 0, 0.5, 1."""
    with matplotlib.rc_context(_rc()):
        fig = _new_figure(5.2, 5.0)
        ax = fig.add_subplot(1, 1, 1)
        ax.set_aspect("equal")
        ax.axis("off")
        n = len(labels)
        for level in (-1.0, -0.5, 0.0, 0.5, 1.0):
            ring = hexagon_vertices([level] * n)
            ring = np.vstack([ring, ring[:1]])
            ax.plot(ring[:, 0], ring[:, 1], color=GRID_COLOR, lw=1.2 if level == 0 else 0.6,
                    ls="-" if level in (0.0, 1.0) else ":")
            if level > -1:
                ax.text(0.02, ring[0, 1], f"{level:g}", fontsize=7, color="#888888", va="bottom")
        outer = hexagon_vertices([1.0] * n)
        for (x, y), label in zip(outer, labels, strict=True):
            ax.plot([0, x], [0, y], color=GRID_COLOR, lw=0.6)
            ax.text(1.14 * x, 1.14 * y, label, ha="center", va="center", fontsize=11)
        series = [(last_week, LAST_WEEK_COLOR, t("last_week", lang), "--")] if last_week is not None else []
        series.append((this_week, THIS_WEEK_COLOR, t("this_week", lang), "-"))
        for values, color, name, ls in series:
            pts = hexagon_vertices(values)
            closed = np.vstack([pts, pts[:1]])
            ax.fill(closed[:, 0], closed[:, 1], color=color, alpha=0.12)
            ax.plot(closed[:, 0], closed[:, 1], color=color, lw=2, ls=ls, label=name, marker="o", ms=4)
            missing = np.isnan(np.asarray(values, dtype=float))
            if missing.any():
                ax.plot(pts[missing, 0], pts[missing, 1], ls="none", marker="o", ms=9, mfc="white", mec=color)
        for (x, y), v in zip(hexagon_vertices(this_week), this_week, strict=True):
            txt = t("no_data", lang) if v is None or not math.isfinite(float(v)) else f"{float(v):.2f}"
            ax.text(x, y + 0.07, txt, ha="center", fontsize=8, color=THIS_WEEK_COLOR)
        ax.set_xlim(-1.35, 1.35)
        ax.set_ylim(-1.3, 1.3)
        ax.legend(loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, -0.06))
        if title:
            ax.set_title(title)
        return _render(fig, fmt)


# --------------------------------------------------------------------------------------------------------------
# Bars: categories (图表2), term structure


def paired_bar_chart(
    labels: Sequence[str],
    this_week: Sequence[float],
    last_week: Sequence[float] | None,
    lang: Lang = "zh",
    fmt: ChartFormat = "svg",
    ylim: tuple[float, float] | None = (-1.0, 1.0),
) -> Chart:
    """Grouped bars of this week (coloured by sign) and last week (grey) — the four categories (seed 图表2)."""
    up, down = up_down_colors(lang)
    vals = np.asarray(this_week, dtype=float)
    with matplotlib.rc_context(_rc()):
        fig = _new_figure(6.0, 3.0)
        ax = fig.add_subplot(1, 1, 1)
        x = np.arange(len(labels))
        width = 0.38
        if last_week is not None:
            ax.bar(x - width / 2, np.nan_to_num(np.asarray(last_week, dtype=float)), width, color=LAST_WEEK_COLOR,
                   alpha=0.6, label=t("last_week", lang))
        colors = np.where(vals >= 0, up, down)
        ax.bar(x + (width / 2 if last_week is not None else 0), np.nan_to_num(vals), width, color=colors,
               label=t("this_week", lang))
        for xi, v in zip(x, vals, strict=True):
            txt = t("no_data", lang) if np.isnan(v) else f"{v:.2f}"
            ax.text(xi + (width / 2 if last_week is not None else 0), (0 if np.isnan(v) else v) + (0.04 if
                    (np.isnan(v) or v >= 0) else -0.04), txt, ha="center", va="bottom" if (np.isnan(v) or v >= 0)
                    else "top", fontsize=8)
        ax.axhline(0, color="#444444", lw=0.8)
        ax.set_xticks(x, list(labels))
        if ylim:
            ax.set_ylim(*ylim)
        ax.legend(frameon=False, fontsize=8)
        return _render(fig, fmt)


def bar_chart(labels: Sequence[str], values: Sequence[float], ylabel: str, fmt: ChartFormat = "svg",
              highlight: str | None = None) -> Chart:
    """Simple bars (e.g. daily-average basis per listed contract); the ``highlight`` label is outlined."""
    vals = np.asarray(values, dtype=float)
    with matplotlib.rc_context(_rc()):
        fig = _new_figure(5.0, 2.8)
        ax = fig.add_subplot(1, 1, 1)
        bars = ax.bar(np.arange(len(labels)), np.nan_to_num(vals), color="#4c72b0")
        for bar, label in zip(bars, labels, strict=True):
            if label == highlight:
                bar.set_edgecolor("#c0392b")
                bar.set_linewidth(2.0)
        ax.axhline(0, color="#444444", lw=0.8)
        ax.set_xticks(np.arange(len(labels)), list(labels))
        ax.set_ylabel(ylabel)
        return _render(fig, fmt)


# --------------------------------------------------------------------------------------------------------------
# Time series


def _last_years(obj: pd.Series | pd.DataFrame, end: pd.Timestamp, years: float) -> pd.Series | pd.DataFrame:
    start = end - pd.DateOffset(days=int(round(365.25 * years)))
    return obj.loc[(obj.index >= start) & (obj.index <= end)]


def score_spans(score: pd.Series, levels: int = 4) -> list[tuple[np.ndarray, float]]:
    """Group a daily score into shading masks: for each sign and |score| bucket, a boolean mask over the dates.

    Returns ``(mask, representative score)`` pairs; buckets are ``(0, 1/levels], …, ((levels−1)/levels, 1]``
    by absolute value, so a continuous z-score is shaded in a few opacity steps (vectorised: one
    ``fill_between`` per bucket, not per day). NaN and exact zero are never shaded.
    """
    v = score.to_numpy(dtype=float)
    a = np.abs(v)
    out: list[tuple[np.ndarray, float]] = []
    edges = np.linspace(0.0, 1.0, levels + 1)
    for sign in (1.0, -1.0):
        signed = np.sign(v) == sign
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            mask = signed & (a > lo) & (a <= hi if hi < 1 else a >= lo)
            if mask.any():
                out.append((mask, sign * hi))
    return out


def indicator_chart(
    data: IndicatorChartData,
    end: pd.Timestamp,
    lang: Lang = "zh",
    fmt: ChartFormat = "svg",
    years: float = 5.0,
) -> Chart:
    """One indicator (seed 图表4–24): raw input and derived factor as lines, thresholds as dashed lines on the
    factor's axis, and the score as shaded background (red/green by sign, darker for larger |score|), over the
    last ``years`` years to ``end``."""
    up, down = up_down_colors(lang)
    score = _last_years(data.score.sort_index(), end, years)
    with matplotlib.rc_context(_rc()):
        fig = _new_figure(8.0, 2.8)
        ax = fig.add_subplot(1, 1, 1)
        handles = []
        primary = data.factor if data.factor is not None else data.raw
        primary_label = data.factor_label if data.factor is not None else data.raw_label
        if primary is not None:
            p = _last_years(primary.sort_index().astype(float), end, years)
            (h,) = ax.plot(p.index, p.to_numpy(), color="#1f3b73", lw=1.1,
                           label=primary_label or (t("no_data", lang) if p.empty else "factor"))
            handles.append(h)
            if data.extra is not None:
                e = _last_years(data.extra.sort_index().astype(float), end, years)
                (he,) = ax.plot(e.index, e.to_numpy(), color="#7b4fa0", lw=1.0, ls="--",
                                label=data.extra_label or "extra")
                handles.append(he)
            for thr in data.thresholds:
                ax.axhline(thr, color="#555555", ls="--", lw=0.8)
        else:
            s_line = score.astype(float)
            (h,) = ax.step(s_line.index, s_line.to_numpy(), where="post", color="#1f3b73", lw=1.1,
                           label="score" if lang == "en" else "分数")
            handles.append(h)
            ax.set_ylim(-1.1, 1.1)
        if data.raw is not None and data.factor is not None:
            ax2 = ax.twinx()
            r = _last_years(data.raw.sort_index().astype(float), end, years)
            (h2,) = ax2.plot(r.index, r.to_numpy(), color="#e08b2c", lw=0.9, alpha=0.9,
                             label=data.raw_label or "raw")
            ax2.spines["right"].set_visible(True)
            handles.append(h2)
        if not score.empty:
            idx = score.index
            for mask, level in score_spans(score):
                ax.fill_between(idx, 0, 1, where=mask, transform=ax.get_xaxis_transform(), step="post",
                                color=up if level > 0 else down, alpha=0.08 + 0.25 * abs(level), lw=0)
        last = score.dropna()
        title = data.name
        if not last.empty:
            title += f"   {'当前分数' if lang == 'zh' else 'score'} {last.iloc[-1]:+.2f}"
        else:
            title += f"   ({t('no_data', lang)})"
        if data.proxy:
            title += f"   [{'代理' if lang == 'zh' else 'proxy'}: {data.proxy}]"
        ax.set_title(title, loc="left", fontsize=10)
        if handles:
            ax.legend(handles=handles, loc="upper left", frameon=False, fontsize=7)
        return _render(fig, fmt)


def history_chart(
    composite: pd.Series,
    index_close: pd.Series | None,
    index_name: str,
    end: pd.Timestamp,
    lang: Lang = "zh",
    fmt: ChartFormat = "svg",
    years: float = 5.0,
) -> Chart:
    """The composite score history (filled, red above 0 / green below in zh) with the index close on a
    second axis."""
    up, down = up_down_colors(lang)
    c = _last_years(composite.sort_index().astype(float), end, years)
    with matplotlib.rc_context(_rc()):
        fig = _new_figure(8.0, 3.0)
        ax = fig.add_subplot(1, 1, 1)
        vals = c.to_numpy()
        ax.fill_between(c.index, 0, vals, where=vals >= 0, color=up, alpha=0.35, lw=0, step="post")
        ax.fill_between(c.index, 0, vals, where=vals < 0, color=down, alpha=0.35, lw=0, step="post")
        ax.set_ylim(-1, 1)
        ax.set_ylabel(t("composite", lang))
        ax.axhline(0, color="#444444", lw=0.6)
        if index_close is not None and not index_close.empty:
            ax2 = ax.twinx()
            ic = _last_years(index_close.sort_index().astype(float), end, years)
            ax2.plot(ic.index, ic.to_numpy(), color="#1f3b73", lw=1.0, label=index_name)
            ax2.spines["right"].set_visible(True)
            ax2.set_ylabel(index_name)
            ax2.legend(loc="upper left", frameon=False, fontsize=8)
        return _render(fig, fmt)


def lines_chart(frame: pd.DataFrame, ylabel: str, fmt: ChartFormat = "svg", title: str | None = None,
                zero_line: bool = True, width: float = 8.0, height: float = 2.8) -> Chart:
    """One line per column of ``frame`` (date index): basis monthly ratios, index levels, NAVs."""
    with matplotlib.rc_context(_rc()):
        fig = _new_figure(width, height)
        ax = fig.add_subplot(1, 1, 1)
        for col in frame.columns:
            s = frame[col].astype(float)
            ax.plot(s.index, s.to_numpy(), lw=1.0, label=str(col))
        if zero_line:
            ax.axhline(0, color="#444444", lw=0.6)
        ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title, loc="left", fontsize=10)
        if len(frame.columns) > 1:
            ax.legend(frameon=False, fontsize=7, ncol=min(4, len(frame.columns)))
        return _render(fig, fmt)


def nav_drawdown_chart(nav: pd.DataFrame, lang: Lang = "zh", fmt: ChartFormat = "svg") -> Chart:
    """Net asset values (top) and their drawdowns ``nav / cummax(nav) − 1`` (bottom)."""
    dd = nav / nav.cummax() - 1.0
    with matplotlib.rc_context(_rc()):
        fig = _new_figure(8.0, 4.0)
        ax1, ax2 = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
        for col in nav.columns:
            ax1.plot(nav.index, nav[col].to_numpy(dtype=float), lw=1.0, label=str(col))
            ax2.fill_between(dd.index, dd[col].to_numpy(dtype=float), 0, alpha=0.3, lw=0, label=str(col))
        ax1.set_ylabel("净值" if lang == "zh" else "NAV")
        ax2.set_ylabel("回撤" if lang == "zh" else "Drawdown")
        ax1.legend(frameon=False, fontsize=8)
        return _render(fig, fmt)
