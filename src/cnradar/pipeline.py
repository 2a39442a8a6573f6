"""The main job: data -> caches -> report, as library functions the CLI (and a notebook) call.

- :func:`update_caches` computes every derived series the analytics read from the store: option indices per
  ETF underlying (VIX, SKEW, implied basis), the convertible pricing deviation, and the radar's daily score
  history. Each step is incremental, so a second run only adds new days.
- :func:`run_demo` is ``make demo``: generate the synthetic demo universe (once per seed and preset), import
  it (idempotent), update the caches and write the weekly report.

Steps report progress through a callback ``progress(description, done, total)`` (the CLI draws rich bars).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cnradar.config import Paths
from cnradar.report import ReportResult
from cnradar.store import Store

Progress = Callable[[str, int, int], None]


def _quiet(_desc: str, _done: int, _total: int) -> None:
    """The default progress callback: report nothing."""


@dataclass
class StepTiming:
    """How long one step of the pipeline took, and what it produced."""

    step: str
    seconds: float
    detail: str = ""


@dataclass
class PipelineResult:
    """What :func:`run_demo` / :func:`update_caches` did: timings per step and the report, when written."""

    steps: list[StepTiming] = field(default_factory=list)
    report: ReportResult | None = None
    bundle_path: Path | None = None

    def add(self, step: str, started: float, detail: str = "") -> None:
        self.steps.append(StepTiming(step, time.perf_counter() - started, detail))


def update_caches(store: Store, *, asof=None, progress: Progress = _quiet,
                  result: PipelineResult | None = None) -> PipelineResult:
    """Compute (incrementally) the option indices, the CB deviation and the radar history into the store."""
    from cnradar.convertibles.deviation import update_deviation
    from cnradar.options.history import option_underlyings, update_option_indices
    from cnradar.radar.engine import update_history

    result = result or PipelineResult()
    underlyings = option_underlyings(store)
    total = len(underlyings) + 2
    for i, underlying in enumerate(underlyings):
        progress(f"option indices {underlying}", i, total)
        t = time.perf_counter()
        history = update_option_indices(store, underlying, asof=asof)  # the full cached history
        last = history["date"].max().date() if len(history) else "none"
        result.add(f"option indices {underlying}", t, f"{len(history)} days cached, last {last}")
    progress("convertible pricing deviation", len(underlyings), total)
    t = time.perf_counter()
    bonds = update_deviation(store, asof=asof)
    result.add("convertible deviation", t, f"{len(bonds)} new bond-dates")
    progress("timing radar history", len(underlyings) + 1, total)
    t = time.perf_counter()
    days = update_history(store, asof=asof)
    result.add("radar history", t, f"{len(days)} new days")
    progress("caches up to date", total, total)
    return result


def run_demo(paths: Paths, *, seed: int = 20240101, preset: str | None = None, asof=None,
             out_dir: Path | None = None, lang: str = "zh", formats: str = "html,png,md",
             progress: Progress = _quiet) -> PipelineResult:
    """``make demo``: demo bundle -> store -> caches -> weekly report. A second run reuses all of it."""
    from cnradar.report import build_report
    from cnradar.sources.bundle import already_imported, import_bundle
    from cnradar.sources.demo import generate_demo_bundle

    result = PipelineResult()
    bundle = paths.bundles / f"demo-{seed}-{preset or 'default'}"
    t = time.perf_counter()
    if not (bundle / "meta.json").exists():
        progress("generating the synthetic demo universe", 0, 4)
        generate_demo_bundle(bundle, seed=seed, preset=preset)
        result.add("generate demo bundle", t, str(bundle))
    result.bundle_path = bundle
    with Store.open(paths.store) as store:
        progress("importing the demo bundle", 1, 4)
        t = time.perf_counter()
        if already_imported(store, bundle):
            result.add("import", t, "already in the store (reused)")
        else:
            report = import_bundle(store, bundle)
            result.add("import", t, "changed" if report.changed else "unchanged")
        progress("updating caches", 2, 4)
        update_caches(store, asof=asof, result=result)
        progress("writing the weekly report", 3, 4)
        t = time.perf_counter()
        result.report = build_report(store, asof=asof, out_dir=out_dir or paths.reports, lang=lang,
                                     formats=formats)
        result.add("report", t, str(result.report.html))
    progress("done", 4, 4)
    return result
