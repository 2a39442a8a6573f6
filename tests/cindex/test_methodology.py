"""Methodology files against the seed's tables and the golden facts (../shared/golden/README.md §6)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from cnradar.cindex.compare import comparison_tables, to_html, to_markdown
from cnradar.cindex.methodology import get_methodology, list_methodologies, parse_methodology
from cnradar.cindex.products import load_products
from cnradar.errors import MethodologyError, UnknownNameError

# seeds/commodity-index-methods.txt 表3, typed from the document:
# count, energy, industrial metals, precious, agriculture, livestock, softs & chemicals
SEED_TABLE3 = {
    "CRB": (19, 39, 13, 7, 13, 7, 21),
    "GSCI": (24, 74.59, 7.27, 1.94, 10.21, 3.49, 2.5),
    "BCOM": (19, 33, 20.3, 10.8, 21, 6.7, 8.2),
    "DBLCI": (6, 55, 12.5, 10, 22.5, 0, 0),
    "RICI": (36, 44, 14, 7.1, 19.94, 3, 11.96),
    "SPCI": (17, 49.2, 3.5, 3.78, 22.51, 6.81, 14.2),
    "LMEX": (6, 0, 100, 0, 0, 0, 0),
}
# SPCI's 表3 row does not add up from the document's own 表1 column; these are the 表1 subtotals (小计 row)
SEED_TABLE1_SPCI_SUBTOTALS = (17, 55.372, 3.742, 3.629, 16.420, 6.914, 13.924)


def test_seven_methodologies_and_chinese_indices_are_registered():
    names = list_methodologies()
    assert names[:7] == ["CRB", "GSCI", "BCOM", "DBLCI", "RICI", "SPCI", "LMEX"]
    assert {"CN_NONFERROUS", "CN_CHEMICALS", "CN_AGRICULTURE", "CN_COMPOSITE"} <= set(names)
    assert get_methodology("gsci").name == "GSCI"
    with pytest.raises(UnknownNameError, match="unknown index methodology.*must be one of"):
        get_methodology("NOPE")


@pytest.mark.parametrize("name", list(SEED_TABLE3))
def test_table3_regenerated_from_toml_equals_the_document(name):
    t3 = comparison_tables()["table3"]
    got = tuple(float(x) for x in t3.loc[name])
    expected = SEED_TABLE1_SPCI_SUBTOTALS if name == "SPCI" else SEED_TABLE3[name]
    assert got == pytest.approx(expected, abs=0.0015)  # SPCI 表1 sums to 100.001 in the document


def test_crb_sector_sums_golden():
    t3 = comparison_tables()["table3"].loc["CRB"]
    assert t3["能源"] == 39 and t3["工业金属"] == 13 and t3["贵金属"] == 7
    assert t3["农产品"] + t3["畜产品"] + t3["软饮化工"] == 41
    w = {c.product: c.weight for c in get_methodology("CRB").constituents}
    assert w["CL.NYM"] == 23 and w["XB.NYM"] == 5 and w["HO.NYM"] == 5
    assert [k for k, v in w.items() if v == 1] == ["LN.LME", "SI.CMX", "W.CBT", "LH.CME", "OJ.NYB"]


def test_dblci_golden():
    m = get_methodology("DBLCI")
    assert {c.product: c.weight for c in m.constituents} == {
        "CL.NYM": 35, "HO.NYM": 20, "LA.LME": 12.5, "C.CBT": 11.25, "W.CBT": 11.25, "GC.CMX": 10}
    assert (m.rebalance.month, m.roll.window_start, m.roll.window_days) == (11, 2, 5)


def test_roll_windows_and_bases_follow_table5_and_table6():
    t5, t6 = comparison_tables()["table5"], comparison_tables()["table6"]
    assert t5.loc["GSCI", "滚动窗口"] == "每月第 5~9 交易日（共 5 日）"
    assert t5.loc["BCOM", "滚动窗口"] == "每月第 6~10 交易日（共 5 日）"
    assert t5.loc["CRB", "滚动比例"] == "每日 25%"
    assert t5.loc["RICI", "滚动窗口"] == "每月倒数第 2 个交易日~次月第 1 个交易日（共 3 天）"
    assert t5.loc["RICI", "滚动比例"] == "每日 1/3"
    assert t5.loc["LMEX", "滚动窗口"] == "——"
    assert t6.loc["GSCI", "基期"] == "1970-01-02" and t6.loc["RICI", "基点"] == "1000 点"
    assert set(t6["计算方法"]) == {"算术平均"}


def test_roll_tables_equal_the_published_gsci_bcom_tables(golden_dir):
    published = {}
    with open(golden_dir / "gsci_bcom_rolltables.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            published[(row["index"], row["commodity"])] = tuple(row[m] for m in "FGHJKMNQUVXZ")
    products = load_products()
    n = 0
    for name in ("GSCI", "BCOM"):
        for c in get_methodology(name).constituents:
            assert c.roll_table == published[(name, products[c.product].roll_code)], c.product
            n += 1
    assert n == 24 + 19


def test_comparison_tables_render():
    tables = comparison_tables()
    md, page = to_markdown(tables), to_html(tables)
    assert "| GSCI | 24 | 74.59 |" in md
    assert "<table" in page and "五年世界产量" in page


def _base() -> dict:
    return get_methodology("DBLCI").model_dump(by_alias=True)


def test_schema_rejects_bad_files_with_a_teaching_message():
    bad = _base()
    bad["constituent"] = [dict(c) for c in bad["constituent"]]
    bad["constituent"][0]["weight"] = 50
    with pytest.raises(MethodologyError, match="weights must add to 100"):
        parse_methodology(bad, source="x.toml")
    bad = _base()
    bad["constituent"] = [*bad["constituent"], {"product": "XX.NYM", "weight": 0}]
    with pytest.raises(MethodologyError, match="not in products.toml"):
        parse_methodology(bad, source="x.toml")
    bad = _base()
    bad["roll"] = {**bad["roll"], "proportions": (0.5, 0.5)}
    with pytest.raises(MethodologyError, match=r"invalid methodology x.toml: roll.*proportions"):
        parse_methodology(bad, source="x.toml")
    bad = _base()
    bad["constituent"] = [dict(c) for c in bad["constituent"]]
    bad["constituent"][2]["roll_table"] = "F0 F0 F0 F0 F0 F0 F0 F0 F0 F0 F0 F1"  # aluminium lists F; corn not
    bad["constituent"][4]["roll_table"] = "F0 F0 F0 F0 F0 F0 F0 F0 F0 F0 F0 F1"
    with pytest.raises(MethodologyError, match="not listed months"):
        parse_methodology(bad, source="x.toml")


def test_table1_lists_every_constituent_once():
    t1 = comparison_tables()["table1"]
    assert t1["GSCI"].sum() == pytest.approx(100)
    assert sorted(t1["LMEX"].dropna().tolist()) == [1.0, 2.0, 8.4, 13.4, 33.4, 41.8]
    assert isinstance(t1, pd.DataFrame)
