"""``cnradar basis monitor|history|hedge|reproduce``: thin wrappers over ``cnradar.futures``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Index-futures basis (IF/IH/IC/IM): monitor, history, hedging backtests.",
                  no_args_is_help=True)


def _store(ctx: typer.Context):
    from cnradar.cli import open_store  # the root CLI owns --home; imported late (it mounts this module)

    return open_store(ctx, read_only=True)


@app.command("monitor")
def monitor_cmd(ctx: typer.Context, product: Annotated[str, typer.Option(help="IF, IH, IC or IM")] = "IF",
                asof: Annotated[str | None, typer.Option(help="date (default: latest in the store)")] = None,
                price: Annotated[str, typer.Option(help="settle or close")] = "settle",
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Term structure, basis, daily average, N-day monthly ratios and the cheapest short hedge on a date."""
    from cnradar.cli import console, print_frame
    from cnradar.futures.monitor import basis_monitor

    mon = basis_monitor(_store(ctx), product, asof=asof, price=price)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps(mon.to_dict(), ensure_ascii=False))
        return
    ts = mon.term_structure[["contract", "days_to_expiry", "price", "basis_points", "basis_rate", "annualised",
                             "div_adj_rate", "daily_average", "is_main"]]
    print_frame(ts, title=f"{mon.product} {mon.date.date()}  index {mon.index} {mon.index_close:,.2f}")
    print_frame(mon.monthly_ratios, title="N-day monthly basis ratio (per 20 trading days)")
    if mon.recommended is not None:
        console.print(f"[bold]hedge:[/] {mon.recommended.reason}")


@app.command("history")
def history_cmd(ctx: typer.Context, product: Annotated[str, typer.Option()] = "IF",
                measure: Annotated[str, typer.Option(help="e.g. monthly_ratio_20, daily_average_current")] =
                "monthly_ratio_20",
                start: Annotated[str | None, typer.Option()] = None,
                asof: Annotated[str | None, typer.Option()] = None,
                price: Annotated[str, typer.Option()] = "settle",
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Daily history of one basis measure."""
    from cnradar.cli import print_frame
    from cnradar.futures.monitor import basis_history

    s = basis_history(_store(ctx), product, asof=asof, measure=measure, start=start, price=price)  # type: ignore[arg-type]
    df = s.rename(measure).reset_index()
    print_frame(df if as_json else df.tail(40), title=f"{product} {measure}", as_json=as_json)


@app.command("hedge")
def hedge_cmd(ctx: typer.Context, product: Annotated[str, typer.Option()] = "IF",
              rule: Annotated[str, typer.Option(help="current, current:5, next, quarter, far_quarter, cheapest")] =
              "current",
              start: Annotated[str | None, typer.Option()] = None,
              end: Annotated[str | None, typer.Option()] = None,
              period: Annotated[str, typer.Option(help="Y, Q or M")] = "Y",
              cost: Annotated[float, typer.Option(help="cost per side, fraction of notional")] = 0.0,
              price: Annotated[str, typer.Option()] = "settle",
              as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Backtest a short hedge with a roll rule: cost per month, basis P&L, tracking error, turnover."""
    from cnradar.cli import console, print_frame
    from cnradar.futures.hedging import hedge_backtest
    from cnradar.futures.monitor import load_measures

    m = load_measures(_store(ctx), product, asof=end, start=start, price=price)  # type: ignore[arg-type]
    res = hedge_backtest(m.contracts, rule, start=start, end=end, cost_per_side=cost)
    per = res.by_period(period)
    if as_json:
        typer.echo(json.dumps({"summary": res.summary, "by_period": per.to_dict("records")}, default=float))
        return
    console.print(res.summary)
    print_frame(per, title=f"{product} short hedge, rule {res.rule.name}")


@app.command("reproduce")
def reproduce_cmd(ctx: typer.Context,
                  out: Annotated[Path, typer.Option(help="markdown file; charts go in <stem>/")] =
                  Path("docs/basis-2015-2017.md")) -> None:
    """Write the 2015-2017 report that sets the seed's claims beside the data."""
    from cnradar.cli import console
    from cnradar.futures.reproduce import write_basis_report

    path = write_basis_report(_store(ctx), out)
    console.print(f"wrote {path}")
