"""Plain inputs of the report's sections.

Each section renderer takes one of these dataclasses (plain pandas frames and numbers, no store, no other
cnradar module), so it can be tested with small hand-made frames. ``cnradar.report.assemble`` turns the
library's results into them; when an input is unavailable it returns :class:`Missing` instead and the report
shows a "no data" panel with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Missing:
    """A section (or part of one) that could not be built: shown as a visible "no data" panel."""

    section: str
    reason: str
    kind: str = "missing"  # "missing" (module/table/data absent) or "error" (an exception while computing)


@dataclass(frozen=True)
class IndicatorChartData:
    """One indicator's chart (seed 图表4–24): raw input, derived factor, thresholds and the score.

    ``raw`` and ``factor`` are optional (an indicator whose factor is its input has only one); ``score`` is
    the indicator's daily score in [-1, 1] (NaN = no data), shown as shaded background.
    """

    id: str
    name: str
    score: pd.Series
    raw: pd.Series | None = None
    factor: pd.Series | None = None
    raw_label: str = ""
    factor_label: str = ""
    thresholds: tuple[float, ...] = ()
    proxy: str | None = None
    extra: pd.Series | None = None  # a second line on the factor's axis (e.g. the long-window increment)
    extra_label: str = ""


@dataclass(frozen=True)
class RadarData:
    """Everything the radar part of the report shows.

    ``table`` has one row per indicator (index = indicator id) and columns ``name``, ``dimension``,
    ``category``, ``last_week``, ``this_week``, ``change`` (and optionally ``proxy``, ``note``).
    ``dimensions`` / ``categories`` are frames indexed by id with columns ``this_week`` and ``last_week``.
    """

    asof: pd.Timestamp
    this_date: pd.Timestamp
    last_date: pd.Timestamp
    composite_this: float
    composite_last: float
    table: pd.DataFrame
    dimensions: pd.DataFrame
    categories: pd.DataFrame
    composite_history: pd.Series | None = None
    index_close: pd.Series | None = None
    index_name: str = "000300.SH"
    charts: tuple[IndicatorChartData, ...] = ()
    narrative: tuple[str, ...] = ()


@dataclass(frozen=True)
class BasisProduct:
    """One CFFEX product's basis panel: today's term structure, the N-day monthly ratio history, the hedge."""

    product: str
    term_structure: pd.DataFrame
    monthly_ratio_history: pd.DataFrame | None = None  # index date, columns e.g. monthly_ratio_20/40/60/120
    recommended: str | None = None
    note: str | None = None
    ratios_today: pd.DataFrame | None = None  # N, constant-maturity rate, monthly ratio, extrapolated


@dataclass(frozen=True)
class CommodityIndexData:
    """One configured commodity index: levels (index date, columns spot/excess/total), weights, rolls."""

    name: str
    levels: pd.DataFrame
    weights: pd.DataFrame | None = None  # latest weights: index constituent, column weight, optional sector
    roll_schedule: pd.DataFrame | None = None
    title: str | None = None
    sector_weights: pd.Series | None = None  # latest weight per sector (sums to 1)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvaluationData:
    """The composite strategy against buy-and-hold, and per-indicator hit rates."""

    nav: pd.DataFrame  # index date; columns strategy, buy_hold
    stats: pd.DataFrame  # index strategy/buy_hold; columns annual_return, volatility, sharpe, max_drawdown, ...
    hit_rates: pd.DataFrame | None = None  # index indicator id; columns hit_rate, n_signals, ...
    description: str = ""


@dataclass(frozen=True)
class DataCoverage:
    """Coverage of inputs and the as-of date of each source."""

    synthetic: bool
    indicators: pd.DataFrame | None = None  # index indicator id; columns has_data, first, last, proxy
    sources: pd.DataFrame | None = None  # columns: source, kind/series, last_date, rows
    warnings: tuple[str, ...] = ()
    bundles: tuple[str, ...] = ()


@dataclass
class ReportInputs:
    """All section inputs of one report."""

    asof: pd.Timestamp
    radar: RadarData | Missing
    basis: list[BasisProduct | Missing] = field(default_factory=list)
    commodity: list[CommodityIndexData | Missing] = field(default_factory=list)
    evaluation: EvaluationData | Missing | None = None
    data: DataCoverage | None = None
