"""The weekly narrative in the seed's style, generated from the numbers (zh and en).

seeds/timing-radar.txt (本周综合打分 and ①–⑥): one paragraph per dimension naming the indicators that give
a bullish signal, a bearish signal, no significant signal, and no data, then the dimension's score and
its verdict; an opening paragraph gives the composite and the overall view. Indicators with a declared proxy
are named with it. Thresholds of the verdicts: |score| ≥ 0.5 significant (显著), 0 < |score| < 0.5 leaning
(偏), 0 none (无显著信号).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cnradar.radar.registry import CATEGORIES, DIMENSIONS

if TYPE_CHECKING:
    from cnradar.radar.engine import WeeklySnapshot

_NUM = "①②③④⑤⑥"


def verdict(score: float, lang: str = "zh") -> str:
    """Text of a score's direction: significant / leaning bullish or bearish, none, or no data."""
    if score is None or math.isnan(score):
        return "无数据" if lang == "zh" else "no data"
    if lang == "zh":
        if score >= 0.5:
            return "发出显著看多信号"
        if score > 0:
            return "偏多"
        if score <= -0.5:
            return "发出显著看空信号"
        if score < 0:
            return "偏空"
        return "无显著信号"
    if score >= 0.5:
        return "a significant bullish signal"
    if score > 0:
        return "leaning bullish"
    if score <= -0.5:
        return "a significant bearish signal"
    if score < 0:
        return "leaning bearish"
    return "no significant signal"


#: The composite's view words (the issue: 看多/中性偏多/中性偏空/看空; the seed prints -0.11 as 中性偏空).
#: (lower bound, zh, en), highest first; below the last bound the view is 看空. Exactly 0 leans neither way
#: and reads 中性 (possible when the discrete scores cancel).
VIEW_BANDS: tuple[tuple[float, str, str], ...] = (
    (0.5, "看多", "bullish"), (0.0, "中性偏多", "neutral to bullish"), (-0.5, "中性偏空", "neutral to bearish"),
)


def overall_view(score: float, lang: str = "zh") -> str:
    """The composite's view (seed: "整体为中性偏空观点"): c >= 0.5 看多, 0 < c < 0.5 中性偏多, c == 0 中性,
    -0.5 <= c < 0 中性偏空, c < -0.5 看空."""
    if score is None or math.isnan(score):
        return "无数据" if lang == "zh" else "no data"
    if score == 0:
        return "中性" if lang == "zh" else "neutral"
    for lo, zh, en in VIEW_BANDS:
        if score > lo or (lo != 0.0 and score >= lo):
            return zh if lang == "zh" else en
    return "看空" if lang == "zh" else "bearish"


def view_bands_text(lang: str = "zh") -> str:
    """The view bands as one line (the report prints it under the composite)."""
    if lang == "zh":
        return "观点阈值：≥0.5 看多，(0, 0.5) 中性偏多，0 中性，[-0.5, 0) 中性偏空，<-0.5 看空"
    return "view bands: ≥0.5 bullish, (0, 0.5) neutral to bullish, 0 neutral, [−0.5, 0) neutral to bearish, <−0.5 bearish"


def _fmt(x: float) -> str:
    return "—" if x is None or math.isnan(x) else f"{x:.2f}"


