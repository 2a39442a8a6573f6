"""The indicator registry: ``indicators.toml`` validated into frozen specs.

Methodology is data: names (zh/en), dimension, category, inputs, parameters, declared alternatives and
proxies, and the seed section live in ``radar/indicators.toml``; this module validates them and binds each
id to its pure function ``indicators/<module>.py::<id>``.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cnradar.errors import MethodologyError, UnknownNameError, explain

REGISTRY_PATH = Path(__file__).with_name("indicators.toml")

DIMENSIONS = ("liquidity", "economy", "valuation", "flows", "technical", "crowding")
CATEGORIES = ("valuation", "macro", "flows_trend", "crowding_reversal")

#: the 21 indicator ids, in the seed's table order (图表3)
INDICATOR_IDS = (
    "monetary_direction", "monetary_strength", "credit_direction", "credit_strength",
    "growth_direction", "growth_strength", "inflation_direction", "inflation_strength",
    "shiller_erp", "pb", "aiae",
    "margin_increment", "turnover_trend", "china_cds", "risk_aversion",
    "price_trend", "new_high_low",
    "option_implied_basis", "option_vix", "option_skew", "cb_pricing_deviation",
)


@dataclass(frozen=True)
class Proxy:
    """A declared stand-in input, used only when enabled by ``id``; its name is shown with the score."""

    id: str
    name_zh: str
    name_en: str
    map: Mapping[str, str] = field(default_factory=dict)   # input -> proxy series (renamed)
    uses: tuple[str, ...] = ()                            # extra inputs the function reads in proxy mode


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator: identity, placement, inputs, parameters and where the seed defines it."""

    id: str
    name_zh: str
    name_en: str
    dimension: str
    category: str
    module: str
    inputs: tuple[str, ...]
    params: Mapping[str, Any]
    source: str
    choices: str = ""
    group_zh: str = ""
    group_en: str = ""
    alternatives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    proxies: tuple[Proxy, ...] = ()

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def function(self) -> Callable[..., Any]:
        """The pure function ``cnradar.radar.indicators.<module>.<id>``."""
        mod = importlib.import_module(f"cnradar.radar.indicators.{self.module}")
        return getattr(mod, self.id)

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True)
class Registry:
    """All indicators plus the names of dimensions/categories and the aggregation weights."""

    indicators: Mapping[str, IndicatorSpec]
    dimension_names: Mapping[str, Mapping[str, str]]
    category_names: Mapping[str, Mapping[str, str]]
    category_weights: Mapping[str, float]
    indicator_weights: Mapping[str, float]

    def __getitem__(self, key: str) -> IndicatorSpec:
        try:
            return self.indicators[key]
        except KeyError:
            raise UnknownNameError("radar indicator", key, list(self.indicators)) from None

    def ids(self) -> tuple[str, ...]:
        return tuple(self.indicators)

    def proxy_ids(self) -> tuple[str, ...]:
        return tuple(p.id for s in self.indicators.values() for p in s.proxies)

    def by_dimension(self, dim: str) -> list[str]:
        return [i for i, s in self.indicators.items() if s.dimension == dim]

    def by_category(self, cat: str) -> list[str]:
        return [i for i, s in self.indicators.items() if s.category == cat]


def _bad(what: str, constraint: str, got: object) -> MethodologyError:
    return MethodologyError(explain(f"indicators.toml: {what}", constraint, got, "Fix the registry file."))


def _names(d: Any, where: str) -> tuple[str, str]:
    if not isinstance(d, dict) or not {"zh", "en"} <= set(d):
        raise _bad(f"{where} name", "a table with zh and en", d)
    return str(d["zh"]), str(d["en"])


