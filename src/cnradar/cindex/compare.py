"""The comparison tables of ``seeds/commodity-index-methods.txt`` generated from the methodology files, so the
tables can never drift from the configs: 表1 (constituent weights), 表2 (objectives and principles), 表3
(constituent counts and sector shares), 表4 (weight design), 表5 (contract selection), 表6 (calculation).

>>> t = comparison_tables()
>>> float(t["table3"].loc["CRB", "能源"])
39.0
"""

from __future__ import annotations

import html
from fractions import Fraction

import pandas as pd

from cnradar.cindex.methodology import FOREIGN, Methodology, get_methodology
from cnradar.cindex.products import load_products

SECTOR_ZH = {
    "energy": "能源", "industrial_metals": "工业金属", "precious_metals": "贵金属", "agriculture": "农产品",
    "livestock": "畜产品", "softs": "软饮化工", "ferrous": "黑色", "chemicals": "化工",
}
SEED_SECTORS = ["energy", "industrial_metals", "precious_metals", "agriculture", "livestock", "softs"]


def _ms(names) -> list[Methodology]:
    return [get_methodology(n) for n in names]


def table1(names=FOREIGN) -> pd.DataFrame:
    """表1: weight (%) of every product per index, grouped by sector, with the exchange."""
    products = load_products()
    rows: dict[str, dict] = {}
    for m in _ms(names):
        for c in m.constituents:
            p = products[c.product]
            r = rows.setdefault(c.product, {"组别": SECTOR_ZH.get(m.sector_of(c), m.sector_of(c)),
                                            "商品": p.name_zh, "交易所": p.exchange})
            r[m.name] = c.weight
    df = pd.DataFrame.from_dict(rows, orient="index")
    order = {SECTOR_ZH[s]: i for i, s in enumerate(SECTOR_ZH)}
    df = df.sort_values("组别", key=lambda s: s.map(order), kind="stable")
    return df[["组别", "商品", *[m.name for m in _ms(names)], "交易所"]]


def table2(names=FOREIGN) -> pd.DataFrame:
    """表2: objectives (标尺性 / 可投资性) and principles (流动性 / 连续性 / 多样化)."""
    return pd.DataFrame({m.name: {"指数编制目标和原则": "、".join(m.objectives) + "；"
                                  + "、".join(p + "原则" for p in m.principles)} for m in _ms(names)}).T


def table3(names=FOREIGN) -> pd.DataFrame:
    """表3: number of constituents and sector shares (%), summed from the constituent weights."""
    out = {}
    for m in _ms(names):
        shares = {SECTOR_ZH[s]: 0.0 for s in SEED_SECTORS}
        for c in m.constituents:
            label = SECTOR_ZH.get(m.sector_of(c), m.sector_of(c))
            shares[label] = shares.get(label, 0.0) + c.weight
        out[m.name] = {"商品数目": len(m.constituents), **{k: round(v, 6) for k, v in shares.items()}}
    return pd.DataFrame(out).T


def table4(names=FOREIGN) -> pd.DataFrame:
    """表4: creation year, weight basis, caps, double counting, review time."""
    rows = {}
    for m in _ms(names):
        caps = m.weighting.caps
        cap_text = "否"
        if caps.any:
            parts = []
            if caps.floor is not None:
                parts.append(f"单品种下限 {caps.floor:.0%}")
            if caps.single is not None:
                parts.append(f"单品种上限 {caps.single:.0%}")
            if caps.complex is not None:
                parts.append(f"产业链上限 {caps.complex:.0%}")
            if caps.group is not None:
                parts.append(f"类别上限 {caps.group:.0%}")
            if caps.multiple_of_average is not None:
                parts.append(f"不超过平均权重 {caps.multiple_of_average:g} 倍")
            cap_text = "是（" + "，".join(parts) + "）"
        rows[m.name] = {"创建时间": f"{m.created} 年", "确定依据": m.weighting.basis_zh, "上下限设置": cap_text,
                        "避免双重计算": "是" if m.weighting.double_counting_adjusted else "否",
                        "调整时间": m.weighting.review_zh}
    return pd.DataFrame(rows).T


def _window_text(m: Methodology) -> str:
    r = m.roll
    if not r.has_window:
        return "——"
    n = r.window_days
    if r.window_start < 0:
        last = -r.window_start
        into_next = n - last
        return f"每月倒数第 {last} 个交易日~次月第 {into_next} 个交易日（共 {n} 天）"
    every = 12 // len(r.roll_months)
    prefix = "每月" if every == 1 else f"每{'两' if every == 2 else every}个月的"
    return f"{prefix}第 {r.window_start}~{r.window_start + n - 1} 交易日（共 {n} 日）"


def _proportion_text(m: Methodology) -> str:
    r = m.roll
    if not r.has_window:
        return "——"
    props = set(round(x, 12) for x in r.daily_proportions)
    if len(props) == 1:
        f = Fraction(r.daily_proportions[0]).limit_denominator(100)
        return f"每日 {f.numerator * 100 // f.denominator}%" if (100 * f).denominator == 1 else f"每日 {f}"
    return "、".join(f"{x:.0%}" for x in r.daily_proportions)


def table5(names=FOREIGN) -> pd.DataFrame:
    """表5: contract months, roll window, roll proportion."""
    return pd.DataFrame({m.name: {"合约月份": m.roll.contract_zh, "滚动窗口": _window_text(m),
                                  "滚动比例": _proportion_text(m)} for m in _ms(names)}).T


def table6(names=FOREIGN) -> pd.DataFrame:
    """表6: base date, base value, averaging."""
    avg = {"arithmetic": "算术平均", "geometric": "几何平均"}
    return pd.DataFrame({m.name: {"基期": m.calculation.base_date.isoformat(),
                                  "基点": f"{m.calculation.base_value:g} 点",
                                  "计算方法": avg[m.calculation.averaging]} for m in _ms(names)}).T


def comparison_tables(names=FOREIGN) -> dict[str, pd.DataFrame]:
    """All six tables, keyed ``table1`` .. ``table6``."""
    names = tuple(names)
    return {"table1": table1(names), "table2": table2(names), "table3": table3(names), "table4": table4(names),
            "table5": table5(names), "table6": table6(names)}


TITLES = {
    "table1": "表 1 商品指数成份商品的权重 (%)", "table2": "表 2 指数编制的目标和原则",
    "table3": "表 3 成份商品数目及类别比例 (%)", "table4": "表 4 权重设计比较",
    "table5": "表 5 合约选择比较", "table6": "表 6 计算方法比较",
}


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def to_markdown(tables: dict[str, pd.DataFrame]) -> str:
    """Markdown (GitHub tables), one section per table."""
    out = []
    for key, df in tables.items():
        head = ["", *map(str, df.columns)]
        out.append(f"### {TITLES.get(key, key)}\n")
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for idx, row in df.iterrows():
            out.append("| " + " | ".join([str(idx), *(_cell(v) for v in row)]) + " |")
        out.append("")
    return "\n".join(out)


def to_html(tables: dict[str, pd.DataFrame]) -> str:
    """A self-contained HTML fragment, one <table> per table."""
    parts = []
    for key, df in tables.items():
        parts.append(f"<h3>{html.escape(TITLES.get(key, key))}</h3>")
        rows = ["<tr><th></th>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns) + "</tr>"]
        for idx, row in df.iterrows():
            rows.append(f"<tr><th>{html.escape(str(idx))}</th>"
                        + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>")
        parts.append('<table class="cindex-compare">' + "".join(rows) + "</table>")
    return "\n".join(parts)
