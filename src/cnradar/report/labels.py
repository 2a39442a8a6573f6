"""Words the report puts on numbers: the composite's view, each dimension's signal, names and colours.

The seed (``seeds/timing-radar.txt``, 本周综合打分) prints the composite with a view word — "当前的综合打分为
-0.11分，整体为中性偏空观点" — and each dimension with a signal strength — "-0.75分 … 发出显著看空信号",
"0.00分 … 无显著信号", "0.50分，维持显著看多信号". It never states the cut-offs, so the report fixes them here
(parameters, documented):

**Composite view** (``composite_label``): the radar's own bands, ``cnradar.radar.narrative.overall_view``
(one definition, so the summary box and the narrative paragraph never disagree): c >= 0.5 看多, 0 < c < 0.5
中性偏多, c == 0 中性, -0.5 <= c < 0 中性偏空, c < -0.5 看空. The seed's -0.11 is 中性偏空, as printed.

**Dimension / category signal** (``signal_label``), score ``s`` and threshold ``u`` (default 0.5):
``s >= u`` 显著看多, ``0 < s < u`` 偏多, ``s == 0`` 无显著信号, ``-u < s < 0`` 偏空, ``s <= -u`` 显著看空.
This reproduces every dimension sentence of the seed's week (-0.75 and -0.575 显著看空, 0.50 显著看多, 0.00
无显著信号).

**Colours**: the Chinese market convention (``lang="zh"``) shows rising/bullish in red and falling/bearish in
green; the English report uses the Western convention (green up, red down).
"""

from __future__ import annotations

import math
from typing import Literal

from cnradar.radar.narrative import overall_view, view_bands_text

Lang = Literal["zh", "en"]

SIGNAL_THRESHOLD = 0.5

#: Dimension ids (``cnradar.radar`` registry) in the hexagon's clockwise order, starting at the top.
DIMENSIONS: tuple[str, ...] = ("liquidity", "economy", "valuation", "flows", "technical", "crowding")
#: Category ids in the seed's order (图表2).
CATEGORIES: tuple[str, ...] = ("valuation", "macro", "flows_trend", "crowding_reversal")

DIMENSION_NAMES: dict[str, dict[str, str]] = {
    "liquidity": {"zh": "流动性", "en": "Liquidity"},
    "economy": {"zh": "经济面", "en": "Economy"},
    "valuation": {"zh": "估值面", "en": "Valuation"},
    "flows": {"zh": "资金面", "en": "Capital flows"},
    "technical": {"zh": "技术面", "en": "Technicals"},
    "crowding": {"zh": "拥挤度", "en": "Crowding"},
}
CATEGORY_NAMES: dict[str, dict[str, str]] = {
    "valuation": {"zh": "估值性价比", "en": "Valuation"},
    "macro": {"zh": "宏观基本面", "en": "Macro fundamentals"},
    "flows_trend": {"zh": "资金&趋势", "en": "Flows & trend"},
    "crowding_reversal": {"zh": "拥挤度&反转", "en": "Crowding & reversal"},
}

#: Display metadata of the 21 indicators (seed 图表3 order), used when the radar registry is not importable.
#: Tuple: id, zh, en, dimension, category.
INDICATORS: tuple[tuple[str, str, str, str, str], ...] = (
    ("monetary_direction", "货币方向", "Monetary direction", "liquidity", "macro"),
    ("monetary_strength", "货币强度", "Monetary strength", "liquidity", "macro"),
    ("credit_direction", "信用方向", "Credit direction", "liquidity", "macro"),
    ("credit_strength", "信用强度", "Credit strength", "liquidity", "macro"),
    ("growth_direction", "增长方向", "Growth direction", "economy", "macro"),
    ("growth_strength", "增长强度", "Growth strength", "economy", "macro"),
    ("inflation_direction", "通胀方向", "Inflation direction", "economy", "macro"),
    ("inflation_strength", "通胀强度", "Inflation strength", "economy", "macro"),
    ("shiller_erp", "席勒ERP", "Shiller ERP", "valuation", "valuation"),
    ("pb", "PB", "PB", "valuation", "valuation"),
    ("aiae", "AIAE", "AIAE", "valuation", "valuation"),
    ("margin_increment", "两融增量", "Margin increment", "flows", "flows_trend"),
    ("turnover_trend", "成交额趋势", "Turnover trend", "flows", "flows_trend"),
    ("china_cds", "中国主权CDS利差", "China sovereign CDS", "flows", "flows_trend"),
    ("risk_aversion", "海外风险厌恶指数", "Global risk aversion", "flows", "flows_trend"),
    ("price_trend", "价格趋势", "Price trend", "technical", "flows_trend"),
    ("new_high_low", "新高新低", "New highs / new lows", "technical", "crowding_reversal"),
    ("option_implied_basis", "期权隐含升贴水", "Option-implied basis", "crowding", "crowding_reversal"),
    ("option_vix", "期权VIX", "Option VIX", "crowding", "crowding_reversal"),
    ("option_skew", "期权SKEW", "Option SKEW", "crowding", "crowding_reversal"),
    ("cb_pricing_deviation", "可转债定价偏离度", "Convertible pricing deviation", "crowding", "crowding_reversal"),
)