def _join(names: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(names)
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _label(row, lang: str) -> str:
    name = row["name_zh"] if lang == "zh" else row["name_en"]
    proxy = row.get("proxy_name_zh") if lang == "zh" else row.get("proxy_name_en")
    if isinstance(proxy, str) and proxy:
        name += f"（{proxy}）" if lang == "zh" else f" ({proxy})"
    return name


def _trend(change: float, lang: str) -> str:
    if change is None or math.isnan(change) or abs(change) < 1e-9:
        return ""
    if lang == "zh":
        return "有所上升" if change > 0 else "有所下降"
    return "rose" if change > 0 else "fell"


def narrative(snap: WeeklySnapshot, lang: str = "zh") -> list[str]:
    """Paragraphs: the overview, then ①–⑥ one per dimension."""
    out = []
    cats = snap.categories
    if lang == "zh":
        parts = []
        for c in CATEGORIES:
            r = cats.loc[c]
            t = _trend(r["change"], "zh")
            parts.append(f"{r['name_zh']}{t or '保持不变' if not math.isnan(r['this_week']) else '无数据'}"
                         f"（{_fmt(r['this_week'])}分）")
        out.append(f"本周{'，'.join(parts)}。综合打分位于[-1,1]之间，当前的综合打分为{_fmt(snap.composite)}分"
                   f"（上周{_fmt(snap.composite_last)}分），整体为{overall_view(snap.composite, 'zh')}观点。"
                   f"当前有数据的指标占{snap.coverage:.0%}。")
    else:
        parts = []
        for c in CATEGORIES:
            r = cats.loc[c]
            t = _trend(r["change"], "en") or "unchanged"
            parts.append(f"{r['name_en']} {t if not math.isnan(r['this_week']) else 'without data'} "
                         f"({_fmt(r['this_week'])})")
        out.append(f"This week: {'; '.join(parts)}. The composite score, in [-1, 1], is {_fmt(snap.composite)} "
                   f"(last week {_fmt(snap.composite_last)}): overall {overall_view(snap.composite, 'en')}. "
                   f"{snap.coverage:.0%} of the indicators have data.")
    table = snap.table
    for k, d in enumerate(DIMENSIONS):
        rows = table[table["dimension"] == d]
        bull = [_label(r, lang) for _, r in rows.iterrows() if r["this_week"] > 0]
        bear = [_label(r, lang) for _, r in rows.iterrows() if r["this_week"] < 0]
        flat = [_label(r, lang) for _, r in rows.iterrows() if r["this_week"] == 0]
        none = [_label(r, lang) for _, r in rows.iterrows() if math.isnan(r["this_week"])]
        dim = snap.dimensions.loc[d]
        if lang == "zh":
            bits = []
            if bull:
                bits.append(f"{_join(bull, 'zh')}{'均' if len(bull) > 1 else ''}发出看多信号")
            if bear:
                bits.append(f"{_join(bear, 'zh')}{'均' if len(bear) > 1 else ''}发出看空信号")
            if flat:
                bits.append(f"{_join(flat, 'zh')}无显著信号")
            if none:
                bits.append(f"{_join(none, 'zh')}暂无数据")
            body = "，".join(bits) if bits else "各指标均无数据"
            out.append(f"{_NUM[k]} {dim['name_zh']}。本周{body}，当前{dim['name_zh']}得分为{_fmt(dim['this_week'])}分"
                       f"（上周{_fmt(dim['last_week'])}分），综合来看{verdict(dim['this_week'], 'zh')}。")
        else:
            bits = []
            if bull:
                bits.append(f"{_join(bull, 'en')} {'give' if len(bull) > 1 else 'gives'} a bullish signal")
            if bear:
                bits.append(f"{_join(bear, 'en')} {'give' if len(bear) > 1 else 'gives'} a bearish signal")
            if flat:
                bits.append(f"{_join(flat, 'en')} {'show' if len(flat) > 1 else 'shows'} no significant signal")
            if none:
                bits.append(f"{_join(none, 'en')} {'have' if len(none) > 1 else 'has'} no data")
            body = "; ".join(bits) if bits else "no indicator has data"
            out.append(f"{_NUM[k]} {dim['name_en']}. This week {body}. The {dim['name_en'].lower()} score is "
                       f"{_fmt(dim['this_week'])} (last week {_fmt(dim['last_week'])}): "
                       f"{verdict(dim['this_week'], 'en')}.")
    return out


__all__ = ["VIEW_BANDS", "narrative", "overall_view", "verdict", "view_bands_text"]
