"""The bundle tables and their store twins: one declaration serves validation, DDL and reads.

Each :class:`TableSpec` lists the columns of one bundle file (DESIGN.md, "The data bundle"), their types, which
are required (non-blank), the primary key and which columns are dates. The importer validates a bundle against
these specs; the store creates its tables from them, so the two can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColType = Literal["str", "float", "date"]


@dataclass(frozen=True)
class TableSpec:
    """A bundle table: ``columns`` maps name -> type; ``required`` must be non-blank; ``key`` is unique."""

    name: str
    columns: dict[str, ColType]
    required: tuple[str, ...]
    key: tuple[str, ...]
    location: str  # where the table lives in a bundle: a file name, or a folder of files

    @property
    def dates(self) -> tuple[str, ...]:
        return tuple(c for c, t in self.columns.items() if t == "date")

    @property
    def floats(self) -> tuple[str, ...]:
        return tuple(c for c, t in self.columns.items() if t == "float")

    def ddl(self, table: str | None = None) -> str:
        sql_type = {"str": "VARCHAR", "float": "DOUBLE", "date": "DATE"}
        cols = ", ".join(f'"{c}" {sql_type[t]}' for c, t in self.columns.items())
        key = ", ".join(f'"{k}"' for k in self.key)
        return f'CREATE TABLE IF NOT EXISTS "{table or self.name}" ({cols}, PRIMARY KEY ({key}))'


KINDS = (
    "index", "etf", "stock", "index_future", "etf_option", "convertible", "commodity_future",
    "commodity_continuous",
)

INSTRUMENTS = TableSpec(
    "instruments",
    {"symbol": "str", "kind": "str", "product": "str", "exchange": "str", "underlying": "str",
     "multiplier": "float", "list_date": "date", "last_trade_date": "date", "strike": "float", "right": "str",
     "unit": "float", "name": "str"},
    required=("symbol", "kind"), key=("symbol",), location="instruments",
)
BARS = TableSpec(
    "bars",
    {"symbol": "str", "date": "date", "open": "float", "high": "float", "low": "float", "close": "float",
     "settle": "float", "volume": "float", "open_interest": "float", "amount": "float"},
    required=("symbol", "date"), key=("symbol", "date"), location="bars/",
)
SERIES = TableSpec(
    "series",
    {"series": "str", "name": "str", "unit": "str", "frequency": "str", "source": "str", "release_rule": "str"},
    required=("series", "release_rule"), key=("series",), location="series",
)
OBSERVATIONS = TableSpec(
    "observations",
    {"series": "str", "period": "date", "release_date": "date", "value": "float", "consensus": "float",
     "consensus_std": "float"},
    required=("series", "period"), key=("series", "period", "release_date"), location="observations/",
)
OPTION_ADJUSTMENTS = TableSpec(
    "option_adjustments",
    {"symbol": "str", "effective_date": "date", "strike_before": "float", "strike_after": "float",
     "unit_before": "float", "unit_after": "float"},
    required=("symbol", "effective_date"), key=("symbol", "effective_date"), location="option_adjustments",
)
CONVERTIBLE_TERMS = TableSpec(
    "convertible_terms",
    {"symbol": "str", "stock": "str", "issue_date": "date", "maturity_date": "date", "par": "float",
     "redemption_price": "float", "coupons": "str", "conversion_price": "float", "call_trigger": "float",
     "call_m": "float", "call_n": "float", "put_trigger": "float", "put_m": "float", "put_n": "float",
     "reset_trigger": "float", "reset_m": "float", "reset_n": "float"},
    required=("symbol",), key=("symbol",), location="convertible_terms",
)
INDEX_DIVIDENDS = TableSpec(
    "index_dividends",
    {"index": "str", "ex_date": "date", "points": "float"},
    required=("index", "ex_date", "points"), key=("index", "ex_date"), location="index_dividends",
)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (INSTRUMENTS, BARS, SERIES, OBSERVATIONS, OPTION_ADJUSTMENTS, CONVERTIBLE_TERMS, INDEX_DIVIDENDS)
}

#: Import order: what later tables are checked against comes first.
IMPORT_ORDER = ("instruments", "series", "bars", "observations", "option_adjustments", "convertible_terms",
                "index_dividends")
