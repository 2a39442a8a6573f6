"""The radar engine: load inputs point-in-time from the store, run the 21 indicators, aggregate, cache.

One engine for all indicators (the declarative-spec pattern): it reads every input once *as of* a day
(observations released by then, bars up to then, the option and convertible derived tables up to then),
puts them on the SSE trading-day grid from :data:`GRID_START`, resolves declared alternatives (automatic,
named) and proxies (opt-in by id, named), calls each pure indicator function, and turns a missing input into
"no data" (NaN) for that indicator only.

Point-in-time: the grid always starts at :data:`GRID_START` and every computation is causal, so the score
on day ``t`` of a history computed as of ``T ≥ t`` equals the score computed on the store truncated at
``t`` (``asof=t``) — the property the tests check for every indicator.

Entry points: :func:`score_history` (daily history for the report and research), :func:`weekly_snapshot`
(this week / last week / change + narrative), :func:`update_history` (incremental, persisted to the derived
table ``radar_scores``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from cnradar import calendar
from cnradar.errors import ConfigError, DataError, UnknownNameError, explain
from cnradar.radar.aggregate import aggregate_frame
from cnradar.radar.data import MissingInput, RadarInputs, empty_result
from cnradar.radar.registry import CATEGORIES, DIMENSIONS, IndicatorSpec, Registry, load_registry

#: first day of the trading-day grid (the SSE calendar's start); fixed so that histories are point-in-time
GRID_START = pd.Timestamp(calendar.CALENDAR_START)
OPTION_UNDERLYING = "510050.SH"
BAR_COLUMNS = ["open", "high", "low", "close", "amount"]
SCORES_TABLE = "radar_scores"


# ---------------------------------------------------------------------------------------------- loading
def _needed(reg: Registry) -> tuple[set[str], set[str], bool, set[str]]:
    series, bars, derived, stocks = set(), set(), set(), False

    def add(key: str) -> None:
        nonlocal stocks
        if key == "stocks":
            stocks = True
        elif key.startswith("bars:"):
            bars.add(key[5:])
        elif key.startswith("derived:"):
            derived.add(key[8:])
        else:
            series.add(key)

    for s in reg.indicators.values():
        for k in s.inputs:
            add(k)
        for alts in s.alternatives.values():
            for a in alts:
                add(a)
        for p in s.proxies:
            for v in (*p.map.values(), *p.uses):
                add(v)
        for k, v in s.params.items():
            if isinstance(v, list) and all(isinstance(x, str) and x.count(".") >= 2 for x in v):
                for x in v:
                    add(x)
            elif k.startswith("breadth_") and isinstance(v, str):
                add(v)
    return series, bars, stocks, derived


def _load_derived(store, name: str, asof) -> pd.DataFrame:
    """The option-index / CB-deviation tables through their owners' loaders; absent → empty (no data)."""
    try:
        if name == "option_indices":
            from cnradar.options.history import load_option_indices

            df = load_option_indices(store, OPTION_UNDERLYING, asof=asof)
        elif name == "cb_market_deviation":
            from cnradar.convertibles.deviation import load_market_deviation

            df = load_market_deviation(store, asof=asof)
        else:
            df = store.read_derived(name, asof=asof)
    except (ImportError, AttributeError, KeyError, ValueError, DataError):
        # the owner's loader is absent or disagrees with the cached table: read the cache directly
        try:
            df = store.read_derived(name, asof=asof)
        except (AttributeError, duckdb.Error):  # a store without that cache table is "no data", never a crash
            df = pd.DataFrame()
        if name == "option_indices" and "underlying" in df:
            df = df[df["underlying"] == OPTION_UNDERLYING]
    if df is None or len(df) == 0 or "date" not in df:
        return pd.DataFrame()
    df = df.copy()
    df["date"] = pd.to_datetime(df["date"])
    return df.sort_values("date").reset_index(drop=True)


def resolve_asof(store, asof) -> pd.Timestamp:
    """``asof`` as a Timestamp; ``None`` → the store's last bar date."""
    if asof is None:
        last = store.last_date()
        if last is None:
            raise DataError(explain("empty store", "bars to compute the radar on", None,
                                    "Import a bundle first (cnradar data import)."))
        return pd.Timestamp(last).normalize()
    return pd.Timestamp(asof).normalize()


