"""``generate_demo_bundle``: the synthetic demo universe as one data bundle (DESIGN.md, "The data bundle").

Layout written (large tables as Parquet with the CSV columns, DESIGN.md allows either)::

    meta.json                       synthetic = true, parameters, licence note
    instruments.csv                 every symbol (index, etf, stock, index_future, etf_option, convertible,
                                    commodity_future)
    bars/<kind>.csv|parquet         one file per kind
    bars_extra/convertible_analytics.csv   symbol, date, conversion_value, bond_floor, stock_close, balance
    series.csv, observations/{rates,macro,market}.csv|parquet
    option_adjustments.csv, convertible_terms.csv, index_dividends.csv
    truth/                          ground truth: regimes, dividends, futures sentiment, option vol surface
                                    parameters, CB model inputs and deviation, consensus errors, stress

Determinism: each family has its own seeded stream (``_common.family_rng``); nothing reads the clock; the
writer is byte-stable. The market is simulated ~13 months past ``end`` (inside the SSE calendar) so that the
dividends and prices that contracts listed at ``end`` depend on exist; nothing after ``end`` is written
except ``index_dividends.csv`` rows up to the last listed futures expiry (the dividend forecasts a basis
analyst has on ``end``) and ``truth/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from cnradar import calendar
from cnradar.errors import ConfigError, UnknownNameError, explain
from cnradar.sources.demo import commodities, convertibles, futures, macro, market, options
from cnradar.sources.demo._common import ewma, family_rng, regime_frame, regime_values
from cnradar.sources.demo._writer import write_json, write_table

GENERATOR_VERSION = "1"

TRUTH_README = """# Ground truth of the cnradar demo universe (SYNTHETIC)

Not part of the bundle format and not imported: these files hold what the simulator put in, so tests and
users can check that analytics recover it. Dates are SSE sessions unless stated.

