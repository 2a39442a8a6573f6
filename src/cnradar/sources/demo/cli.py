"""``cnradar data demo``: generate the synthetic demo universe and (by default) import it into the store.

A thin wrapper over :func:`cnradar.sources.demo.generate_demo_bundle` and
:func:`cnradar.sources.bundle.import_bundle`; the lead mounts it with ``data_app.command("demo")(demo_command)``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import pyarrow.parquet as pq
import typer
from rich.console import Console
from rich.table import Table

from cnradar.config import resolve_home
from cnradar.errors import CnradarError
from cnradar.sources.demo.generator import DEMO_PRESETS, generate_demo_bundle

console = Console()


def bundle_summary(path: str | Path) -> pd.DataFrame:
    """Rows and bytes per file of a bundle (``truth/`` included), sorted by file name."""
    root = Path(path)
    rows = []
    for f in sorted(root.rglob("*")):
        if f.suffix == ".csv":
            with f.open("rb") as fh:
                n = max(sum(1 for _ in fh) - 1, 0)
        elif f.suffix == ".parquet":
            n = pq.ParquetFile(f).metadata.num_rows
        else:
            continue
        rows.append({"file": str(f.relative_to(root)), "rows": n, "MiB": round(f.stat().st_size / 2**20, 2)})
    return pd.DataFrame(rows, columns=["file", "rows", "MiB"])


def demo_command(
    out: Annotated[Path | None, typer.Option(help="Bundle folder (default: <home>/bundles/demo-<seed>-<preset>).")]
    = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed and sizes give a byte-identical bundle.")]
    = 20240101,
    preset: Annotated[str | None, typer.Option(
        help=f"Size preset: {', '.join(DEMO_PRESETS)} (options below left at their default follow it).")] = None,
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD, SSE calendar).")] = "2012-01-04",
    end: Annotated[str, typer.Option(help="Last day (YYYY-MM-DD).")] = "2025-12-31",
    n_stocks: Annotated[int, typer.Option(help="Constituent stocks (new-high/new-low breadth).")] = 800,
    n_convertibles: Annotated[int, typer.Option(help="Convertible bonds.")] = 120,
    commodity: Annotated[list[str] | None, typer.Option(
        help="Commodity products to include (repeatable, e.g. CU.SHF); default: the whole catalogue.")] = None,
    no_import: Annotated[bool, typer.Option("--no-import", help="Write the bundle only.")] = False,
    home: Annotated[str | None, typer.Option(help="cnradar home (default $CNRADAR_HOME or ~/.cnradar).")] = None,
) -> None:
    """Generate the synthetic demo universe (SYNTHETIC DATA, labelled so everywhere) and import it."""
    paths = resolve_home(home)
    target = out or paths.bundles / f"demo-{seed}-{preset or 'default'}"
    try:
        t0 = time.perf_counter()
        bundle = generate_demo_bundle(target, seed=seed, start=start, end=end, n_stocks=n_stocks,
                                      n_convertibles=n_convertibles, commodity_products=commodity, preset=preset)
        generated = time.perf_counter() - t0
        summary = bundle_summary(bundle)
        table = Table(title=f"SYNTHETIC demo bundle {bundle} ({generated:.1f} s)")
        for c in summary.columns:
            table.add_column(c)
        for row in summary.itertuples(index=False):
            table.add_row(row.file, f"{row.rows:,}", f"{row.MiB:.2f}")
        console.print(table)
        console.print(f"total {summary['MiB'].sum():.1f} MiB, {summary['rows'].sum():,} rows")
        if no_import:
            return
        from cnradar.sources.bundle import import_bundle
        from cnradar.store import Store

        with Store.open(paths.store) as store:
            result = import_bundle(store, bundle)
        console.print(f"[bold yellow]SYNTHETIC DATA[/] imported into {paths.store} in {result.seconds:.1f} s "
                      f"({'changed' if result.changed else 'nothing changed'})")
    except CnradarError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
