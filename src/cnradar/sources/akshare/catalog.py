"""What AkShare supplies: the series catalogue it writes and the seed inputs it can and cannot serve.

``SERIES`` is written to the bundle's ``series.csv`` (ids as in DESIGN.md and shared/data/real/series.csv).
``SEED_INPUTS`` is the coverage table shown by ``cnradar data sources``: every input the three seeds need, the
AkShare function(s) that serve it, or why AkShare cannot (those come from a user CSV bundle, imported with
``cnradar data import``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# id: (name, unit, frequency, release_rule)
SERIES: dict[str, tuple[str, str, str, str]] = {
    "cn.pmi.nbs_mfg": ("NBS manufacturing PMI (Jin10 release calendar)", "index", "monthly", "month_end+1"),
    "cn.pmi.nbs_nonmfg": ("NBS non-manufacturing PMI (Jin10 release calendar)", "index", "monthly", "month_end+1"),
    "cn.pmi.caixin_mfg": ("Caixin manufacturing PMI, final (Jin10)", "index", "monthly", "next_month_bday:1"),
    "cn.cpi.yoy": ("China CPI, year on year (Jin10)", "%", "monthly", "next_month_day:15"),
    "cn.ppi.yoy": ("China PPI, year on year (Jin10)", "%", "monthly", "next_month_day:15"),
    "cn.m2.yoy": ("M2, year on year (Jin10)", "%", "monthly", "next_month_day:15"),
    "cn.loans.new_rmb": ("New RMB loans, monthly flow (PBoC via Eastmoney)", "CNY", "monthly",
                         "next_month_day:15"),
    "cn.rate.lpr_1y": ("1-year loan prime rate", "%", "monthly", "same_day"),
    "cn.rate.lpr_5y": ("5-year loan prime rate", "%", "monthly", "same_day"),
    "cn.rate.dr001": ("FDR001 (depository-institution overnight repo fixing)", "%", "daily", "same_day"),
    "cn.rate.dr007": ("FDR007 (depository-institution 7-day repo fixing, DR007 proxy)", "%", "daily", "same_day"),
    "cn.rate.fr007": ("FR007 (7-day repo fixing)", "%", "daily", "same_day"),
    **{f"cn.rate.shibor_{t}": (f"SHIBOR {t.upper()}", "%", "daily", "same_day")
       for t in ("on", "1w", "2w", "1m", "3m", "6m", "9m", "1y")},
    "cn.rate.cgb_2y": ("2-year China government bond yield", "%", "daily", "same_day"),
    "cn.rate.cgb_5y": ("5-year China government bond yield", "%", "daily", "same_day"),
    "cn.rate.cgb_10y": ("10-year China government bond yield", "%", "daily", "same_day"),
    "cn.rate.cgb_30y": ("30-year China government bond yield", "%", "daily", "same_day"),
    "us.rate.ust_10y": ("10-year US Treasury yield", "%", "daily", "day+1"),
    "cn.margin.financing": ("Margin financing balance, SSE+SZSE (融资余额)", "CNY", "daily", "bday+1"),
    "cn.margin.lending": ("Securities lending balance, SSE+SZSE (融券余额)", "CNY", "daily", "bday+1"),
    "cn.margin.financing_purchase": ("Margin financing purchases, SSE+SZSE (融资买入额)", "CNY", "daily", "bday+1"),
    **{f"cn.breadth.{ix}.{k}{n}": (f"{name} constituents at a {n}-day {'high' if k == 'high' else 'low'}",
                                   "count", "daily", "same_day")
       for ix, name in (("csi300", "CSI 300"), ("sse50", "SSE 50"), ("csi500", "CSI 500"), ("all_a", "All A"))
       for k in ("high", "low") for n in (20, 60, 120)},
    **{f"cn.valuation.{ix}.{m}": (f"{name} {label}", "x", "daily", "same_day")
       for ix, name in (("csi300", "CSI 300"), ("csi800", "CSI 800"), ("csi500", "CSI 500"),
                        ("sse50", "SSE 50"), ("csi1000", "CSI 1000"))
       for m, label in (("pe_ttm", "PE TTM, cap-weighted (滚动市盈率)"), ("pe_static", "PE static (静态市盈率)"),
                        ("pe_median", "median constituent PE TTM"), ("pb", "PB, cap-weighted (市净率)"))},
    "cn.vol.qvix_50etf": ("50ETF option volatility index QVIX (close)", "index points", "daily", "same_day"),
}


@dataclass(frozen=True)
class SeedInput:
    """One input of the seeds and how (whether) AkShare supplies it."""

    input: str
    seed: str
    ids: str
    status: Literal["yes", "partial", "no"]
    functions: str
    note: str = ""


SEED_INPUTS: tuple[SeedInput, ...] = (
    SeedInput("CFFEX IF/IH/IC/IM per-contract daily bars with settle", "index-futures-basis", "*.CFE",
              "yes", "get_futures_daily(market='CFFEX')"),
    SeedInput("CFFEX contract listing / last trading day", "index-futures-basis", "instruments",
              "yes", "futures_contract_info_cffex + third-Friday rule"),
    SeedInput("Index bars with turnover (CSI 300, SSE 50, CSI 500, CSI 1000, CSI 800, CSI All-Share)",
              "timing-radar §四② §五; basis", "000300.SH ...", "yes", "index_zh_a_hist"),
    SeedInput("510050 / 510300 ETF bars", "timing-radar §六 6.1", "510050.SH", "yes", "fund_etf_hist_em"),
    SeedInput("SSE ETF option contracts incl. dividend-adjusted 'A' contracts", "timing-radar §六 6.1",
              "instruments, option_adjustments", "yes", "option_risk_indicator_sse"),
    SeedInput("SSE ETF option daily prices", "timing-radar §六 6.1", "bars/etf_option", "partial",
              "option_sse_daily_sina", "OHLC and volume only: no settle, no open interest"),
    SeedInput("NBS/Caixin PMI, CPI, PPI with release dates and consensus median", "timing-radar §二",
              "cn.pmi.*, cn.cpi.yoy, cn.ppi.yoy", "yes",
              "macro_china_pmi_yearly, macro_china_non_man_pmi, macro_china_cx_pmi_yearly, "
              "macro_china_cpi_yearly, macro_china_ppi_yearly"),
    SeedInput("Consensus dispersion (预期标准差) for the strength factors", "timing-radar §一④ §二②④",
              "consensus_std", "no", "-", "no free source publishes forecast dispersion: user CSV bundle"),
    SeedInput("New RMB loans", "timing-radar §一④", "cn.loans.new_rmb", "partial",
              "macro_china_new_financial_credit", "value only: no release date (rule) and no consensus"),
    SeedInput("Medium/long-term loans (中长期贷款)", "timing-radar §一③", "cn.loans.mlt", "no", "-",
              "not in AkShare: user CSV bundle (PBoC credit tables)"),
    SeedInput("DR007 / R007", "timing-radar §一①②", "cn.rate.dr007, cn.rate.fr007", "partial", "repo_rate_hist",
              "FDR007/FR007 fixings (from 2014-12); the weighted R007/DR007 averages are not in AkShare"),
    SeedInput("OMO 7-day reverse repo and MLF policy rates", "timing-radar §一①②",
              "cn.rate.omo_7d_policy, cn.rate.mlf_1y", "no", "-", "not in AkShare: user CSV step table"),
    SeedInput("SHIBOR curve", "timing-radar §一①", "cn.rate.shibor_*", "yes", "macro_china_shibor_all",
              "from 2017-03"),
    SeedInput("CGB 10y yield", "timing-radar §三①", "cn.rate.cgb_10y", "yes", "bond_zh_us_rate"),
    SeedInput("LPR", "timing-radar §一①", "cn.rate.lpr_1y, cn.rate.lpr_5y", "yes", "macro_china_lpr"),
    SeedInput("Margin financing / lending balances (SSE+SZSE)", "timing-radar §四4.1①", "cn.margin.*", "yes",
              "stock_margin_sse, stock_margin_szse"),
    SeedInput("CSI 800 one-year new highs / new lows", "timing-radar §五②", "cn.breadth.*", "partial",
              "stock_a_high_low_statistics", "CSI 300/SSE 50/CSI 500/all-A 20/60/120-day counts; no CSI 800, "
              "no 250-day window"),
    SeedInput("Index PE / PB (Shiller ERP earnings, PB)", "timing-radar §三①②", "cn.valuation.*", "yes",
              "stock_index_pe_lg, stock_index_pb_lg"),
    SeedInput("AIAE: CSI All-Share free-float cap and total entity debt", "timing-radar §三③", "-", "no", "-",
              "not in AkShare as a history: user CSV bundle"),
    SeedInput("China 5y sovereign CDS", "timing-radar §四4.2①", "cn.cds.5y", "no", "-",
              "Bloomberg/Wind only: supply it in a user CSV bundle (series cn.cds.5y)"),
    SeedInput("Citi RAI (global risk aversion)", "timing-radar §四4.2②", "global.risk_aversion", "no", "-",
              "Citi proprietary: supply it in a user CSV bundle (series global.risk_aversion)"),
    SeedInput("Convertible prices, conversion value, bond floor", "timing-radar §六6.2", "bars/convertible",
              "yes", "bond_zh_cov, bond_zh_hs_cov_daily, bond_zh_cov_value_analysis"),
    SeedInput("Convertible terms: coupons, maturity, call/put clauses", "timing-radar §六6.2",
              "convertible_terms", "partial", "bond_zh_cov_info",
              "call/put parsed from clause text; reset (下修) trigger not published as a field"),
    SeedInput("Conversion-price change log", "timing-radar §六6.2", "extra convertible_conversion_price", "yes",
              "bond_cb_adj_logs_jsl"),
    SeedInput("Commodity futures per-contract bars (SHFE/DCE/CZCE/INE/GFEX)", "commodity-index-methods",
              "*.SHF ...", "yes", "get_futures_daily"),
    SeedInput("Foreign futures per contract (NYMEX, COMEX, CBOT, ICE, LME) for GSCI/BCOM/CRB/RICI",
              "commodity-index-methods", "*.NYM ...", "no", "-",
              "AkShare has continuous foreign series only: user CSV bundle"),
    SeedInput("Index dividend points (basis dividend adjustment)", "index-futures-basis", "index_dividends",
              "no", "-", "not in AkShare: user CSV bundle or the demo's estimate"),
    SeedInput("50ETF option VIX/SKEW (computed from the option chain)", "timing-radar §六6.1",
              "cn.vol.qvix_50etf", "partial", "index_option_50etf_qvix",
              "QVIX as a cross-check; cnradar computes VIX/SKEW from the chain"),
)


def unsupplied() -> list[SeedInput]:
    """Seed inputs AkShare cannot supply at all (they come from a user CSV bundle)."""
    return [s for s in SEED_INPUTS if s.status == "no"]
