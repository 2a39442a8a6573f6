"""The ``cnradar`` command line: thin wrappers over the library, printed with rich.

Every command calls a public function that returns a DataFrame or a small dataclass, so a notebook gets the same
numbers as the shell. ``--home`` (or ``$CNRADAR_HOME``) chooses where the store lives.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cnradar.cindex.cli import app as cindex_app
from cnradar.config import resolve_home
from cnradar.convertibles.cli import app as cb_app
from cnradar.errors import CnradarError
from cnradar.futures.cli import app as basis_app
from cnradar.options.cli import app as vol_app
from cnradar.radar.cli import app as radar_app
from cnradar.report.cli import report_command
from cnradar.sources.akshare.commands import sources_command, sync_command
from cnradar.sources.demo.cli import demo_command
from cnradar.store import Store

app = typer.Typer(help="cnradar: timing radar, index-futures basis and commodity indices for China.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
data_app = typer.Typer(help="Load, generate and inspect market data.", no_args_is_help=True)
app.add_typer(data_app, name="data")
console = Console()


@app.callback()
def main(ctx: typer.Context,
         home: Annotated[Path | None, typer.Option(help="cnradar home (store, caches); default $CNRADAR_HOME "
                                                         "or ~/.cnradar")] = None) -> None:
    """Global options."""
    paths = resolve_home(home)
    # Commands that resolve the home themselves (data sync, data demo) see the same one; the variable is
    # restored when the command ends, so an in-process caller (a notebook, CliRunner) is left as it was.
    previous = os.environ.get("CNRADAR_HOME")
    os.environ["CNRADAR_HOME"] = str(paths.home)

    def restore() -> None:
        if previous is None:
            os.environ.pop("CNRADAR_HOME", None)
        else:
            os.environ["CNRADAR_HOME"] = previous

    ctx.call_on_close(restore)
    ctx.obj = {"paths": paths}


def open_store(ctx: typer.Context, *, read_only: bool = False) -> Store:
    """The store under the current ``--home``."""
    return Store.open(ctx.obj["paths"].store, read_only=read_only)


def progress_bar() -> Progress:
    """The one progress-bar style of the CLI (rich)."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=console, transient=False)


def print_frame(df: pd.DataFrame, title: str | None = None, *, as_json: bool = False) -> None:
    """Print a frame as a rich table, or as JSON records (dates ISO) with ``as_json``."""
    if as_json:
        typer.echo(df.to_json(orient="records", date_format="iso", force_ascii=False))
        return
    table = Table(title=title)
    for c in df.columns:
        table.add_column(str(c))
    for row in df.itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else (v.date().isoformat() if isinstance(v, pd.Timestamp) else
                                               f"{v:,.4g}" if isinstance(v, float) else str(v)) for v in row])
    console.print(table)


# ---------------------------------------------------------------------- data
@data_app.command("import")
def data_import(ctx: typer.Context, path: Annotated[Path, typer.Argument(help="bundle folder")]) -> None:
    """Validate and import a data bundle (all-or-nothing; re-importing changes nothing)."""
    from cnradar.sources.bundle import import_bundle

    with open_store(ctx) as store, progress_bar() as bar:
        task = bar.add_task(f"import {path}", total=None)

        def report(desc: str, done: int, total: int) -> None:
            bar.update(task, description=desc, completed=done, total=total)

        result = import_bundle(store, path, progress=report)
    print_frame(result.tables, f"{result.bundle}: ingest {result.ingest_id} in {result.seconds:.1f} s")
    size = ctx.obj["paths"].store.stat().st_size / 2**20
    console.print(f"store: {ctx.obj['paths'].store} ({size:.1f} MiB)" + ("" if result.changed else
                                                                         " — nothing changed"))


@data_app.command("status")
def data_status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Coverage per kind/product and per series: first and last date, rows, gaps."""
    from cnradar.store.status import bar_coverage, series_coverage

    with open_store(ctx, read_only=True) as store:
        bars, series, meta = bar_coverage(store), series_coverage(store), store.meta()
    if as_json:
        typer.echo(json.dumps({"meta": meta, "bars": json.loads(bars.to_json(orient="records", date_format="iso")),
                               "series": json.loads(series.to_json(orient="records", date_format="iso"))},
                              ensure_ascii=False))
        return
    if meta["synthetic"]:
        console.print("[bold yellow]SYNTHETIC DATA[/] — the store holds a generated demo universe.")
    print_frame(bars, "bars")
    print_frame(series, "series")


@app.command("update")
def update(ctx: typer.Context, asof: Annotated[str | None, typer.Option(help="last day to compute")] = None) -> None:
    """Bring the derived caches up to date: option indices, CB deviation, radar history (incremental)."""
    from cnradar.pipeline import update_caches

    with open_store(ctx) as store, progress_bar() as bar:
        task = bar.add_task("updating", total=None)
        result = update_caches(store, asof=asof, progress=lambda d, i, n: bar.update(task, description=d,
                                                                                      completed=i, total=n))
    print_frame(pd.DataFrame([vars(s) for s in result.steps]), "update")


@app.command("demo")
def demo(ctx: typer.Context,
         seed: Annotated[int, typer.Option(help="random seed of the synthetic universe")] = 20240101,
         preset: Annotated[str | None, typer.Option(help="size preset (e.g. small); default: full 2012-2025")] = None,
         lang: Annotated[str, typer.Option(help="report language: zh or en")] = "zh",
         out: Annotated[Path | None, typer.Option(help="report folder (default: <home>/reports)")] = None) -> None:
    """The main job on synthetic data: generate the demo universe, import it, compute everything, write the
    weekly report and print its path. A second run reuses the bundle, the store and the caches."""
    from cnradar.pipeline import run_demo

    with progress_bar() as bar:
        task = bar.add_task("demo", total=4)
        result = run_demo(ctx.obj["paths"], seed=seed, preset=preset, lang=lang, out_dir=out,
                          progress=lambda d, i, n: bar.update(task, description=d, completed=i, total=n))
    print_frame(pd.DataFrame([vars(s) for s in result.steps]), "cnradar demo (SYNTHETIC DATA)")
    report = result.report
    if report is not None:
        console.print(f"report: [bold]{report.html}[/] ({report.size / 2**20:.1f} MiB in {report.seconds:.1f} s)")


app.command("report")(report_command)
data_app.command("demo")(demo_command)
data_app.command("sync")(sync_command)
data_app.command("sources")(sources_command)


app.add_typer(vol_app, name="vol")
app.add_typer(cb_app, name="cb")
app.add_typer(basis_app, name="basis")
app.add_typer(cindex_app, name="cindex")
app.add_typer(radar_app, name="radar")


def run() -> None:
    """Entry point with errors that teach: a CnradarError prints its message, not a traceback."""
    try:
        app()
    except CnradarError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        raise SystemExit(2) from exc