def parse_registry(doc: Mapping[str, Any]) -> Registry:
    """Validate a parsed registry document (see ``indicators.toml``) into a :class:`Registry`."""
    raw = doc.get("indicators", {})
    if tuple(raw) != INDICATOR_IDS:
        raise _bad("indicator ids", f"exactly {', '.join(INDICATOR_IDS)} in that order", tuple(raw))
    specs: dict[str, IndicatorSpec] = {}
    for iid, body in raw.items():
        zh, en = _names(body.get("name"), iid)
        if body.get("dimension") not in DIMENSIONS:
            raise _bad(f"{iid}.dimension", f"one of {', '.join(DIMENSIONS)}", body.get("dimension"))
        if body.get("category") not in CATEGORIES:
            raise _bad(f"{iid}.category", f"one of {', '.join(CATEGORIES)}", body.get("category"))
        if not body.get("source", "").startswith("seeds/timing-radar.txt"):
            raise _bad(f"{iid}.source", "a section of seeds/timing-radar.txt", body.get("source"))
        inputs = tuple(body.get("inputs", ()))
        if not inputs:
            raise _bad(f"{iid}.inputs", "a non-empty list", inputs)
        gzh, gen = _names(body["group"], iid) if "group" in body else ("", "")
        proxies = []
        for p in body.get("proxies", []):
            pzh, pen = _names(p.get("name"), f"{iid} proxy")
            if "id" not in p or not (p.get("map") or p.get("uses")):
                raise _bad(f"{iid}.proxies", "each with an id and a map or uses", p)
            proxies.append(Proxy(p["id"], pzh, pen, MappingProxyType(dict(p.get("map", {}))),
                                 tuple(p.get("uses", ()))))
        spec = IndicatorSpec(
            id=iid, name_zh=zh, name_en=en, dimension=body["dimension"], category=body["category"],
            module=body.get("module", ""), inputs=inputs, params=MappingProxyType(dict(body.get("params", {}))),
            source=body["source"], choices=body.get("choices", ""), group_zh=gzh, group_en=gen,
            alternatives=MappingProxyType({k: tuple(v) for k, v in body.get("alternatives", {}).items()}),
            proxies=tuple(proxies))
        try:
            spec.function  # noqa: B018 - validate the binding now, not at first use
        except (ImportError, AttributeError) as exc:
            raise _bad(f"{iid}.module", "a module of cnradar.radar.indicators defining a function named after "
                       "the id", spec.module) from exc
        specs[iid] = spec
    agg = doc.get("aggregation", {})
    cw = {c: float(agg.get("category_weights", {}).get(c, 1.0)) for c in CATEGORIES}
    iw = {k: float(v) for k, v in agg.get("indicator_weights", {}).items()}
    for k in iw:
        if k not in specs:
            raise UnknownNameError("radar indicator (in aggregation.indicator_weights)", k, list(specs))
    if any(w < 0 for w in (*cw.values(), *iw.values())):
        raise _bad("aggregation weights", "non-negative numbers", {**cw, **iw})
    dims = {k: MappingProxyType(dict(v)) for k, v in doc.get("dimensions", {}).items()}
    cats = {k: MappingProxyType(dict(v)) for k, v in doc.get("categories", {}).items()}
    if set(dims) != set(DIMENSIONS) or set(cats) != set(CATEGORIES):
        raise _bad("dimensions/categories", f"{DIMENSIONS} and {CATEGORIES}", (tuple(dims), tuple(cats)))
    return Registry(MappingProxyType(specs), MappingProxyType(dims), MappingProxyType(cats),
                    MappingProxyType(cw), MappingProxyType(iw))


@lru_cache(maxsize=4)
def load_registry(path: str | None = None) -> Registry:
    """Load and validate the registry (the packaged ``indicators.toml`` by default)."""
    p = Path(path) if path else REGISTRY_PATH
    try:
        with p.open("rb") as fh:
            doc = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MethodologyError(explain("cannot read the indicator registry", "a readable TOML file", str(p),
                                       "Check the path and the TOML syntax.")) from exc
    return parse_registry(doc)


__all__ = ["CATEGORIES", "DIMENSIONS", "INDICATOR_IDS", "IndicatorSpec", "Proxy", "Registry", "load_registry",
           "parse_registry"]