_SIGNAL_WORDS = {
    "zh": ("显著看多", "偏多", "无显著信号", "偏空", "显著看空", "无数据"),
    "en": ("Strongly bullish", "Mildly bullish", "No clear signal", "Mildly bearish", "Strongly bearish", "No data"),
}


def composite_label(composite: float, lang: Lang = "zh") -> str:
    """The composite's view word (看多 / 中性偏多 / 中性偏空 / 看空; 中性 at exactly 0); see the module docstring.

    >>> composite_label(-0.10875)
    '中性偏空'

    A NaN composite (no indicator had data) gives "无数据" / "No data".
    """
    if composite is None or not math.isfinite(float(composite)):
        return _SIGNAL_WORDS[lang][5]
    word = overall_view(float(composite), lang)
    return word if lang == "zh" else word[:1].upper() + word[1:]


def composite_bands_text(lang: Lang) -> str:
    """The bands as one line for the report's summary note."""
    return view_bands_text(lang)


def signal_label(score: float, lang: Lang = "zh", threshold: float = SIGNAL_THRESHOLD) -> str:
    """A dimension's or category's signal strength in the seed's words (显著看多 … 显著看空, 无显著信号)."""
    words = _SIGNAL_WORDS[lang]
    if score is None or not math.isfinite(float(score)):
        return words[5]
    s = float(score)
    if s >= threshold:
        return words[0]
    if s > 0:
        return words[1]
    if s == 0:
        return words[2]
    if s > -threshold:
        return words[3]
    return words[4]


def up_down_colors(lang: Lang) -> tuple[str, str]:
    """(bullish colour, bearish colour): red-up in the Chinese report, green-up in the English one."""
    red, green = "#d62728", "#2ca02c"
    return (red, green) if lang == "zh" else (green, red)


def score_color(score: float, lang: Lang) -> str:
    """Background colour of a score cell: bullish/bearish hue with opacity growing with |score|; grey for NaN."""
    if score is None or not math.isfinite(float(score)):
        return "rgba(160,160,160,0.25)"
    up, down = up_down_colors(lang)
    hexcol = up if score > 0 else down
    r, g, b = (int(hexcol[i : i + 2], 16) for i in (1, 3, 5))
    alpha = 0.0 if score == 0 else 0.15 + 0.55 * min(abs(float(score)), 1.0)
    return f"rgba({r},{g},{b},{alpha:.2f})"


def name_of(kind: Literal["dimension", "category"], key: str, lang: Lang) -> str:
    table = DIMENSION_NAMES if kind == "dimension" else CATEGORY_NAMES
    return table.get(key, {}).get(lang, key)


TEXT: dict[str, dict[str, str]] = {
    "title": {"zh": "择时雷达周报", "en": "Timing radar weekly report"},
    "summary": {"zh": "本周综合打分", "en": "This week's composite"},
    "hexagon": {"zh": "图表1：六面图最新打分（本周 vs 上周）", "en": "Chart 1: six dimensions, this week vs last"},
    "categories": {"zh": "图表2：四大类最新打分", "en": "Chart 2: the four categories"},
    "table": {"zh": "图表3：各单指标打分", "en": "Chart 3: every indicator's score"},
    "indicators": {"zh": "单指标走势", "en": "Indicator charts"},
    "narrative": {"zh": "各维度观点", "en": "Narrative"},
    "history": {"zh": "综合打分历史与指数", "en": "Composite history and the index"},
    "basis": {"zh": "股指期货升贴水", "en": "Index-futures basis"},
    "commodity": {"zh": "商品指数", "en": "Commodity indices"},
    "evaluation": {"zh": "策略评估", "en": "Evaluation"},
    "data": {"zh": "数据覆盖与来源", "en": "Data coverage and sources"},
    "this_week": {"zh": "本周", "en": "This week"},
    "last_week": {"zh": "上周", "en": "Last week"},
    "change": {"zh": "变化", "en": "Change"},
    "composite": {"zh": "综合打分", "en": "Composite"},
    "no_data": {"zh": "无数据", "en": "No data"},
    "synthetic": {
        "zh": "注意：本报告使用合成（模拟）数据生成，不代表真实市场，仅用于演示与测试。",
        "en": "Warning: this report was generated from SYNTHETIC (simulated) data. It does not describe the real "
        "market and is for demonstration and testing only.",
    },
    "risk": {
        "zh": "风险提示：以上结论均基于历史数据和统计模型的测算，如果未来市场环境发生明显改变，不排除模型失效的可能性。",
        "en": "Risk note: these conclusions come from historical data and statistical models; if the market "
        "environment changes materially the models may fail.",
    },
}


def t(key: str, lang: Lang) -> str:
    """Translate a fixed report string."""
    return TEXT[key][lang]
