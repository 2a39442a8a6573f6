"""``cnradar radar``: the weekly radar score and its evaluation (thin wrappers over the library)."""

from __future__ import annotations

import json
import math
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cnradar.config import resolve_home

app = typer.Typer(help="Timing radar (择时雷达六面图): weekly scores, narrative, evaluation.", no_args_is_help=True)
console = Console()

ProxyOpt = Annotated[list[str] | None, typer.Option("--proxy", help="enable a declared proxy by id (repeatable): "
                                                     "shibor_for_dr007, aiae_m2, margin_financing_only, vix_for_rai")]


def _store(ctx: typer.Context | None):
    from cnradar.store import Store

    paths = (ctx.obj or {}).get("paths") if ctx is not None and isinstance(ctx.obj, dict) else None
    paths = paths or resolve_home(None)
    return Store.open(paths.store, read_only=True)


def _f(x: float) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


@app.command("score")
def score(ctx: typer.Context,
          asof: Annotated[str | None, typer.Option(help="date (YYYY-MM-DD); default the store's last bar")] = None,
          as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
          lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
          proxy: ProxyOpt = None) -> None:
    """This week's and last week's score of every indicator, dimension and category, the composite and the
    narrative (seeds/timing-radar.txt 图表1–3)."""
    from cnradar.radar.engine import weekly_snapshot

    if lang not in ("zh", "en"):
        raise typer.BadParameter("lang must be zh or en")
    with _store(ctx) as store:
        snap = weekly_snapshot(store, asof=asof, proxies=proxy or ())
    if as_json:
        typer.echo(json.dumps(snap.to_dict(lang), ensure_ascii=False))
        return
    zh = lang == "zh"
    t = Table(title=f"{'择时雷达' if zh else 'Timing radar'} {snap.this_date.date()} "
                    f"({'上周' if zh else 'last week'} {snap.last_date.date() if snap.last_date is not None else '—'})")
    for c in (("大类", "dimension"), ("小类", "group"), ("指标名称", "indicator"), ("指标属性", "category"),
              ("上周分数", "last week"), ("当前分数", "this week"), ("分数变化", "change")):
        t.add_column(c[0] if zh else c[1])
    dn, cn = snap.dimensions, snap.categories
    for _, r in snap.table.iterrows():
        name = r["name_zh"] if zh else r["name_en"]
        pn = r["proxy_name_zh"] if zh else r["proxy_name_en"]
        if isinstance(pn, str) and pn:
            name += f" [{pn}]"
        t.add_row(dn.loc[r["dimension"], "name_zh" if zh else "name_en"], r["group_zh"] if zh else r["group_en"],
                  name, cn.loc[r["category"], "name_zh" if zh else "name_en"], _f(r["last_week"]),
                  _f(r["this_week"]) or ("无数据" if zh else "no data"), _f(r["change"]))
    console.print(t)
    agg = Table(title="六面图 / 四大类" if zh else "Dimensions / categories")
    for c in ("", "上周" if zh else "last week", "当前" if zh else "this week", "变化" if zh else "change"):
        agg.add_column(c)
    for frame in (dn, cn):
        for _, r in frame.iterrows():
            agg.add_row(r["name_zh" if zh else "name_en"], _f(r["last_week"]), _f(r["this_week"]), _f(r["change"]))
    agg.add_row("综合打分" if zh else "Composite", _f(snap.composite_last), _f(snap.composite),
                _f(snap.composite - snap.composite_last))
    console.print(agg)
    for p in snap.narrative[lang]:
        console.print(p)


@app.command("evaluate")
def evaluate_cmd(ctx: typer.Context,
                 asof: Annotated[str | None, typer.Option(help="date; default the store's last bar")] = None,
                 start: Annotated[str | None, typer.Option(help="first day evaluated")] = None,
                 split: Annotated[str | None, typer.Option(help="first out-of-sample day (default 70 %)")] = None,
                 execution: Annotated[str, typer.Option(help="next_close or next_open")] = "next_close",
                 cost_bps: Annotated[float, typer.Option(help="one-way cost, bps of traded weight")] = 3.0,
                 mode: Annotated[str, typer.Option(help="scaled, long_flat or long_short")] = "scaled",
                 as_json: Annotated[bool, typer.Option("--json")] = False,
                 proxy: ProxyOpt = None) -> None:
    """Hit rates and forward returns by signal state, and the composite timing strategy vs buy-and-hold
    (in-sample / out-of-sample; 243 trading days a year)."""
    from cnradar.radar.evaluate import evaluate

    with _store(ctx) as store:
        ev = evaluate(store, asof=asof, start=start, split=split, execution=execution, cost_bps=cost_bps,
                      mode=mode, proxies=proxy or ())
    if as_json:
        typer.echo(json.dumps({"split": ev.split.date().isoformat(),
                               "performance": json.loads(ev.performance.to_json(orient="records", date_format="iso")),
                               "signals": json.loads(ev.signals.to_json(orient="records"))}, ensure_ascii=False))
        return
    t = Table(title=f"composite timing ({ev.mode}, {ev.execution}, {ev.cost_bps} bps, split {ev.split.date()}, "
                    f"{ev.periods_per_year} days/yr)")
    for c in ("period", "series", "start", "end", "annual return", "volatility", "Sharpe", "max drawdown",
              "turnover/yr"):
        t.add_column(c)
    for _, r in ev.performance.iterrows():
        t.add_row(r["period"], r["series"], str(r["start"].date()), str(r["end"].date()),
                  f"{r['annual_return']:.2%}", f"{r['volatility']:.2%}", _f(r["sharpe"]),
                  f"{r['max_drawdown']:.2%}", _f(r["turnover"]))
    console.print(t)
    s = ev.signals[(ev.signals["horizon"] == 20)].pivot_table(index=["benchmark", "indicator"], columns="state",
                                                              values="hit_rate")
    st = Table(title="20-day hit rate by signal state")
    st.add_column("benchmark")
    st.add_column("indicator")
    for c in s.columns:
        st.add_column(f"state {c:+d}")
    for (b, i), r in s.iterrows():
        st.add_row(b, i, *[_f(v) for v in r])
    console.print(st)
