"""``cnradar cb``: convertible-bond pricing deviation (thin wrapper over :mod:`cnradar.convertibles.deviation`)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from cnradar.config import resolve_home
from cnradar.convertibles.deviation import load_bond_deviation, load_market_deviation, update_deviation

app = typer.Typer(help="Convertible bonds: model value and the market pricing deviation (可转债定价偏离度).",
                  no_args_is_help=True)


@app.command("deviation")
def deviation(
    asof: str | None = typer.Option(None, "--asof", help="Date (YYYY-MM-DD); default: the latest in the store."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    home: str | None = typer.Option(None, "--home", help="cnradar home (default $CNRADAR_HOME or ~/.cnradar)."),
    update: bool = typer.Option(True, "--update/--no-update", help="Price new dates before reporting."),
) -> None:
    """Market pricing deviation (price / model − 1) on a date, with its inputs and the flagged defaults."""
    from cnradar.store import Store

    store = Store.open(resolve_home(home).store)
    try:
        if update:
            update_deviation(store)
        day = asof or store.last_date("convertible")
        market = load_market_deviation(store, asof=day)
        bonds = load_bond_deviation(store, asof=day)
    finally:
        store.close()
    console = Console()
    if market.empty:
        console.print("No convertible deviation in the store (import a bundle with convertibles first).")
        raise typer.Exit(1)
    last = market.iloc[-1]
    day_rows = bonds[bonds["date"] == last["date"]] if not bonds.empty else bonds
    payload = {
        "date": str(last["date"].date()),
        "deviation_median": float(last["deviation_median"]),
        "deviation_weighted": None if last["deviation_weighted"] != last["deviation_weighted"]
        else float(last["deviation_weighted"]),
        "n_bonds": int(last["n_bonds"]),
        "n_default_terms": int(last["n_default_terms"]),
        "excluded": {str(k): int(v) for k, v in day_rows.loc[~day_rows["included"], "exclude_reason"]
                     .value_counts().items()} if len(day_rows) else {},
    }
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    table = Table(title=f"可转债定价偏离度 {payload['date']}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("median deviation", f"{payload['deviation_median']:+.2%}")
    w = payload["deviation_weighted"]
    table.add_row("balance-weighted", "n/a (no balances)" if w is None else f"{w:+.2%}")
    table.add_row("bonds priced", str(payload["n_bonds"]))
    table.add_row("…with default clauses (flagged)", str(payload["n_default_terms"]))
    for reason, n in payload["excluded"].items():
        table.add_row(f"excluded: {reason}", str(n))
    console.print(table)
