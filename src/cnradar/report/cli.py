"""``cnradar report``: a thin wrapper over :func:`cnradar.report.build_report`.

Mounted by ``cnradar/cli.py`` as ``app.command("report")(report_command)``::

    cnradar report [--asof DATE] [--out DIR] [--lang zh|en] [--format html,png,md] [--no-update]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cnradar.config import resolve_home
from cnradar.errors import CnradarError


def report_command(
    ctx: typer.Context,
    asof: Annotated[str | None, typer.Option(help="report date (YYYY-MM-DD); default: last index bar in the store")]
    = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default: <home>/reports)")] = None,
    lang: Annotated[str, typer.Option(help="language: zh or en")] = "zh",
    fmt: Annotated[str, typer.Option("--format", help="comma-separated: html, png, svg, md (png implies svg)")]
    = "html,png,md",
    update: Annotated[bool, typer.Option("--update/--no-update",
                                         help="first bring the option-index and CB-deviation caches up to date")]
    = True,
) -> None:
    """Write the weekly report: self-contained HTML, the radar hexagon as PNG and SVG, a Markdown summary."""
    from cnradar.report import build_report
    from cnradar.store import Store

    console = Console()
    paths = (ctx.obj or {}).get("paths") if ctx is not None and isinstance(ctx.obj, dict) else None
    paths = paths or resolve_home(None)
    try:
        with Store.open(paths.store) as store, console.status("building the weekly report"):
            result = build_report(store, asof=asof, out_dir=out or paths.reports, lang=lang,  # type: ignore[arg-type]
                                  formats=fmt, refresh_derived=update)
    except CnradarError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=1) from exc
    if result.synthetic:
        console.print("[bold yellow]SYNTHETIC DATA[/] — the report says so in a banner.")
    table = Table(title=f"cnradar report {result.asof.date()} ({result.seconds:.1f} s)")
    table.add_column("format")
    table.add_column("file")
    table.add_column("size", justify="right")
    for kind, path in result.paths.items():
        table.add_row(kind, str(path), f"{result.sizes[kind] / 1024:.0f} KiB")
    console.print(table)
    console.print(f"sections: {', '.join(result.sections)}")
    if result.missing:
        console.print(f"[yellow]{len(result.missing)} part(s) shown as 'no data'[/]: "
                      + ", ".join(m.section for m in result.missing[:12]) + (" …" if len(result.missing) > 12 else ""))
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    typer.echo(str(result.html or next(iter(result.paths.values()), "")))
