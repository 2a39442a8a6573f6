"""``cnradar vol``: option-implied VIX, SKEW and implied basis (thin wrappers over :mod:`cnradar.options`)."""

from __future__ import annotations

import json
import math
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from cnradar.config import resolve_home

app = typer.Typer(help="Option analytics (期权 VIX / SKEW / 隐含升贴水) from SSE ETF options.", no_args_is_help=True)
console = Console()

SHOWN = ["date", "vix", "skew", "implied_basis", "implied_basis_ann", "quote_source", "near_expiry", "next_expiry",
         "status"]


def _store(ctx: typer.Context | None, *, read_only: bool):
    from cnradar.store import Store

    paths = (ctx.obj or {}).get("paths") if ctx is not None and isinstance(ctx.obj, dict) else None
    paths = paths or resolve_home(None)
    return Store.open(paths.store, read_only=read_only)


def summarise(history: pd.DataFrame) -> dict[str, object]:
    """Summary statistics of a history frame: count, mean, std, min, max and the date of the max per index."""
    out: dict[str, object] = {"days": len(history)}
    if history.empty:
        return out
    out["first"] = history["date"].min().date().isoformat()
    out["last"] = history["date"].max().date().isoformat()
    out["quote_source"] = history["quote_source"].value_counts().to_dict()
    for col in ("vix", "skew", "implied_basis_ann"):
        s = history[col].astype(float)
        valid = s.dropna()
        out[col] = {"n": int(valid.size), "mean": float(valid.mean()) if valid.size else math.nan,
                    "std": float(valid.std()) if valid.size > 1 else math.nan,
                    "min": float(valid.min()) if valid.size else math.nan,
                    "max": float(valid.max()) if valid.size else math.nan,
                    "max_date": history.loc[valid.idxmax(), "date"].date().isoformat() if valid.size else None}
    return out


def _fmt(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


@app.command("history")
def history(ctx: typer.Context,
            underlying: Annotated[str, typer.Option(help="ETF with options in the store")] = "510050.SH",
            asof: Annotated[str | None, typer.Option(help="last date (YYYY-MM-DD); default everything")] = None,
            tail: Annotated[int, typer.Option(help="rows shown in the table (JSON prints all)")] = 20,
            recompute: Annotated[bool, typer.Option(help="recompute every day instead of only new days")] = False,
            as_json: Annotated[bool, typer.Option("--json", help="print JSON records")] = False) -> None:
    """Update the cached daily VIX / SKEW / implied-basis history, then print it with summary statistics."""
    from cnradar.options.history import PUBLIC_COLUMNS, update_option_indices

    with _store(ctx, read_only=False) as store:
        frame = update_option_indices(store, underlying, recompute=recompute)
    if asof is not None:
        frame = frame.loc[frame["date"] <= pd.Timestamp(asof)]
    if as_json:
        cols = [*PUBLIC_COLUMNS, "status"]
        typer.echo(json.dumps({"underlying": underlying, "summary": summarise(frame),
                               "history": json.loads(frame[cols].to_json(orient="records", date_format="iso"))},
                              ensure_ascii=False))
        return
    table = Table(title=f"{underlying} option indices (last {min(tail, len(frame))} of {len(frame)} days)")
    for c in SHOWN:
        table.add_column(c)
    for row in frame[SHOWN].tail(tail).itertuples(index=False):
        table.add_row(*[_fmt(v) for v in row])
    console.print(table)
    summary = summarise(frame)
    for col in ("vix", "skew", "implied_basis_ann"):
        if col in summary:
            s = summary[col]
            console.print(f"{col}: mean {s['mean']:.4f}, std {s['std']:.4f}, min {s['min']:.4f}, "
                          f"max {s['max']:.4f} on {s['max_date']} (n = {s['n']})")