| file | columns | meaning |
|---|---|---|
| regimes | start, end, label, mu, vol, smb, turnover, basis_large, basis_small, skew, cb_dev, table_start | market regimes inside the range (annualised log drift and vol of the CSI 300 factor, size drift, turnover multiplier, futures sentiment basis for IF/IH and IC/IM, option skew slope, CB valuation deviation) |
| dividends | index, ex_date, points | every simulated index dividend, including ex-dates after the range end |
| futures_sentiment | date, product, sentiment_basis | annualised sentiment s in F = (S e^{r tau} - D) e^{s tau} (r = log(1 + SHIBOR 3M)) |
| etf_dividends | ex_date, amount, prev_close | 510050.SH distributions (yuan per share) and the close before the ex-date |
| option_surface | date, sigma_short, sigma_long, skew, curvature, forward_sentiment | forward F = (S - PV(D)) e^{(r + forward_sentiment) T}; smile: sigma(K) = atm(T)(1 + skew x + curvature x^2), atm(T) = sigma_long + (sigma_short - sigma_long) e^{-T/0.25}, x = ln(K/F)/(atm sqrt T) clipped to +-4, T in years (calendar days / 365) |
| cb_inputs | symbol, stock, sigma, credit_spread, issue_size, called, call_date, resets, put_days, rows | per convertible: model vol, credit spread over CGB 10y, issue size (yuan), life-cycle events |
| cb_daily | symbol, date, conversion_price, model_value | the conversion price in force and the model value (bond floor + Black-Scholes conversion option) |
| cb_deviation | date, market_deviation | market-wide price / model value - 1 before the bond-specific noise |
| consensus_errors | series, period, release_date, value, consensus, surprise | first-release surprises (value - consensus) |
| stress | date, cn_stress, drawdown | the stress factor behind CDS (with the CSI 300 drawdown from its 250-day high) |
| commodity_factors | product, date, spot, slope, convenience_yield, seasonal_amplitude, seasonal_peak_month | F(t,T) = spot e^{slope tau + A[cos 2pi(m_T - peak)/12 - cos 2pi(m_t - peak)/12]} |
"""

#: parameter presets: ``generate_demo_bundle(out, **DEMO_PRESETS["small"])``
DEMO_PRESETS: dict[str, dict[str, object]] = {
    "default": {"start": "2012-01-04", "end": "2025-12-31", "n_stocks": 800, "n_convertibles": 120},
    "small": {"start": "2019-01-02", "end": "2023-06-30", "n_stocks": 60, "n_convertibles": 15},
}

INSTRUMENT_COLUMNS = ["symbol", "kind", "product", "exchange", "underlying", "multiplier", "list_date",
                      "last_trade_date", "strike", "right", "unit", "name"]


def _check(start: str, end: str, n_stocks: int, n_convertibles: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    try:
        a, b = pd.Timestamp(start), pd.Timestamp(end)
    except (ValueError, TypeError) as exc:
        raise ConfigError(explain("invalid demo date range", "ISO dates such as 2012-01-04", (start, end),
                                  "Pass --start and --end as YYYY-MM-DD.")) from exc
    lo, hi = pd.Timestamp(calendar.CALENDAR_START), pd.Timestamp(calendar.CALENDAR_END)
    if not (lo <= a and b <= hi and len(calendar.sessions(a, b)) >= 60):
        raise ConfigError(explain("invalid demo date range",
                                  f"start < end inside the SSE calendar {lo.date()}..{hi.date()}, at least 60 "
                                  "sessions", (str(a.date()), str(b.date())), "Choose a longer range inside it."))
    if n_stocks < 1 or n_convertibles < 0 or n_convertibles > n_stocks:
        raise ConfigError(explain("invalid demo size", "n_stocks >= 1 and 0 <= n_convertibles <= n_stocks",
                                  (n_stocks, n_convertibles), "Pass a positive stock count."))
    return a, b


def generate_demo_bundle(out_dir: str | Path, *, seed: int = 20240101, start: str = "2012-01-04",
                         end: str = "2025-12-31", n_stocks: int = 800, n_convertibles: int = 120,
                         commodity_products: list[str] | None = None, preset: str | None = None,
                         overwrite: bool = True) -> Path:
    """Write the synthetic demo universe as a bundle in ``out_dir`` and return the directory.

    Parameters: ``seed`` fixes every random draw (same seed and parameters → byte-identical files); ``start``
    and ``end`` the SSE sessions covered; ``n_stocks`` constituent stocks (CSI 800-like) for the new-high /
    new-low breadth; ``n_convertibles`` convertible bonds on some of those stocks; ``commodity_products`` a
    subset of the commodity catalogue's keys such as ``"CU.SHF"`` (all when ``None``); ``preset`` (a key of
    :data:`DEMO_PRESETS`) supplies start, end and sizes for every one of them left at its default;
    ``overwrite`` clears ``out_dir`` first.

    >>> from cnradar.sources.demo import generate_demo_bundle, DEMO_PRESETS
    >>> path = generate_demo_bundle("/tmp/demo", **DEMO_PRESETS["small"])  # doctest: +SKIP
    """
    if preset is not None:
        if preset not in DEMO_PRESETS:
            raise UnknownNameError("demo preset", preset, list(DEMO_PRESETS))
        chosen = {"start": start, "end": end, "n_stocks": n_stocks, "n_convertibles": n_convertibles}
        defaults = DEMO_PRESETS["default"]
        for k, v in DEMO_PRESETS[preset].items():
            if chosen[k] == defaults[k]:
                chosen[k] = v
        start, end = str(chosen["start"]), str(chosen["end"])
        n_stocks, n_convertibles = int(chosen["n_stocks"]), int(chosen["n_convertibles"])
    a, b = _check(start, end, n_stocks, n_convertibles)
    out = Path(out_dir)
    if out.exists() and overwrite:
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    days_out = calendar.sessions(a, b)
    sim_end = min(b + pd.Timedelta(days=400), pd.Timestamp(calendar.CALENDAR_END))
    days = calendar.sessions(a, sim_end)
    n_out = len(days_out)
    end_ts = days_out[-1]

    rates = macro.rate_paths(days, family_rng(seed, "rates"))
    r_cont = np.log1p(rates["shibor_3m"].to_numpy() / 100.0)
    mkt = market.simulate_market(days, family_rng(seed, "market"), family_rng(seed, "dividends"))
    shares = 20e12 / mkt.levels["000985.CSI"].iloc[0] * np.exp(
        0.07 * (days - days[0]).days.values / 365.25)
    float_cap = mkt.levels["000985.CSI"].to_numpy() * shares

    instruments: list[pd.DataFrame] = []
    bars: dict[str, pd.DataFrame] = {}
    truth: dict[str, pd.DataFrame] = {}

    # indices and stocks
    rng = family_rng(seed, "stocks")
    idx_bars = market.index_bars(mkt, rng, float_cap)
    bars["index"] = idx_bars[idx_bars["date"] <= end_ts]
    instruments.append(pd.DataFrame({"symbol": list(market.INDICES), "kind": "index",
                                     "exchange": ["SSE", "SSE", "SSE", "SSE", "CSI"],
                                     "name": [v[0] for v in market.INDICES.values()]}))
    universe = market.stock_universe(n_stocks, days_out, rng)
    stock_bars, stock_close = market.stock_bars(universe, _truncate(mkt, n_out), rng)
    bars["stock"] = stock_bars
    instruments.append(pd.DataFrame({
        "symbol": universe["symbol"], "kind": "stock", "exchange": np.where(
            universe["symbol"].str.endswith(".SH"), "SSE", "SZSE"),
        "list_date": days_out.values[universe["ipo_pos"].to_numpy()],
        "name": "demo stock " + universe["symbol"].str[:6]}))

    # dividends (true points; future ex-dates up to the last listed futures expiry)
    div = market.dividends_table(mkt)
    fut_bars, fut_instr, sentiment = futures.futures_bars(days, mkt.levels, mkt.dividend_points, r_cont,
                                                          mkt.turnover, family_rng(seed, "futures"), n_out)
    horizon = fut_instr["last_trade_date"].max() if len(fut_instr) else end_ts
    div_pub = div[div["ex_date"] <= horizon].reset_index(drop=True)
    truth["dividends"] = div
    bars["index_future"] = fut_bars
    instruments.append(fut_instr)
    truth["futures_sentiment"] = sentiment

    # 50ETF and its options
    etf = options.etf_path(days, mkt, family_rng(seed, "etf"))
    bars["etf"] = options.etf_bars(etf, family_rng(seed, "etf"), n_out)
    instruments.append(pd.DataFrame([{"symbol": options.ETF, "kind": "etf", "product": "50ETF",
                                      "exchange": "SSE", "underlying": "000016.SH",
                                      "name": "华夏上证50ETF (demo)"}]))
    # the options' forward carries the large-cap (IH) sentiment; before IH lists, the same smoothed regime level
    ih = sentiment[sentiment["product"] == "IH"].set_index("date")["sentiment_basis"].reindex(days)
    fallback = pd.Series(ewma(regime_values(days, "basis_large") * futures.PRODUCTS["IH"][3], 20.0), index=days)
    opt_sentiment = ih.fillna(fallback).to_numpy()
    opt = options.option_universe(days, etf, r_cont, mkt, family_rng(seed, "options"), n_out, opt_sentiment)
    if opt is not None:
        bars["etf_option"] = opt.bars
        instruments.append(opt.instruments)
        truth["option_surface"] = opt.surface
        truth["etf_dividends"] = etf.distributions[etf.distributions["ex_date"] <= end_ts]
    adjustments = opt.adjustments if opt is not None else pd.DataFrame(
        columns=["symbol", "effective_date", "strike_before", "strike_after", "unit_before", "unit_after"])

    # rates, macro, market-wide series
    obs_rates = macro.rates_observations(rates, days, end_ts)
    obs_macro, errors = macro.macro_observations(days_out, end_ts, family_rng(seed, "macro"))
    obs_market, stress = macro.market_observations(days, end_ts, mkt.levels, float_cap,
                                                   family_rng(seed, "risk"))
    truth["consensus_errors"] = errors
    truth["stress"] = stress

    # convertibles
    cb = convertibles.convertible_universe(universe, stock_close, days_out, rates.iloc[:n_out], n_convertibles,
                                           family_rng(seed, "convertibles"))
    if cb is not None:
        bars["convertible"] = cb.bars
        instruments.append(cb.instruments)
        truth["cb_inputs"] = cb.inputs
        truth["cb_deviation"] = cb.deviation
        truth["cb_daily"] = cb.daily

    # commodity futures
    com = commodities.commodity_futures(days_out, r_cont[:n_out], family_rng(seed, "commodities"),
                                        commodity_products)
    if com is not None:
        bars["commodity_future"] = com.bars
        instruments.append(com.instruments)
        truth["commodity_factors"] = com.truth

    truth["regimes"] = regime_frame(days_out)

    # write
    instr = pd.concat([i.reindex(columns=INSTRUMENT_COLUMNS) for i in instruments], ignore_index=True)
    files = [write_table(instr, out / "instruments")]
    for kind, frame in bars.items():
        files.append(write_table(frame.reset_index(drop=True), out / "bars" / kind))
    files.append(write_table(macro.series_table(), out / "series"))
    files.append(write_table(obs_rates, out / "observations" / "rates"))
    files.append(write_table(obs_macro, out / "observations" / "macro"))
    files.append(write_table(obs_market, out / "observations" / "market"))
    files.append(write_table(adjustments, out / "option_adjustments", parquet=False))
    files.append(write_table(div_pub, out / "index_dividends", parquet=False))
    if cb is not None:
        files.append(write_table(cb.terms, out / "convertible_terms", parquet=False))
        files.append(write_table(cb.analytics, out / "bars_extra" / "convertible_analytics"))
    for name, frame in truth.items():
        files.append(write_table(frame.reset_index(drop=True), out / "truth" / name))
    (out / "truth" / "README.md").write_text(TRUTH_README, encoding="utf-8")
    files.append(out / "truth" / "README.md")
    meta = {
        "name": "cnradar-demo",
        "description": "Synthetic Chinese-market universe generated by cnradar's demo simulator. NOT REAL DATA: "
                       "every price, rate and release is simulated.",
        "synthetic": True,
        "generator": {"module": "cnradar.sources.demo", "version": GENERATOR_VERSION, "seed": int(seed),
                      "start": str(days_out[0].date()), "end": str(end_ts.date()), "n_stocks": n_stocks,
                      "n_convertibles": n_convertibles,
                      "commodity_products": sorted(commodity_products) if commodity_products else "all"},
        "sources": [{"name": "cnradar demo simulator", "licence": "generated data, no third-party content"}],
        "extra_files": {"bars_extra/convertible_analytics": "symbol, date, conversion_value, bond_floor, "
                        "stock_close, balance (same layout as the real bundle)"},
        "truth": "truth/ holds the ground truth; it is not part of the bundle format and is not imported",
        "files": sorted(str(f.relative_to(out)) for f in files),
    }
    write_json(meta, out / "meta.json")
    return out


def _truncate(m: market.MarketPaths, n: int) -> market.MarketPaths:
    return market.MarketPaths(m.days[:n], m.r_m[:n], m.r_smb[:n], m.sigma[:n], m.levels.iloc[:n],
                              m.dividend_yield.iloc[:n], m.dividend_points.iloc[:n], m.turnover[:n])
