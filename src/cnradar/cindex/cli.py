"""``cnradar cindex build|compare|weights|list``: thin wrappers over :mod:`cnradar.cindex`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Commodity futures indices: seven methodologies as data, one engine, Chinese sector "
                  "indices.", no_args_is_help=True)


def _store(ctx: typer.Context):
    from cnradar.cli import open_store  # the root CLI owns --home; imported late (it mounts this module)

    return open_store(ctx, read_only=True)


@app.command("list")
def list_cmd() -> None:
    """Names of the methodology files."""
    import pandas as pd

    from cnradar.cindex.methodology import get_methodology, list_methodologies
    from cnradar.cli import print_frame

    rows = [{"name": n, "title": get_methodology(n).title_zh, "constituents": len(get_methodology(n).constituents),
             "base": str(get_methodology(n).calculation.base_date)} for n in list_methodologies()]
    print_frame(pd.DataFrame(rows), "methodologies")


@app.command("build")
def build_cmd(ctx: typer.Context, name: str,
              start: Annotated[str | None, typer.Option("--from", help="first date shown")] = None,
              end: Annotated[str | None, typer.Option("--to", help="last date shown")] = None,
              asof: Annotated[str | None, typer.Option(help="as-of date (default: everything in the store)")] = None,
              mode: Annotated[str, typer.Option(help="auto, contracts or continuous")] = "auto",
              weights: Annotated[str | None, typer.Option(help="published or computed")] = None,
              tail: Annotated[int, typer.Option(help="rows of levels to print")] = 15,
              as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Build index NAME from the store: daily spot / excess / total levels, weights and roll schedule."""
    from cnradar.cindex.engine import build_index, product_correlations
    from cnradar.cli import console, print_frame

    res = build_index(name, _store(ctx), start=start, end=end, asof=asof, mode=mode,  # type: ignore[arg-type]
                      weight_source=weights)  # type: ignore[arg-type]
    corr = product_correlations(res)
    if as_json:
        payload = {"name": res.name, "mode": res.mode, "missing": list(res.missing), "notes": list(res.notes),
                   "levels": json.loads(res.levels.to_json(orient="records", date_format="iso")),
                   "weights": json.loads(res.weights.to_json(orient="records", date_format="iso")),
                   "roll_schedule": json.loads(res.roll_schedule.to_json(orient="records", date_format="iso")),
                   "correlations": json.loads(corr.to_json(orient="records"))}
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    print_frame(res.levels.tail(tail), f"{res.name} ({res.mode})")
    last = res.weights[res.weights["rebalance_date"] == res.weights["rebalance_date"].max()]
    print_frame(last, "weights at the last rebalance")
    print_frame(corr, "correlation of daily returns with the constituents")
    if len(res.roll_schedule):
        print_frame(res.roll_schedule[res.roll_schedule["status"] == "upcoming"].head(20), "upcoming rolls")
    for note in res.notes:
        console.print(f"[dim]note:[/] {note}")
    if res.missing:
        console.print(f"[yellow]no data for:[/] {', '.join(res.missing)}")


@app.command("compare")
def compare_cmd(fmt: Annotated[str, typer.Option("--format", help="markdown or html")] = "markdown",
                out: Annotated[Path | None, typer.Option(help="write to this file")] = None,
                chinese: Annotated[bool, typer.Option(help="include the Chinese indices")] = False) -> None:
    """The seed's comparison tables (表1–表6) generated from the methodology files."""
    from cnradar.cindex.compare import comparison_tables, to_html, to_markdown
    from cnradar.cindex.methodology import FOREIGN, list_methodologies

    names = list_methodologies() if chinese else list(FOREIGN)
    tables = comparison_tables(names)
    text = to_html(tables) if fmt == "html" else to_markdown(tables)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        typer.echo(str(out))
    else:
        typer.echo(text)


@app.command("weights")
def weights_cmd(ctx: typer.Context, name: str,
                year: Annotated[int | None, typer.Option(help="rebalance year (computed weights need data)")] = None,
                asof: Annotated[str | None, typer.Option(help="as-of date")] = None,
                weights: Annotated[str | None, typer.Option(help="published or computed")] = None,
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Target weights of NAME: the published 表1 weights, or the weights of the rebalances in YEAR."""
    import pandas as pd

    from cnradar.cindex.engine import build_index
    from cnradar.cindex.methodology import get_methodology
    from cnradar.cli import print_frame

    m = get_methodology(name)
    if year is None:
        df = pd.DataFrame([{"product": c.product, "sector": m.sector_of(c), "weight": c.weight / 100}
                           for c in m.constituents])
    else:
        res = build_index(name, _store(ctx), asof=asof, weight_source=weights)  # type: ignore[arg-type]
        df = res.weights[res.weights["rebalance_date"].dt.year == year]
    if as_json:
        typer.echo(df.to_json(orient="records", date_format="iso", force_ascii=False))
        return
    print_frame(df, f"{m.name} weights" + (f" {year}" if year else " (published)"))