def load_inputs(store, *, asof, registry: Registry | None = None) -> RadarInputs:
    """Read every radar input public by ``asof`` from the store (one query per kind)."""
    reg = registry or load_registry()
    asof = resolve_asof(store, asof)
    days = calendar.sessions(GRID_START, min(asof, pd.Timestamp(calendar.CALENDAR_END)))
    series, bars, stocks, derived = _needed(reg)
    obs = store.observations(sorted(series), asof=asof)
    observations = {k: g.reset_index(drop=True) for k, g in obs.groupby("series", sort=False)}
    cat = store.series_catalog()
    freq = dict(zip(cat["series"], cat["frequency"].fillna("daily"), strict=False)) if len(cat) else {}
    b = store.bars(sorted(bars), asof=asof, columns=["symbol", "date", *BAR_COLUMNS])
    bar_map = {k: g.set_index("date")[BAR_COLUMNS] for k, g in b.groupby("symbol", sort=False)}
    stock_close = None
    if stocks:
        sb = store.bars(kind="stock", asof=asof, columns=["symbol", "date", "close"])
        if len(sb):
            stock_close = sb.pivot(index="date", columns="symbol", values="close").astype("float64")
    der = {name: _load_derived(store, name, asof) for name in sorted(derived)}
    return RadarInputs(days=days, observations=observations, bars=bar_map, stock_close=stock_close,
                       derived=der, frequency=freq)


# ---------------------------------------------------------------------------------------------- computing
@dataclass(frozen=True)
class IndicatorStatus:
    """How one indicator was computed: data or not, which inputs, alternative or proxy used, why missing."""

    id: str
    has_data: bool
    first_date: pd.Timestamp | None
    source: str
    proxy: str | None = None
    proxy_name_zh: str | None = None
    proxy_name_en: str | None = None
    missing: str | None = None


