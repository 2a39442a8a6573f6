"""Rates, macro releases, valuation, margin and risk series of the demo (``series.csv`` + ``observations/``).

Point-in-time by construction: every observation carries its ``release_date``; monthly macro is released after
its reference month (NBS PMI on the first day of the next month, CPI/PPI on the 9th–12th, loans and TSF on
the 10th–14th of the next month, Caixin on the first trading day), revised values come as extra vintages with
a later ``release_date``, and ``consensus`` = value − surprise with the true surprise in
``truth/consensus_errors.csv``. Rates are in %, amounts in yuan.

Models (monthly ``m``, daily ``t``):

- policy rates (OMO 7-day, MLF 1-year) follow a step table shaped like the PBoC's; ``period`` = effective day;
- ``DR007_t = OMO_t + spread_t`` (AR(1) around 15 bp, quarter- and year-end spikes, a June-2013-like squeeze),
  ``R007 = DR007 + 5..40 bp``, SHIBOR O/N…1Y from DR007 and its 20/60/120/250-day averages plus term premia;
- CGB 10y: an anchor path plus AR(1) noise;
- growth cycle ``c_m`` from anchors (the Covid drop of February 2020 included) plus noise;
  ``PMI = 50 + 1.8 c_m + e``; CPI and PPI are price *indices* whose yoy follows anchors, so ``cpi.yoy`` and
  ``cpi.mom`` are consistent (``yoy_m = 100 (P_m / P_{m-12} − 1)``, ``mom_m = 100 (P_m / P_{m-1} − 1)``);
- loans have the January seasonality; TSF stock accumulates ~1.2× new loans; margin financing is a levered
  function of the all-share index (beta 2); CDS widens with drawdowns and global stress; the risk-aversion
  index, VIX and the 3-month T-bill live on US weekdays and are released the next day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar.sources.demo._common import ar1, ewma, interp_anchors, step_values

OMO_STEPS = [
    ("2005-01-01", 2.80), ("2008-11-27", 2.20), ("2011-01-20", 3.40), ("2012-06-08", 3.35),
    ("2014-11-24", 3.20), ("2015-03-02", 3.10), ("2015-06-29", 2.50), ("2015-08-26", 2.35),
    ("2015-10-26", 2.25), ("2017-02-03", 2.35), ("2017-03-16", 2.45), ("2017-12-14", 2.50),
    ("2018-03-22", 2.55), ("2019-11-18", 2.50), ("2020-03-30", 2.20), ("2022-01-17", 2.10),
    ("2022-08-15", 2.00), ("2023-06-13", 1.90), ("2023-08-15", 1.80), ("2024-07-22", 1.70),
    ("2025-05-08", 1.40),
]
MLF_STEPS = [
    ("2014-09-16", 3.50), ("2015-10-26", 3.25), ("2016-01-29", 3.00), ("2017-01-24", 3.10),
    ("2017-03-16", 3.20), ("2017-12-14", 3.25), ("2018-03-22", 3.30), ("2019-11-05", 3.25),
    ("2020-02-17", 3.15), ("2020-04-15", 2.95), ("2022-01-17", 2.85), ("2022-08-15", 2.75),
    ("2023-06-15", 2.65), ("2023-08-15", 2.50), ("2024-07-25", 2.30), ("2024-09-25", 2.00),
]
CGB_ANCHORS = [
    ("2005-01-01", 4.8), ("2008-12-31", 2.8), ("2011-09-01", 4.1), ("2012-07-01", 3.3), ("2013-11-20", 4.6),
    ("2016-10-20", 2.7), ("2017-11-20", 3.95), ("2019-01-01", 3.2), ("2020-04-10", 2.5), ("2020-11-20", 3.3),
    ("2022-01-01", 2.8), ("2023-02-01", 2.9), ("2024-12-31", 1.7), ("2025-12-31", 1.8),
]
GROWTH_ANCHORS = [
    ("2005-01-31", 1.0), ("2008-11-30", -5.0), ("2009-06-30", 2.0), ("2011-12-31", -0.3), ("2013-06-30", 0.2),
    ("2015-09-30", -1.5), ("2016-12-31", 0.8), ("2017-09-30", 1.2), ("2018-12-31", -0.8), ("2020-01-31", 0.0),
    ("2020-02-29", -8.0), ("2020-03-31", 1.0), ("2021-03-31", 1.5), ("2022-04-30", -2.5), ("2022-12-31", -2.2),
    ("2023-03-31", 1.6), ("2023-06-30", -0.5), ("2024-12-31", -0.2), ("2025-12-31", -0.3),
]
CPI_ANCHORS = [
    ("2005-01-31", 1.8), ("2008-02-29", 8.7), ("2009-07-31", -1.8), ("2011-07-31", 6.5), ("2012-10-31", 1.7),
    ("2013-10-31", 3.2), ("2015-01-31", 0.8), ("2016-06-30", 1.9), ("2017-01-31", 2.5), ("2017-06-30", 1.5),
    ("2019-10-31", 3.8), ("2020-01-31", 5.4), ("2020-11-30", -0.5), ("2021-06-30", 1.1), ("2022-09-30", 2.8),
    ("2023-07-31", -0.3), ("2024-06-30", 0.2), ("2025-03-31", -0.1), ("2025-12-31", 0.5),
]
PPI_ANCHORS = [
    ("2005-01-31", 5.0), ("2008-08-31", 10.0), ("2009-07-31", -8.0), ("2011-07-31", 7.5), ("2012-09-30", -3.6),
    ("2015-12-31", -5.9), ("2017-02-28", 7.8), ("2019-10-31", -1.6), ("2020-05-31", -3.7), ("2021-10-31", 13.5),
    ("2022-12-31", -0.7), ("2023-06-30", -5.4), ("2024-06-30", -0.8), ("2025-06-30", -3.6), ("2025-12-31", -2.0),
]
TBILL_ANCHORS = [
    ("2005-01-01", 2.2), ("2006-07-01", 5.0), ("2008-12-31", 0.05), ("2015-12-01", 0.25), ("2016-12-31", 0.5),
    ("2017-12-31", 1.35), ("2018-12-31", 2.4), ("2019-07-31", 2.1), ("2020-03-31", 0.1), ("2021-12-31", 0.05),
    ("2022-06-30", 1.6), ("2022-12-31", 4.3), ("2023-07-31", 5.4), ("2024-08-31", 5.2), ("2024-12-31", 4.3),
    ("2025-12-31", 3.7),
]
#: global stress events (date, size, decay days): they drive VIX, the risk-aversion index and CDS
STRESS_EVENTS = [
    ("2008-10-10", 4.0, 90), ("2010-05-20", 1.5, 30), ("2011-08-08", 2.2, 60), ("2013-06-20", 0.8, 15),
    ("2015-08-24", 2.0, 30), ("2016-01-20", 1.5, 30), ("2016-06-24", 0.9, 15), ("2018-02-05", 1.3, 20),
    ("2018-12-24", 1.3, 25), ("2020-03-16", 3.5, 60), ("2022-03-07", 1.4, 40), ("2022-10-12", 1.0, 30),
    ("2023-03-13", 1.0, 20), ("2024-08-05", 1.2, 10), ("2025-04-07", 2.0, 20),
]

SERIES: list[tuple[str, str, str, str, str]] = [  # id, name, unit, frequency, release_rule
    ("cn.rate.dr007", "DR007 (demo)", "%", "daily", "same_day"),
    ("cn.rate.r007", "R007 (demo)", "%", "daily", "same_day"),
    ("cn.rate.omo_7d_policy", "PBoC 7-day reverse repo, steps; period = effective date (demo)", "%", "irregular",
     "same_day"),
    ("cn.rate.omo_7d", "PBoC 7-day reverse repo, month-end (demo)", "%", "monthly", "same_day"),
    ("cn.rate.mlf_1y", "PBoC 1-year MLF, steps; period = effective date (demo)", "%", "irregular", "same_day"),
    *[(f"cn.rate.shibor_{t}", f"SHIBOR {t.upper()} (demo)", "%", "daily", "same_day")
      for t in ("on", "1w", "2w", "1m", "3m", "6m", "9m", "1y")],
    ("cn.rate.cgb_10y", "10-year CGB yield (demo)", "%", "daily", "same_day"),
    ("cn.loans.mlt", "New medium/long-term RMB loans (demo)", "CNY", "monthly", "next_month_day:15"),
    ("cn.loans.new_rmb", "New RMB loans (demo)", "CNY", "monthly", "next_month_day:15"),
    ("cn.tsf.stock", "Total social financing, stock (demo)", "CNY", "monthly", "next_month_day:15"),
    ("cn.pmi.nbs_mfg", "NBS manufacturing PMI (demo)", "index", "monthly", "month_end+1"),
    ("cn.pmi.nbs_nonmfg", "NBS non-manufacturing PMI (demo)", "index", "monthly", "month_end+1"),
    ("cn.pmi.caixin_mfg", "Caixin manufacturing PMI (demo)", "index", "monthly", "next_month_bday:1"),
    ("cn.cpi.yoy", "CPI, year on year (demo)", "%", "monthly", "next_month_day:15"),
    ("cn.cpi.mom", "CPI, month on month (demo)", "%", "monthly", "next_month_day:15"),
    ("cn.ppi.yoy", "PPI, year on year (demo)", "%", "monthly", "next_month_day:15"),
    ("cn.valuation.csi300.pe_ttm", "CSI 300 PE TTM (demo)", "x", "daily", "same_day"),
    ("cn.valuation.csi300.pb", "CSI 300 PB (demo)", "x", "daily", "same_day"),
    ("cn.market.float_cap", "A-share free-float market cap (demo)", "CNY", "daily", "same_day"),
    ("cn.margin.financing", "Margin financing balance (demo)", "CNY", "daily", "bday+1"),
    ("cn.margin.lending", "Securities lending balance (demo)", "CNY", "daily", "bday+1"),
    ("cn.cds.5y", "China 5-year sovereign CDS (demo)", "bp", "daily", "day+1"),
    ("global.risk_aversion", "Global risk-aversion index, RAI-like (demo)", "index", "daily", "day+1"),
    ("us.vix", "VIX (demo)", "index points", "daily", "day+1"),
    ("us.tbill.3m", "US 3-month T-bill (demo)", "%", "daily", "day+1"),
]


def series_table() -> pd.DataFrame:
    """``series.csv`` of the demo."""
    df = pd.DataFrame(SERIES, columns=["series", "name", "unit", "frequency", "release_rule"])
    df["source"] = "cnradar demo simulator (synthetic)"
    return df[["series", "name", "unit", "frequency", "source", "release_rule"]]


def _obs(series: str, period, release, value, consensus=None, consensus_std=None) -> pd.DataFrame:
    n = len(value)
    return pd.DataFrame({
        "series": series, "period": pd.DatetimeIndex(period).values,
        "release_date": pd.DatetimeIndex(release).values, "value": np.asarray(value, dtype=float),
        "consensus": np.full(n, np.nan) if consensus is None else np.asarray(consensus, dtype=float),
        "consensus_std": np.full(n, np.nan) if consensus_std is None else np.asarray(consensus_std, dtype=float),
    })


def _next_session(days: pd.DatetimeIndex, dates: pd.DatetimeIndex | np.ndarray, k: int = 1) -> np.ndarray:
    """The k-th SSE session strictly after each date (dates past the range step calendar days)."""
    pos = np.searchsorted(days.values, np.asarray(dates, dtype="datetime64[ns]"), side="right") + k - 1
    ok = pos < len(days)
    out = np.asarray(dates, dtype="datetime64[ns]") + np.timedelta64(k, "D")
    out[ok] = days.values[pos[ok]]
    return out


def rate_paths(days: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """Daily rates in % (columns: omo, mlf, dr007, r007, shibor_*, cgb_10y) on ``days``."""
    n = len(days)
    omo = step_values(days, OMO_STEPS)
    mlf = step_values(days, MLF_STEPS)
    spread = 0.15 + ar1(rng, n, 0.9, 0.05)
    s = pd.Series(np.arange(n), index=days)
    # quarter-end / year-end liquidity: the last 5 sessions of each quarter, bigger in December
    qkey = days.year * 10 + (days.month - 1) // 3
    rank_from_end = s.groupby(qkey).rank(ascending=False).to_numpy()
    q_end = (rank_from_end <= 5) * (0.25 + 0.35 * (days.month == 12))
    squeeze = np.exp(-np.abs((days - pd.Timestamp("2013-06-20")).days.values) / 6.0) * 5.0
    corridor = np.where(days < pd.Timestamp("2015-10-26"), 0.6, 0.0)  # before the corridor: wider swings
    dr007 = omo + np.maximum(spread + q_end + squeeze + corridor * (1 + ar1(rng, n, 0.95, 0.2)), -0.3)
    r007 = dr007 + 0.05 + 0.08 * np.abs(ar1(rng, n, 0.8, 0.5)) + 0.5 * q_end + 0.3 * squeeze
    on = dr007 - 0.25 + 0.12 * ar1(rng, n, 0.7, 0.5)
    w1 = dr007 + 0.02 + 0.05 * rng.standard_normal(n)
    w2 = dr007 + 0.15 + 0.05 * rng.standard_normal(n)
    m1 = ewma(dr007, 20) + 0.40 + 0.02 * rng.standard_normal(n)
    m3 = ewma(dr007, 60) + 0.60 + 0.05 * ar1(rng, n, 0.99, 0.1)
    m6 = ewma(dr007, 120) + 0.72 + 0.05 * ar1(rng, n, 0.99, 0.1)
    m9 = ewma(dr007, 180) + 0.78 + 0.05 * ar1(rng, n, 0.99, 0.1)
    y1 = ewma(dr007, 250) + 0.85 + 0.05 * ar1(rng, n, 0.99, 0.1)
    cgb = interp_anchors(days, CGB_ANCHORS) + ar1(rng, n, 0.98, 0.02)
    return pd.DataFrame({
        "omo": omo, "mlf": mlf, "dr007": dr007, "r007": r007, "shibor_on": on, "shibor_1w": w1, "shibor_2w": w2,
        "shibor_1m": m1, "shibor_3m": m3, "shibor_6m": m6, "shibor_9m": m9, "shibor_1y": y1, "cgb_10y": cgb,
    }, index=days)


def _steps_obs(series: str, steps: list[tuple[str, float]], days: pd.DatetimeIndex, out_end: pd.Timestamp
               ) -> pd.DataFrame:
    """One row per step (period = effective trading day), plus the prevailing rate at the demo's start."""
    start = days[0]
    eff = _next_session(days, pd.DatetimeIndex([s for s, _ in steps]) - pd.Timedelta(days=1))
    vals = np.array([v for _, v in steps])
    keep = (eff > np.datetime64(start)) & (eff <= np.datetime64(out_end))
    prevailing = step_values(pd.DatetimeIndex([start]), steps)
    per = [np.datetime64(start, "ns"), *eff[keep]]
    val = [float(prevailing[0]), *vals[keep]]
    return _obs(series, per, per, val)


