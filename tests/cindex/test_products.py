"""Product catalogue: schema, symbols, last-trading-day rules against published exchange dates."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from cnradar.cindex.products import (
    get_product,
    load_products,
    month_code,
    month_of_code,
    parse_contract,
    parse_products,
)
from cnradar.errors import MethodologyError, UnknownNameError


def test_catalogue_loads_and_keys_are_root_dot_suffix():
    products = load_products()
    assert len(products) >= 70
    for key, p in products.items():
        assert key == f"{p.root}.{p.suffix}"
        assert p.listed_months and set(p.main_months) <= set(p.listed_months)


def test_symbols_follow_developing_md():
    ps = load_products()
    assert ps["CL.NYM"].contract(2024, 12) == "CL2412.NYM"
    assert ps["CU.SHF"].contract(2024, 5) == "CU2405.SHF"
    assert ps["SR.CZC"].contract(2024, 5) == "SR2405.CZC"
    assert ps["C.CBT"].contract(2024, 12) == "C2412.CBT"
    assert ps["CU.SHF"].continuous_symbol == "CU.SHF.CONT"
    assert parse_contract("SR2405.CZC") == ("SR.CZC", 2024, 5)
    assert parse_contract("C9912.CBT") == ("C.CBT", 1999, 12)
    with pytest.raises(MethodologyError, match="C has no F contract|C.CBT has no F contract"):
        ps["C.CBT"].contract(2024, 1)


@pytest.mark.parametrize(
    ("key", "year", "month", "expected"),
    [
        # published last trading days (exchange contract calendars)
        ("CL.NYM", 2024, 12, "2024-11-20"),  # NYMEX CL Dec-24
        ("CL.NYM", 2024, 6, "2024-05-21"),  # NYMEX CL Jun-24 (25 May is a Saturday: 4 days before)
        ("CO.IFE", 2024, 12, "2024-10-31"),  # ICE Brent Dec-24
        ("CU.SHF", 2024, 12, "2024-12-16"),  # SHFE: 15 Dec 2024 is a Sunday
        ("CU.SHF", 2024, 5, "2024-05-15"),
        ("M.DCE", 2024, 5, "2024-05-17"),  # DCE: 10th trading day, after the May Day holiday (1–5 May)
        ("SR.CZC", 2024, 1, "2024-01-15"),  # CZCE 10th trading day
        ("SC.INE", 2024, 12, "2024-11-29"),  # INE: last trading day of the previous month
        ("GC.CMX", 2024, 12, "2024-12-27"),  # COMEX: third-last business day
        ("LA.LME", 2024, 12, "2024-12-16"),  # LME: 2 business days before the third Wednesday (18 Dec)
        ("C.CBT", 2024, 12, "2024-12-13"),  # CBOT: business day before the 15th (a Sunday) -> Fri 13th
    ],
)
def test_last_trade_dates(key, year, month, expected):
    assert load_products()[key].last_trade_date(year, month) == pd.Timestamp(expected)


def test_roll_table_codes_are_in_the_catalogue(golden_dir):
    codes = {p.roll_code for p in load_products().values()} | {"HU"}  # HU: BCOM's pre-2006 unleaded gasoline
    with open(golden_dir / "gsci_bcom_rolltables.csv", encoding="utf-8") as fh:
        missing = {row["commodity"] for row in csv.DictReader(fh)} - codes
    assert not missing


def test_month_code_and_lookup_errors():
    assert month_code(1) == "F" and month_code(12) == "Z"
    assert [month_of_code(c) for c in "FHMUZ"] == [1, 3, 6, 9, 12] and month_of_code("n") == 7
    for bad in ("A", "FG", ""):
        with pytest.raises(MethodologyError, match="invalid month code"):
            month_of_code(bad)
    assert get_product("CU.SHF.CONT").key == "CU.SHF"
    assert get_product("CL2412.NYM").key == "CL.NYM"
    with pytest.raises(UnknownNameError, match="unknown commodity product"):
        get_product("XX.SHF")


def test_invalid_catalogue_entries_are_rejected():
    good = {"root": "CU", "suffix": "SHF", "exchange": "SHFE", "name_zh": "铜", "name_en": "Copper",
            "sector": "industrial_metals", "months": "FG", "multiplier": 5, "unit": "CNY/t", "currency": "CNY",
            "typical_price": 1.0, "ltd": {"kind": "nth_business_day", "n": 10}}
    assert "CU.SHF" in parse_products({"product": [good]})
    with pytest.raises(MethodologyError, match="duplicate product"):
        parse_products({"product": [good, good]})
    with pytest.raises(MethodologyError, match="invalid product #1"):
        parse_products({"product": [{**good, "months": "FA"}]})
    with pytest.raises(MethodologyError, match="invalid product #1"):
        parse_products({"product": [{**good, "ltd": {"kind": "nth_business_day"}}]})
