"""``build_report``: the weekly report as one self-contained HTML file, the hexagon as PNG and SVG, and a
Markdown summary.

Self-containment: the HTML carries its CSS inline, has no script, and every chart is a ``data:`` URI; a
Content-Security-Policy meta tag (``default-src 'none'; img-src data:; style-src 'unsafe-inline'``) makes the
browser refuse any request the page might try, so it opens offline by double click and never reaches the
network. Text uses the reader's CJK system font (CSS stack: Noto Sans CJK SC, PingFang SC, Microsoft YaHei, …);
charts carry their glyphs as outlines (see :mod:`cnradar.report.fonts`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jinja2
import pandas as pd

from cnradar.errors import ConfigError, explain
from cnradar.report import assemble, sections
from cnradar.report.charts import ChartFormat
from cnradar.report.fonts import find_cjk_font
from cnradar.report.labels import Lang, composite_bands_text, t, up_down_colors
from cnradar.report.model import Missing, ReportInputs

log = logging.getLogger(__name__)

Format = Literal["html", "png", "svg", "md"]
FORMATS: tuple[str, ...] = ("html", "png", "svg", "md")
SECTIONS: tuple[str, ...] = ("summary", "hexagon", "categories", "table", "narrative", "indicators", "history",
                             "basis", "commodity", "evaluation", "data")


@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_report` wrote.

    ``paths`` maps a format (``html``, ``png``, ``svg``, ``md``) to its file; ``sizes`` the same to bytes;
    ``sections`` lists the sections rendered with content; ``missing`` every part shown as "no data" (section
    and reason); ``seconds`` the wall time; ``synthetic`` whether any input bundle was synthetic.
    """

    asof: pd.Timestamp
    paths: dict[str, Path]
    sizes: dict[str, int]
    sections: tuple[str, ...]
    missing: tuple[Missing, ...]
    warnings: tuple[str, ...] = ()
    synthetic: bool = False
    seconds: float = 0.0
    indicator_charts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def html(self) -> Path | None:
        return self.paths.get("html")

    @property
    def size(self) -> int:
        """Total bytes written."""
        return sum(self.sizes.values())


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("cnradar.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


def _formats(formats: Iterable[str] | str) -> tuple[str, ...]:
    items = [f.strip().lower() for f in (formats.split(",") if isinstance(formats, str) else formats) if f.strip()]
    bad = [f for f in items if f not in FORMATS]
    if bad or not items:
        raise ConfigError(explain("unknown report format", f"one or more of {', '.join(FORMATS)}",
                                  bad[0] if bad else formats, "Use e.g. --format html,png,md."))
    if "png" in items and "svg" not in items:
        items.append("svg")  # the hexagon is always exported as both PNG and SVG
    return tuple(dict.fromkeys(items))


def resolve_asof(store: Any, asof: Any) -> pd.Timestamp:
    """The report date: ``asof`` as given, or (``None``) the last index bar in the store."""
    if asof is not None:
        try:
            return pd.Timestamp(asof).normalize()
        except (ValueError, TypeError) as exc:
            raise ConfigError(explain("invalid report date", "an ISO date such as 2024-06-28", asof,
                                      "Pass --asof YYYY-MM-DD.")) from exc
    last = store.last_date("index") or store.last_date()
    if last is None:
        raise ConfigError(explain("empty store", "the store needs bars to date a report", None,
                                  "Import a bundle first: cnradar data demo, or cnradar data import PATH."))
    return pd.Timestamp(last).normalize()


def render_context(inputs: ReportInputs, missing: Sequence[Missing], lang: Lang, *,
                   chart_format: ChartFormat = "png", years: float = 5.0,
                   warnings: Sequence[str] = ()) -> dict[str, Any]:
    """Template context of every section from the plain inputs (used by the HTML and Markdown templates)."""
    up, down = up_down_colors(lang)
    return {
        "lang": lang,
        "asof": inputs.asof.strftime("%Y-%m-%d"),
        "version": _version(),
        "up": up,
        "down": down,
        "bands": composite_bands_text(lang),
        "T": {k: t(k, lang) for k in ("title", "summary", "hexagon", "categories", "table", "indicators",
                                       "narrative", "history", "basis", "commodity", "evaluation", "data",
                                       "this_week", "last_week", "change", "composite", "no_data", "synthetic",
                                       "risk")},
        "radar": sections.radar_context(inputs.radar, lang, chart_format=chart_format, years=years),
        "basis": sections.basis_context(inputs.basis, lang),
        "commodity": sections.commodity_context(inputs.commodity, inputs.asof, lang),
        "evaluation": sections.evaluation_context(inputs.evaluation, lang),
        "data": sections.data_context(inputs.data, list(missing), list(warnings), lang),
    }


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("cnradar")
    except Exception:  # not installed (source checkout): no version in the footer
        return "dev"


def render_html(context: dict[str, Any]) -> str:
    return _env().get_template("report.html.j2").render(**context)


def render_markdown(context: dict[str, Any]) -> str:
    return _env().get_template("summary.md.j2").render(**context)


def rendered_sections(context: dict[str, Any]) -> tuple[str, ...]:
    """Sections that have content (not only a "no data" panel)."""
    radar_ok = not context["radar"]["missing"]
    out = []
    if radar_ok:
        out += ["summary", "hexagon", "categories", "table", "narrative"]
        if any(c["uri"] for c in context["radar"]["indicator_charts"]):
            out.append("indicators")
        if context["radar"]["history_uri"]:
            out.append("history")
    if any(not b["missing"] for b in context["basis"]):
        out.append("basis")
    if context["commodity"]["rows"]:
        out.append("commodity")
    if context["evaluation"] is not None and not context["evaluation"]["missing"]:
        out.append("evaluation")
    out.append("data")
    return tuple(out)


def write_report(inputs: ReportInputs, missing: Sequence[Missing], out_dir: Path, *, lang: Lang = "zh",
                 formats: Iterable[str] | str = ("html", "png", "md"), chart_format: ChartFormat = "png",
                 years: float = 5.0, stem: str | None = None) -> ReportResult:
    """Render already-collected inputs to files (the pure half of :func:`build_report`)."""
    t0 = time.perf_counter()
    fmts = _formats(formats)
    font = find_cjk_font()
    warnings = [f"charts: {font.warning}"] if font.warning else []
    ctx = render_context(inputs, missing, lang, chart_format=chart_format, years=years, warnings=warnings)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = stem or f"cnradar-report-{inputs.asof.strftime('%Y-%m-%d')}-{lang}"
    paths: dict[str, Path] = {}
    if "html" in fmts:
        paths["html"] = out_dir / f"{stem}.html"
        paths["html"].write_text(render_html(ctx), encoding="utf-8")
    if not ctx["radar"]["missing"]:
        if "png" in fmts:
            paths["png"] = out_dir / f"{stem}-hexagon.png"
            paths["png"].write_bytes(ctx["radar"]["hexagon_png"].data)
        if "svg" in fmts:
            paths["svg"] = out_dir / f"{stem}-hexagon.svg"
            paths["svg"].write_bytes(ctx["radar"]["hexagon_svg"].data)
    if "md" in fmts:
        paths["md"] = out_dir / f"{stem}.md"
        paths["md"].write_text(render_markdown(ctx), encoding="utf-8")
    sizes = {k: p.stat().st_size for k, p in paths.items()}
    charted = tuple(c["id"] for c in ctx["radar"].get("indicator_charts", []) if c.get("uri"))
    return ReportResult(asof=inputs.asof, paths=paths, sizes=sizes, sections=rendered_sections(ctx),
                        missing=tuple(missing), warnings=tuple(ctx["data"]["warnings"]),
                        synthetic=bool(ctx["data"]["synthetic"]), seconds=time.perf_counter() - t0,
                        indicator_charts=charted)


def build_report(store: Any, *, asof: Any, out_dir: str | Path, lang: Lang = "zh",
                 formats: Iterable[str] | str = ("html", "png", "md"), chart_format: ChartFormat = "png",
                 years: float = 5.0, strict: bool = False,
                 commodity_indices: Iterable[str] | None = None, refresh_derived: bool = False) -> ReportResult:
    """Build the weekly report from whatever is in ``store`` as of ``asof``.

    Parameters
    ----------
    store : cnradar.store.Store
    asof : date-like or None
        Report date; ``None`` = the last index bar in the store. "This week" is the last radar date ≤ asof,
        "last week" the last date ≤ this week − 7 calendar days.
    out_dir : folder for the files (created).
    lang : "zh" (default, the seed's report) or "en".
    formats : any of "html", "png", "svg", "md" (a list or "html,png,md"); "png" implies "svg" — the
        hexagon is exported in both.
    chart_format : "png" (default, smaller for the 21 daily indicator charts) or "svg" for the inline charts.
    years : history shown in the indicator and composite charts (seed: last 3–5 years).
    strict : re-raise unexpected exceptions from other areas instead of showing an "error" panel.
    commodity_indices : names to show; default every methodology of ``cnradar.cindex``.
    refresh_derived : first bring the option-index and convertible-deviation caches up to ``asof``
        (incremental; writes to the store). The CLI does this by default.

    Returns
    -------
    ReportResult — paths, sizes, sections rendered, missing inputs, warnings, wall time.

    Example
    -------
    >>> from cnradar.store import Store                                      # doctest: +SKIP
    >>> r = build_report(Store.open("~/.cnradar"), asof=None, out_dir="reports")  # doctest: +SKIP
    >>> r.html                                                               # doctest: +SKIP
    """
    if lang not in ("zh", "en"):
        raise ConfigError(explain("unknown report language", "zh or en", lang, "Use --lang zh or --lang en."))
    t0 = time.perf_counter()
    _formats(formats)  # validate before any work
    day = resolve_asof(store, asof)
    inputs, missing = assemble.collect(store, day, lang, years=years, strict=strict,
                                       commodity_names=commodity_indices, refresh_derived=refresh_derived)
    result = write_report(inputs, missing, Path(out_dir), lang=lang, formats=formats, chart_format=chart_format,
                          years=years)
    total = time.perf_counter() - t0
    log.info("report %s written in %.1fs (%d bytes)", result.html, total, result.size)
    return ReportResult(**{**result.__dict__, "seconds": total})