def rates_observations(rates: pd.DataFrame, days: pd.DatetimeIndex, out_end: pd.Timestamp) -> pd.DataFrame:
    """Observations of every rate series (daily, same-day release; policy steps; month-end OMO)."""
    d = rates.loc[:out_end]
    frames = [_obs(f"cn.rate.{c}", d.index, d.index, np.round(d[c].to_numpy(), 4))
              for c in ("dr007", "r007", "shibor_on", "shibor_1w", "shibor_2w", "shibor_1m", "shibor_3m",
                        "shibor_6m", "shibor_9m", "shibor_1y", "cgb_10y")]
    frames.append(_steps_obs("cn.rate.omo_7d_policy", OMO_STEPS, days, out_end))
    mlf_days = days[days >= pd.Timestamp("2014-09-16")]
    if len(mlf_days):
        frames.append(_steps_obs("cn.rate.mlf_1y", MLF_STEPS, mlf_days, out_end))
    month_end = d.groupby([d.index.year, d.index.month]).tail(1)
    per = month_end.index + pd.offsets.MonthEnd(0)
    frames.append(_obs("cn.rate.omo_7d", per, month_end.index, month_end["omo"].to_numpy()))
    return pd.concat(frames, ignore_index=True)


def _price_index(months: pd.DatetimeIndex, yoy_target: np.ndarray, season: np.ndarray, noise: np.ndarray
                 ) -> np.ndarray:
    """A price level whose 12-month change tracks ``yoy_target`` (%): log P_m = log P_{m-12} + log(1+yoy/100)
    + noise, started from one seasonal year. Vectorised per calendar-month lag (12 interleaved chains)."""
    n = len(months)
    logp = np.zeros(n)
    logp[:12] = np.cumsum(season[:12]) - season[0]
    inc = np.log1p(yoy_target / 100.0) + noise
    for lag in range(12):  # 12 chains, each a cumulative sum: a loop over calendar months, not rows
        idx = np.arange(lag + 12, n, 12)
        logp[idx] = logp[lag] + np.cumsum(inc[idx])
    return np.exp(logp)