def _check_proxies(reg: Registry, proxies: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(sorted(set(proxies or ())))
    for p in chosen:
        if p not in reg.proxy_ids():
            raise UnknownNameError("radar proxy", p, list(reg.proxy_ids()))
    return chosen


def _same_kind(a: str, b: str) -> bool:
    def kind(k: str) -> str:
        return k.split(":")[0] if ":" in k else ("stocks" if k == "stocks" else "series")

    return kind(a) == kind(b)


def compute_indicator(spec: IndicatorSpec, data: RadarInputs, proxies: Sequence[str] = ()
                      ) -> tuple[pd.DataFrame, IndicatorStatus]:
    """Run one indicator on loaded inputs, resolving alternatives and enabled proxies; never raises on
    missing data (the result is all-NaN and the status says why)."""
    subs: dict[str, str] = {}
    notes: list[str] = []
    for key, alts in spec.alternatives.items():
        if data.has(key):
            continue
        for a in alts:
            if data.has(a):
                if _same_kind(key, a):
                    subs[key] = a
                notes.append(f"{a} for {key}")
                break
    kwargs: dict[str, Any] = dict(spec.params)
    used = None
    for p in spec.proxies:
        if p.id not in proxies:
            continue
        if p.map and any(not data.has(k) for k in p.map) and all(data.has(v) for v in p.map.values()):
            subs.update({k: v for k, v in p.map.items() if not data.has(k)})
            used = p
        elif p.uses and any(not data.has(k) for k in spec.inputs) and all(data.has(u) for u in p.uses):
            kwargs["proxy"] = p.id
            used = p
    view = dataclasses.replace(data, substitutes=subs) if subs else data
    missing = None
    try:
        out = spec.function(view, **kwargs)
    except MissingInput as exc:
        out, missing = empty_result(data.days), exc.key
    score = out["score"].astype("float64").clip(-1.0, 1.0)
    out = out.assign(score=score)
    valid = score.notna().to_numpy()
    first = data.days[valid.argmax()] if valid.any() else None
    source = out.attrs.get("source") or ", ".join(notes) or ", ".join(spec.inputs)
    status = IndicatorStatus(spec.id, bool(valid.any()), first, source, used.id if used else None,
                             used.name_zh if used else None, used.name_en if used else None, missing)
    return out, status


@dataclass
class RadarHistory:
    """A daily radar history (index = SSE trading days, ``start``..``asof``).

    ``scores``: the 21 indicator scores (NaN = no data); ``factors``: per indicator the raw inputs /
    derived factors behind the score (for charts); ``dimensions``, ``categories``: aggregates;
    ``composite`` and ``coverage`` (share of the 21 with data) per day; ``status``: one row per indicator
    (has_data, first_date, source, proxy, missing input); ``proxies``: the enabled proxy ids.
    """

    asof: pd.Timestamp
    scores: pd.DataFrame
    factors: dict[str, pd.DataFrame]
    dimensions: pd.DataFrame
    categories: pd.DataFrame
    composite: pd.Series
    coverage: pd.Series
    status: pd.DataFrame
    proxies: tuple[str, ...] = ()
    registry: Registry = field(default_factory=load_registry, repr=False)

    @property
    def frame(self) -> pd.DataFrame:
        """Everything in one wide frame: indicator ids, ``dim:*``, ``cat:*``, ``composite``, ``coverage``."""
        return pd.concat([self.scores, self.dimensions.add_prefix("dim:"), self.categories.add_prefix("cat:"),
                          self.composite.rename("composite"), self.coverage.rename("coverage")], axis=1)

    def at(self, day) -> pd.Series:
        """The row of :attr:`frame` on the last trading day ``<= day``."""
        f = self.frame
        pos = f.index.searchsorted(pd.Timestamp(day), side="right") - 1
        if pos < 0:
            raise DataError(explain("no radar score on or before the date", f"dates from {f.index[0].date()}",
                                    str(pd.Timestamp(day).date()), "Ask for a later date."))
        return f.iloc[pos]


def compute_history(data: RadarInputs, *, asof, start=None, proxies: Sequence[str] = (),
                    registry: Registry | None = None) -> RadarHistory:
    """Pure part of :func:`score_history`: run every indicator on loaded inputs and aggregate."""
    reg = registry or load_registry()
    proxies = _check_proxies(reg, proxies)
    outs, stats = {}, []
    for iid, spec in reg.indicators.items():
        out, st = compute_indicator(spec, data, proxies)
        outs[iid], _ = out, stats.append(st)
    scores = pd.DataFrame({i: o["score"] for i, o in outs.items()}, index=data.days)
    asof = pd.Timestamp(asof)
    lo = pd.Timestamp(start) if start is not None else data.days[0]
    keep = (data.days >= lo) & (data.days <= asof)
    scores = scores.loc[keep]
    agg = aggregate_frame(scores, reg)
    factors = {i: o.drop(columns="score").loc[keep] for i, o in outs.items()}
    status = pd.DataFrame([dataclasses.asdict(s) for s in stats]).set_index("id")
    status.insert(0, "name_zh", [reg[i].name_zh for i in status.index])
    status.insert(1, "name_en", [reg[i].name_en for i in status.index])
    return RadarHistory(
        asof=asof, scores=scores, factors=factors,
        dimensions=agg[[f"dim:{d}" for d in DIMENSIONS]].set_axis(list(DIMENSIONS), axis=1),
        categories=agg[[f"cat:{c}" for c in CATEGORIES]].set_axis(list(CATEGORIES), axis=1),
        composite=agg["composite"], coverage=agg["coverage"], status=status, proxies=proxies, registry=reg)


_CACHE: dict[tuple, RadarHistory] = {}
_CACHE_MAX = 8


def _fingerprint(store) -> tuple:
    """Cheap identity of the store's contents: its path, the ingest log and the derived tables' sizes."""
    parts: list[Any] = [str(getattr(store, "path", id(store)))]
    try:
        log = store.ingest_log()
        parts.append(len(log))
        parts.append(str(log.iloc[-1].to_dict()) if len(log) else "")
    except (AttributeError, duckdb.Error):  # a store without an ingest log is not cached across calls
        parts.append(id(store))
    for name in ("derived_option_indices", "derived_cb_market_deviation", "derived_cb_bond_deviation"):
        try:
            n = store.sql(f"SELECT count(*) AS n, max(date) AS d FROM {name}")
            parts.append(tuple(n.iloc[0]))
        except (AttributeError, duckdb.Error):  # table absent (or a store without SQL)
            parts.append(None)
    return tuple(parts)


def score_history(store, *, asof, start=None, proxies: Sequence[str] = (), registry: Registry | None = None,
                  cache: bool = True) -> RadarHistory:
    """Daily history of the 21 indicator scores, dimensions, categories, composite and coverage.

    ``asof``: the day the history is computed as of (inputs public by then; ``None`` = the store's last bar
    date). ``start``: first day returned (default: the grid's start, 2005-01-04; earlier data still warm up
    the windows). ``proxies``: ids of declared proxies to enable (``shibor_for_dr007``, ``aiae_m2``,
    ``margin_financing_only``, ``vix_for_rai``); a proxy is used only where its input is missing and is
    named in ``status``. Results are cached in memory per (store contents, asof, proxies).
    """
    reg = registry or load_registry()
    asof = resolve_asof(store, asof)
    if asof < GRID_START:
        raise ConfigError(explain("asof before the radar grid", f"on or after {GRID_START.date()}",
                                  str(asof.date()), "Pass a later asof."))
    prox = _check_proxies(reg, proxies)
    key = (_fingerprint(store), asof, prox, id(reg)) if cache else None
    hist = _CACHE.get(key) if key else None
    if hist is None:
        data = load_inputs(store, asof=asof, registry=reg)
        hist = compute_history(data, asof=asof, proxies=prox, registry=reg)
        if key:
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = hist
    if start is None:
        return hist
    keep = hist.scores.index >= pd.Timestamp(start)
    return dataclasses.replace(
        hist, scores=hist.scores.loc[keep], factors={k: v.loc[keep] for k, v in hist.factors.items()},
        dimensions=hist.dimensions.loc[keep], categories=hist.categories.loc[keep],
        composite=hist.composite.loc[keep], coverage=hist.coverage.loc[keep])


def clear_cache() -> None:
    """Forget every cached history."""
    _CACHE.clear()


# ---------------------------------------------------------------------------------------------- persisting
def update_history(store, *, asof=None, proxies: Sequence[str] = (), registry: Registry | None = None
                   ) -> pd.DataFrame:
    """Compute the history as of ``asof`` and upsert the days after the last stored one into the derived
    table ``radar_scores`` (date, the 21 scores, dimensions, categories, composite, coverage, proxies).

    Point-in-time makes this append-only: a stored day never changes when later data arrive, so only new
    days are written. Returns the rows written.
    """
    hist = score_history(store, asof=asof, proxies=proxies, registry=registry)
    prev = store.read_derived(SCORES_TABLE, asof=hist.asof)
    tag = ",".join(hist.proxies)
    if len(prev) and "proxies" in prev:
        prev = prev[prev["proxies"] == tag]
    frame = hist.frame.reset_index(names="date")
    if len(prev):
        frame = frame[frame["date"] > prev["date"].max()]
    frame = frame.assign(proxies=tag)
    frame.columns = [c.replace(":", "_") for c in frame.columns]
    if len(frame):
        store.write_derived(SCORES_TABLE, frame, key=["date", "proxies"])
    return frame


# ---------------------------------------------------------------------------------------------- weekly
@dataclass
class WeeklySnapshot:
    """This week vs last week: ``table`` (one row per indicator: dimension, group, category, last week,
    this week, change, source/proxy), ``dimensions`` / ``categories`` (last, this, change), ``composite``
    (this, last), the dates, ``coverage``, and the ``narrative`` paragraphs (zh and en)."""

    asof: pd.Timestamp
    this_date: pd.Timestamp
    last_date: pd.Timestamp | None
    table: pd.DataFrame
    dimensions: pd.DataFrame
    categories: pd.DataFrame
    composite: float
    composite_last: float
    coverage: float
    narrative: dict[str, list[str]]
    proxies: tuple[str, ...] = ()

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """JSON-ready dict (NaN → None)."""

        def clean(v: Any) -> Any:
            if isinstance(v, float) and math.isnan(v):
                return None
            if isinstance(v, np.floating):
                return None if np.isnan(v) else float(v)
            if isinstance(v, pd.Timestamp):
                return v.date().isoformat()
            return v

        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: clean(v) for k, v in r.items()} for r in df.reset_index().to_dict("records")]

        return {"asof": clean(self.asof), "this_week": clean(self.this_date),
                "last_week": clean(self.last_date) if self.last_date is not None else None,
                "composite": clean(self.composite), "composite_last_week": clean(self.composite_last),
                "coverage": clean(self.coverage), "proxies": list(self.proxies),
                "indicators": rows(self.table), "dimensions": rows(self.dimensions),
                "categories": rows(self.categories), "narrative": self.narrative.get(lang, [])}


