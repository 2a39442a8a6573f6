"""Typer-compatible commands, mounted by ``cnradar/cli.py`` as ``cnradar data sync`` and ``cnradar data sources``.

Thin wrappers: :func:`sync_command` calls :func:`cnradar.sources.akshare.sync` and prints its result;
:func:`sources_command` prints the AkShare function table and the seed-input coverage (which inputs AkShare
cannot supply and must come from a user CSV bundle).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cnradar.errors import CnradarError
from cnradar.sources.akshare.catalog import SEED_INPUTS
from cnradar.sources.akshare.spec import FUNCTIONS
from cnradar.sources.akshare.sync import FAMILIES, sync

console = Console()


def sync_command(
    source: Annotated[str, typer.Option(help="Data source (only 'akshare' fetches from the network).")] = "akshare",
    since: Annotated[str | None, typer.Option(help="First date (YYYY-MM-DD); default: the store's last date.")] = None,
    until: Annotated[str | None, typer.Option(help="Last date (YYYY-MM-DD); default: today.")] = None,
    family: Annotated[list[str] | None, typer.Option(
        help=f"Families to sync (repeatable): {', '.join(FAMILIES)}. Default: all.")] = None,
    home: Annotated[str | None, typer.Option(help="cnradar home (default $CNRADAR_HOME or ~/.cnradar).")] = None,
    no_import: Annotated[bool, typer.Option("--no-import", help="Write the bundle only.")] = False,
    throttle: Annotated[float, typer.Option(help="Seconds between two AkShare calls.")] = 0.5,
    retries: Annotated[int, typer.Option(help="Retries per call (exponential back-off).")] = 3,
) -> None:
    """Fetch AkShare data incrementally into a bundle and import it into the store (resumable: re-run to continue)."""
    if source != "akshare":
        console.print(f"[red]unknown source {source!r}[/red]: the network source is 'akshare'; "
                      "other data comes in as a bundle: cnradar data import PATH")
        raise typer.Exit(2)
    end = until or dt.date.today().isoformat()  # the CLI is the one place a wall clock is read
    try:
        from cnradar.store import Store

        with Store.open(home) as store:
            result = sync(store, until=end, since=since, families=family, home=home,
                          min_interval=throttle, retries=retries, import_into_store=not no_import)
    except CnradarError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    table = Table(title=f"AkShare sync -> {result.bundle}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, n in sorted(result.rows.items()):
        table.add_row(name, f"{n:,}")
    console.print(table)
    console.print(f"network calls {result.network_calls}, cache hits {result.cache_hits}, "
                  f"retries {result.retries}; imported: {result.imported}")
    for fam, (s, e) in result.windows.items():
        console.print(f"  {fam}: {s} .. {e}")
    if result.failures:
        for fam, msg in result.failures.items():
            console.print(f"[red]{fam} failed:[/red] {msg}")
        console.print("Re-run the same command to resume: finished calls are cached.")
        raise typer.Exit(1)


def sources_command(
    functions: Annotated[bool, typer.Option("--functions", help="Also list every AkShare function used.")] = False,
) -> None:
    """Which seed inputs AkShare supplies, and which must come from a user CSV bundle."""
    table = Table(title="Seed inputs and the AkShare source")
    for col in ("input", "seed", "ids", "AkShare", "functions / note"):
        table.add_column(col)
    colour = {"yes": "green", "partial": "yellow", "no": "red"}
    for s in SEED_INPUTS:
        table.add_row(s.input, s.seed, s.ids, f"[{colour[s.status]}]{s.status}[/{colour[s.status]}]",
                      "; ".join(x for x in (s.functions if s.functions != "-" else "", s.note) if x))
    console.print(table)
    missing = [s.input for s in SEED_INPUTS if s.status == "no"]
    console.print("[bold]Not available from AkShare[/bold] (import them from a user CSV bundle with "
                  "`cnradar data import PATH`, series ids as shown): " + "; ".join(missing))
    if functions:
        ft = Table(title="AkShare functions used")
        for col in ("function", "source", "call", "feeds", "units"):
            ft.add_column(col)
        for spec in FUNCTIONS.values():
            ft.add_row(spec.name, spec.source, spec.call, ", ".join(spec.feeds),
                       ", ".join(f"{k}: {v}" for k, v in spec.units.items()))
        console.print(ft)