def _release(periods: pd.DatetimeIndex, day_lo: int, day_hi: int, rng: np.random.Generator,
             same_month: bool = False) -> pd.DatetimeIndex:
    """Release dates: in the next month on a day in [day_lo, day_hi], or (same_month) the day after the period
    end."""
    if same_month:  # NBS PMI: the day after the reference month ends (the series' rule month_end+1)
        return periods + pd.Timedelta(days=1)
    first_next = periods + pd.Timedelta(days=1)
    return first_next + pd.to_timedelta(rng.integers(day_lo - 1, day_hi, len(periods)), unit="D")


def macro_observations(days: pd.DatetimeIndex, out_end: pd.Timestamp, rng: np.random.Generator
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly macro releases with consensus, dispersion and revisions; returns (observations, true errors)."""
    first = (days[0] - pd.DateOffset(months=13)) + pd.offsets.MonthEnd(0)
    months = pd.date_range(first, out_end + pd.offsets.MonthEnd(0), freq="ME")
    n = len(months)
    c = interp_anchors(months, GROWTH_ANCHORS) + ar1(rng, n, 0.5, 0.35)
    mfg = np.round(50.0 + 1.8 * c + 0.25 * rng.standard_normal(n), 1)
    nonmfg = np.round(53.5 + 1.5 * c + 0.5 * ar1(rng, n, 0.5, 0.6), 1)
    caixin = np.round(50.3 + 1.6 * c + 0.7 * ar1(rng, n, 0.4, 0.8), 1)
    cpi_season = np.log1p(np.array([0.9, 1.0, -0.6, -0.2, -0.3, -0.2, 0.3, 0.3, 0.4, 0.1, -0.2, 0.2]) / 100)
    cpi = _price_index(months, interp_anchors(months, CPI_ANCHORS), np.roll(cpi_season, -(months[0].month - 1)),
                       0.0015 * rng.standard_normal(n))
    ppi = _price_index(months, interp_anchors(months, PPI_ANCHORS), np.zeros(12), 0.003 * rng.standard_normal(n))
    cpi_yoy = np.round(100 * (cpi[12:] / cpi[:-12] - 1), 1)
    cpi_mom = np.round(100 * (cpi[12:] / cpi[11:-1] - 1), 1)
    ppi_yoy = np.round(100 * (ppi[12:] / ppi[:-12] - 1), 1)
    per = months[12:]
    k = len(per)
    # loans: trend x January seasonality x cycle
    years = per.year.values + (per.month.values - 1) / 12.0
    trend = 0.65e12 * np.exp(0.08 * (years - 2012.0))
    seas = np.array([3.2, 1.0, 1.6, 1.0, 0.8, 1.5, 0.5, 1.0, 1.4, 0.6, 0.9, 0.9])[per.month.values - 1]
    new_loans = np.round(trend * seas * np.exp(0.08 * c[12:] + 0.12 * rng.standard_normal(k)), -8)
    mlt = np.round(new_loans * np.clip(0.6 + 0.1 * rng.standard_normal(k), 0.2, 0.95), -8)
    tsf0 = 90e12 * np.exp(0.13 * (per[0].year + (per[0].month - 1) / 12 - 2012.0))
    tsf_stock = np.round(tsf0 + np.cumsum(new_loans * 1.25), -9)
    cases = {  # id -> (values, surprise sd, dispersion, release day range or 'pmi'/'caixin', decimals)
        "cn.pmi.nbs_mfg": (mfg[12:], 0.45, 0.35, "pmi", 1),
        "cn.pmi.nbs_nonmfg": (nonmfg[12:], 0.6, 0.4, "pmi", 1),
        "cn.pmi.caixin_mfg": (caixin[12:], 0.8, 0.5, "caixin", 1),
        "cn.cpi.yoy": (cpi_yoy, 0.2, 0.15, (9, 12), 1),
        "cn.cpi.mom": (cpi_mom, 0.15, 0.1, (9, 12), 1),
        "cn.ppi.yoy": (ppi_yoy, 0.3, 0.25, (9, 12), 1),
        "cn.loans.new_rmb": (new_loans, None, None, (10, 14), -8),
        "cn.loans.mlt": (mlt, None, None, (10, 14), -8),
        "cn.tsf.stock": (tsf_stock, None, None, (10, 14), -9),
    }
    frames, errors = [], []
    cpi_release = None
    loans_release = None
    for sid, (vals, sd, disp, rule, dec) in cases.items():
        if rule == "pmi":
            rel = _release(per, 0, 0, rng, same_month=True)
        elif rule == "caixin":
            rel = pd.DatetimeIndex(_next_session(days, per, 1))
        elif sid.startswith(("cn.cpi", "cn.ppi")):
            cpi_release = _release(per, *rule, rng) if cpi_release is None else cpi_release
            rel = cpi_release
        else:
            loans_release = _release(per, *rule, rng) if loans_release is None else loans_release
            rel = loans_release
        if sd is None:  # flows: consensus in relative terms
            sd_abs = 0.12 * np.abs(vals)
            disp_abs = 0.08 * np.abs(vals)
        else:
            sd_abs = np.full(k, sd)
            disp_abs = np.full(k, disp)
        surprise = sd_abs * rng.standard_normal(k)
        consensus = np.round(vals - surprise, dec)
        cstd = np.round(disp_abs * np.exp(0.3 * rng.standard_normal(k)), 3 if dec > 0 else -7)
        if sid in ("cn.tsf.stock", "cn.loans.mlt"):
            consensus = np.full(k, np.nan)
            cstd = np.full(k, np.nan)
        keep = rel <= out_end
        frames.append(_obs(sid, per[keep], rel[keep], vals[keep], consensus[keep], cstd[keep]))
        errors.append(pd.DataFrame({"series": sid, "period": per[keep], "release_date": rel[keep],
                                    "value": vals[keep], "consensus": consensus[keep],
                                    "surprise": np.round(vals[keep] - consensus[keep], 6)}))
        if sid.startswith(("cn.loans", "cn.tsf")):
            # revisions: ~25 % of periods are revised by up to ±3 % at the next month's release
            revised = (rng.random(k) < 0.25) & keep
            rev_rel = (rel + pd.DateOffset(months=1))
            revised &= np.asarray(rev_rel <= out_end)
            rv = np.round(vals * (1 + 0.015 * rng.standard_normal(k)), dec)
            frames.append(_obs(sid, per[revised], rev_rel[revised], rv[revised], consensus[revised],
                               cstd[revised]))
    return pd.concat(frames, ignore_index=True), pd.concat(errors, ignore_index=True)


def years_from_start(days: pd.DatetimeIndex) -> np.ndarray:
    return (days - days[0]).days.values / 365.25


def stress_path(dates: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Global stress: event kernels (5-day build-up, exponential decay) plus an AR(1) background."""
    t = dates.values.astype("datetime64[D]").astype("int64").astype(float)
    s = np.zeros(len(dates))
    for d, size, decay in STRESS_EVENTS:  # a loop over ~15 events, vectorised over days
        e = float(np.datetime64(d, "D").astype("int64"))
        dt = t - e
        s += size * np.where(dt >= 0, np.exp(-np.maximum(dt, 0.0) / decay), np.exp(np.minimum(dt, 0.0) / 3.0) * (dt > -10))
    return s + ar1(rng, len(dates), 0.985, 0.05)


def market_observations(days: pd.DatetimeIndex, out_end: pd.Timestamp, levels: pd.DataFrame,
                        float_cap: np.ndarray, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Valuation, float cap, margin, CDS, risk aversion, VIX and T-bill; returns (observations, stress truth)."""
    n = len(days)
    out = days <= out_end
    d = days[out]
    csi = levels["000300.SH"].to_numpy()
    allshare = levels["000985.CSI"].to_numpy()
    years = years_from_start(days)
    months_idx = days.year * 12 + days.month
    quarter_step = (months_idx // 3).astype(float)
    eps_noise = pd.Series(0.03 * rng.standard_normal(n)).groupby(quarter_step).transform("first").to_numpy()
    # earnings and book value follow the index with a lag (a 250-session EWMA of its log level), so PE and PB
    # swing with the cycle (rich in bubbles, cheap after crashes) around ~11x and ~1.4x
    trend = ewma(np.log(csi / csi[0]), 250.0)
    eps = 3000.0 / 11.0 * np.exp(0.8 * trend + 0.03 * years + eps_noise)   # updated quarterly
    bvps = 3000.0 / 1.4 * np.exp(0.8 * trend + 0.04 * years)
    pe = np.round(csi / eps, 2)
    pb = np.round(csi / bvps, 3)
    # margin financing: two-times levered on the all-share index plus 5 %/yr growth and an AR(1) wiggle,
    # anchored at the start to a level of the era (0.35 tn yuan in 2012, 0.9 tn in 2019, 1.5 tn in 2024)
    m0 = interp_anchors(days[:1], [("2012-01-01", 0.35e12), ("2019-01-01", 0.9e12), ("2024-01-01", 1.5e12)])[0]
    margin = m0 * np.exp(2.0 * np.log(allshare / allshare[0]) + 0.05 * years_from_start(days)
                         + ar1(rng, n, 0.99, 0.004))
    lend_ratio = interp_anchors(days, [("2012-01-01", 0.005), ("2015-06-01", 0.004), ("2019-07-22", 0.01),
                                       ("2021-06-30", 0.06), ("2023-10-22", 0.04), ("2024-07-11", 0.015),
                                       ("2025-12-31", 0.012)])
    lending = margin * lend_ratio * np.exp(0.03 * ar1(rng, n, 0.95, 0.3))
    peak = pd.Series(csi).rolling(250, min_periods=1).max().to_numpy()
    drawdown = 1 - csi / peak
    s_cn = stress_path(days, rng)
    cds = 45.0 + 18.0 * s_cn + 150.0 * drawdown + 5.0 * ar1(rng, n, 0.97, 0.3)
    frames = [
        _obs("cn.valuation.csi300.pe_ttm", d, d, pe[out]),
        _obs("cn.valuation.csi300.pb", d, d, pb[out]),
        _obs("cn.market.float_cap", d, d, np.round(float_cap[out], -6)),
        _obs("cn.margin.financing", d, _next_session(days, d), np.round(margin[out], -4)),
        _obs("cn.margin.lending", d, _next_session(days, d), np.round(lending[out], -4)),
        _obs("cn.cds.5y", d, d + pd.Timedelta(days=1), np.round(np.maximum(cds[out], 15.0), 2)),
    ]
    us = pd.bdate_range(days[0], out_end)
    s = stress_path(us, rng)
    rai = np.round(-0.3 + 0.9 * s + 0.15 * ar1(rng, len(us), 0.9, 0.4), 3)
    vix = np.round(np.maximum(14.0 * np.exp(0.45 * s + 0.05 * ar1(rng, len(us), 0.9, 0.5)), 9.0), 2)
    tb = np.round(np.maximum(interp_anchors(us, TBILL_ANCHORS) + 0.03 * rng.standard_normal(len(us)), 0.0), 3)
    rel = us + pd.Timedelta(days=1)
    frames += [_obs("global.risk_aversion", us, rel, rai), _obs("us.vix", us, rel, vix),
               _obs("us.tbill.3m", us, rel, tb)]
    truth = pd.DataFrame({"date": d, "cn_stress": np.round(s_cn[out], 4), "drawdown": np.round(drawdown[out], 4)})
    obs = pd.concat(frames, ignore_index=True)
    return obs[obs["release_date"] <= out_end + pd.Timedelta(days=1)].reset_index(drop=True), truth