def week_dates(days: pd.DatetimeIndex, asof) -> tuple[pd.Timestamp, pd.Timestamp | None]:
    """This week's date (last trading day ``<= asof``) and last week's (last trading day of an earlier
    calendar week)."""
    asof = pd.Timestamp(asof)
    upto = days[days <= asof]
    if not len(upto):
        raise DataError(explain("no trading day on or before asof", "a date inside the history", str(asof.date()),
                                "Pass a later asof."))
    this = upto[-1]
    week = this.to_period("W")
    earlier = upto[upto.to_period("W") < week]
    return this, (earlier[-1] if len(earlier) else None)


def weekly_snapshot(store, *, asof, proxies: Sequence[str] = (), registry: Registry | None = None
                    ) -> WeeklySnapshot:
    """The seed's weekly table (图表3) and its narrative, from :func:`score_history`."""
    hist = score_history(store, asof=asof, proxies=proxies, registry=registry)
    return snapshot_from_history(hist, asof=hist.asof)


def snapshot_from_history(hist: RadarHistory, *, asof) -> WeeklySnapshot:
    """:func:`weekly_snapshot` on an already computed history."""
    from cnradar.radar.narrative import narrative

    reg = hist.registry
    this, last = week_dates(hist.scores.index, asof)
    now_row = hist.at(this)
    last_row = hist.at(last) if last is not None else pd.Series(np.nan, index=now_row.index)
    rows = []
    for iid, spec in reg.indicators.items():
        st = hist.status.loc[iid]
        rows.append({"id": iid, "name_zh": spec.name_zh, "name_en": spec.name_en, "dimension": spec.dimension,
                     "group_zh": spec.group_zh, "group_en": spec.group_en, "category": spec.category,
                     "last_week": float(last_row[iid]), "this_week": float(now_row[iid]),
                     "change": float(now_row[iid] - last_row[iid]), "source": st["source"],
                     "proxy": st["proxy"], "proxy_name_zh": st["proxy_name_zh"],
                     "proxy_name_en": st["proxy_name_en"]})
    table = pd.DataFrame(rows).set_index("id")

    def block(prefix: str, ids: Sequence[str], names: dict) -> pd.DataFrame:
        b = pd.DataFrame({"name_zh": [names[i]["zh"] for i in ids], "name_en": [names[i]["en"] for i in ids],
                          "last_week": [float(last_row[f"{prefix}:{i}"]) for i in ids],
                          "this_week": [float(now_row[f"{prefix}:{i}"]) for i in ids]}, index=list(ids))
        return b.assign(change=b["this_week"] - b["last_week"])

    dims = block("dim", DIMENSIONS, reg.dimension_names)
    cats = block("cat", CATEGORIES, reg.category_names)
    snap = WeeklySnapshot(asof=pd.Timestamp(asof), this_date=this, last_date=last, table=table,
                          dimensions=dims, categories=cats, composite=float(now_row["composite"]),
                          composite_last=float(last_row["composite"]), coverage=float(now_row["coverage"]),
                          narrative={}, proxies=hist.proxies)
    snap.narrative = {"zh": narrative(snap, "zh"), "en": narrative(snap, "en")}
    return snap


__all__ = ["GRID_START", "IndicatorStatus", "RadarHistory", "WeeklySnapshot", "clear_cache", "compute_history",
           "compute_indicator", "load_inputs", "resolve_asof", "score_history", "snapshot_from_history",
           "update_history", "week_dates", "weekly_snapshot"]
