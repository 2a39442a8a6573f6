"""Index methodologies as data: a validated TOML schema (``cindex/methodologies/*.toml``).

Each file encodes one index along the five axes of ``seeds/commodity-index-methods.txt`` §二:
objectives and principles (表2), constituents (表1, 表3), weight design (表4: basis, caps, double counting,
review date), contract selection (表5: contract months, roll window, roll proportion) and calculation (表6:
arithmetic / geometric, base date, base value). Where the seed is silent the published methodology is used and
cited in the file's header.

Roll semantics (one convention for every index): ``held[m]`` is the contract held at the start of calendar month
``m`` (the GSCI/BCOM roll-table convention, ``../shared/golden/gsci_bcom_rolltables.csv``); during month ``m``'s
roll window the position moves from ``held[m]`` to ``held[m+1]`` in the stated proportions. ``roll_table`` gives
``held`` per month as ``<letter><year offset>`` (``"G0 H0 ... F1"``); a ``rule`` derives it (see
:mod:`cnradar.cindex.rolls`).

>>> from cnradar.cindex.methodology import get_methodology, list_methodologies
>>> "GSCI" in list_methodologies()
True
>>> round(sum(c.weight for c in get_methodology("CRB").constituents), 6)
100.0
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cnradar.cindex.products import MONTH_CODES, Product, load_products
from cnradar.errors import MethodologyError, UnknownNameError, explain

WeightRule = Literal["fixed", "production", "liquidity", "blended"]
RollRule = Literal["table", "front", "next", "most_liquid", "two_nearest", "three_nearest"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Caps(_Frozen):
    """Weight limits as fractions: ``single`` per commodity (WTI+Brent = one crude), ``floor`` per commodity,
    ``complex`` per related-commodity group (commodity plus derivatives), ``group`` per sector,
    ``multiple_of_average`` (SPCI: no weight above k × 1/N)."""

    single: float | None = Field(default=None, gt=0, le=1)
    floor: float | None = Field(default=None, ge=0, lt=1)
    complex: float | None = Field(default=None, gt=0, le=1)
    group: float | None = Field(default=None, gt=0, le=1)
    multiple_of_average: float | None = Field(default=None, gt=1)

    @property
    def any(self) -> bool:
        return any(v is not None for v in self.model_dump().values())


class Weighting(_Frozen):
    """表4: weight basis, caps, double counting, review time."""

    rule: WeightRule
    basis_zh: str
    source: Literal["published", "computed"] = "published"
    liquidity_measure: Literal["volume_value", "open_interest_value"] = "volume_value"
    liquidity_share: float = Field(default=1.0, ge=0, le=1)
    lookback_years: float = Field(default=1.0, gt=0)
    min_history_days: int = Field(default=0, ge=0)
    double_counting_adjusted: bool = False
    caps: Caps = Caps()
    review_zh: str = ""


class Rebalance(_Frozen):
    """When quantities are reset to the target weights: ``monthly`` or ``annual`` on business day
    ``business_day`` (1-based) of ``month``."""

    frequency: Literal["monthly", "annual"]
    month: int = Field(default=1, ge=1, le=12)
    business_day: int = Field(default=1, ge=1, le=20)


class Roll(_Frozen):
    """表5: contract choice and roll window. ``window_start`` is the business day of the month the roll starts
    (negative counts from the month's end, RICI's −2 = last but one); ``proportions`` the share moved each day
    (default equal shares); ``roll_months`` the months in which rolls happen (default all)."""

    rule: RollRule
    contract_zh: str
    window_start: int
    window_days: int = Field(ge=1, le=10)
    proportions: tuple[float, ...] = ()
    roll_months: str = MONTH_CODES
    has_window: bool = True

    @model_validator(mode="after")
    def _check(self) -> Roll:
        if self.window_start == 0 or not -5 <= self.window_start <= 20:
            raise ValueError(f"window_start must be 1..20 or -5..-1, got {self.window_start}")
        if self.proportions:
            if len(self.proportions) != self.window_days or abs(sum(self.proportions) - 1) > 1e-9:
                raise ValueError(f"proportions must have window_days={self.window_days} entries summing to 1")
            if min(self.proportions) < 0:
                raise ValueError("proportions must be non-negative")
        if not self.roll_months or any(c not in MONTH_CODES for c in self.roll_months):
            raise ValueError(f"roll_months must be letters of {MONTH_CODES}")
        return self

    @property
    def daily_proportions(self) -> tuple[float, ...]:
        return self.proportions or tuple([1.0 / self.window_days] * self.window_days)

    @property
    def legs(self) -> tuple[tuple[int, float], ...]:
        """(k-th nearest eligible contract, share) per leg: SPCI holds two, LMEX three."""
        if self.rule == "two_nearest":
            return ((0, 0.5), (1, 0.5))
        if self.rule == "three_nearest":
            return ((0, 1 / 3), (1, 1 / 3), (2, 1 / 3))
        if self.rule == "next":
            return ((1, 1.0),)
        return ((0, 1.0),)


class Calculation(_Frozen):
    """表6: averaging, base date and value; collateral for the total-return index."""

    averaging: Literal["arithmetic", "geometric"]
    base_date: dt.date
    base_value: float = Field(gt=0)
    collateral_series: str = ""
    collateral_convention: Literal["discount_91", "act360"] = "discount_91"


class Constituent(_Frozen):
    """One constituent: product key, 表1 weight in percent, optional sector override, roll table, and the dates
    it is part of the index (effective dating: it joins / leaves at the first rebalance on / after them)."""

    product: str
    weight: float = Field(ge=0)
    sector: str = ""
    roll_table: tuple[str, ...] = ()
    production: float | None = Field(default=None, ge=0)
    start: dt.date | None = None
    end: dt.date | None = None

    @field_validator("roll_table", mode="before")
    @classmethod
    def _split(cls, v):
        return tuple(v.split()) if isinstance(v, str) else v

    @field_validator("roll_table")
    @classmethod
    def _table(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if v and (len(v) != 12 or any(len(x) != 2 or x[0] not in MONTH_CODES or x[1] not in "0123" for x in v)):
            raise ValueError(f"roll_table must have 12 entries like 'H0' or 'F1', got {' '.join(v)!r}")
        return v


class Methodology(_Frozen):
    """A complete index methodology (frozen; hashable)."""

    name: str
    title_zh: str
    title_en: str
    created: int
    objectives: tuple[str, ...]
    principles: tuple[str, ...]
    weights_vintage: str
    calendar: Literal["weekdays", "SSE"]
    china: bool = False
    weighting: Weighting
    rebalance: Rebalance
    roll: Roll
    calculation: Calculation
    constituents: tuple[Constituent, ...] = Field(alias="constituent", min_length=1)

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> Methodology:
        products = load_products()
        seen: set[str] = set()
        for c in self.constituents:
            if c.product not in products:
                raise ValueError(f"constituent {c.product!r} is not in products.toml")
            if c.product in seen:
                raise ValueError(f"constituent {c.product!r} listed twice")
            seen.add(c.product)
            months = products[c.product].months
            bad = [x for x in c.roll_table if x[0] not in months]
            if bad:
                raise ValueError(f"{c.product}: roll_table months {bad} are not listed months {months}")
        if self.roll.rule == "table":
            missing = [c.product for c in self.constituents if not c.roll_table]
            if missing:
                raise ValueError(f"roll rule 'table' needs a roll_table for {missing}")
        total = sum(c.weight for c in self.constituents)
        if abs(total - 100) > 0.01:
            raise ValueError(f"constituent weights must add to 100 (percent), got {total:.4f}")
        return self

    def product(self, key: str) -> Product:
        return load_products()[key]

    def sector_of(self, c: Constituent) -> str:
        return c.sector or load_products()[c.product].sector

    @property
    def published_weights(self) -> dict[str, float]:
        """表1 weights as fractions summing to 1."""
        return {c.product: c.weight / 100 for c in self.constituents}


def parse_methodology(data: dict, *, source: str = "<dict>") -> Methodology:
    """Validate a parsed TOML document into a :class:`Methodology`; errors name the file and the rule."""
    try:
        return Methodology.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise MethodologyError(explain(f"invalid methodology {source}", f"{where}: {first['msg']}",
                                       first.get("input") if not isinstance(first.get("input"), dict) else where,
                                       "Fix the TOML file (schema: cnradar.cindex.methodology.Methodology).")) from exc


@lru_cache(maxsize=1)
def _registry() -> dict[str, Methodology]:
    out: dict[str, Methodology] = {}
    folder = resources.files("cnradar.cindex").joinpath("methodologies")
    for f in sorted(folder.iterdir(), key=lambda p: p.name):
        if f.name.endswith(".toml"):
            m = parse_methodology(tomllib.loads(f.read_text(encoding="utf-8")), source=f.name)
            out[m.name] = m
    return out


FOREIGN = ("CRB", "GSCI", "BCOM", "DBLCI", "RICI", "SPCI", "LMEX")
"""The seven methodologies of the seed, in the column order of its 表1."""


def list_methodologies() -> list[str]:
    """Names of every methodology: the seven of 表1 (in the seed's order) then the Chinese indices."""
    names = list(_registry())
    return [n for n in FOREIGN if n in names] + sorted(n for n in names if n not in FOREIGN)


def get_methodology(name: str) -> Methodology:
    """A methodology by name (case-insensitive)."""
    reg = _registry()
    key = name.upper()
    if key not in reg:
        raise UnknownNameError("index methodology", name, list(reg))
    return reg[key]
