"""End-to-end sync from recorded AkShare frames: bundle, import, incremental start, resume, drift isolation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cnradar.errors import SourceError, UnknownNameError
from cnradar.sources.akshare import sync
from cnradar.sources.akshare.catalog import SEED_INPUTS, unsupplied
from cnradar.sources.akshare.recorded import RecordedFetcher
from cnradar.sources.akshare.sync import month_windows, raise_on_failures

FIXTURES = Path(__file__).parent / "fixtures" / "akshare"
FAST = {"min_interval": 0.0, "sleep": lambda s: None}


def _sync(home, **kw):
    fetcher = kw.pop("fetcher", None) or RecordedFetcher(FIXTURES)
    return sync(kw.pop("store", None), fetcher=fetcher, home=home, **FAST, **kw), fetcher


def test_month_windows():
    w = month_windows(pd.Timestamp("2024-01-15"), pd.Timestamp("2024-03-02"))
    assert [(a.strftime("%m-%d"), b.strftime("%m-%d")) for a, b in w] == [
        ("01-15", "01-31"), ("02-01", "02-29"), ("03-01", "03-02")]


def test_full_sync_writes_a_bundle_the_importer_loads(tmp_path):
    result, _ = _sync(tmp_path, until="2024-01-31", since="2024-01-02")
    assert result.ok, result.failures
    b = result.bundle
    bars = pd.read_csv(b / "bars/index_future.csv")
    assert set(bars["symbol"]) == {"IF2401.CFE", "IF2402.CFE"}  # TF (treasury) dropped
    inst = pd.read_csv(b / "instruments.csv").set_index("symbol")
    # futures_contract_info_cffex overrides the rule-based dates for live contracts
    assert inst.loc["IF2402.CFE", "list_date"] == "2023-12-18"
    assert inst.loc["IF2402.CFE", "last_trade_date"] == "2024-02-19"
    assert inst.loc["IF2401.CFE", "last_trade_date"] == "2024-01-19"  # golden/README.md §5
    macro = pd.read_csv(b / "observations/macro_releases.csv")
    assert pd.to_datetime(macro["release_date"]).max() <= pd.Timestamp("2024-01-31")  # nothing after until
    pmi = macro[macro["series"] == "cn.pmi.nbs_mfg"].set_index("period")
    assert pmi.loc["2024-01-31", ["release_date", "value", "consensus"]].tolist() == ["2024-01-31", 49.2, 49.3]
    adj = pd.read_csv(b / "option_adjustments.csv")
    # four strikes do not pin the new unit (a full ladder does, see test_akshare_transform): left blank
    assert len(adj) == 4 and set(adj["unit_before"]) == {10000.0} and adj["unit_after"].isna().all()
    assert adj.set_index("symbol").loc["10006567.SH", "strike_after"] == 1.908
    terms = pd.read_csv(b / "convertible_terms.csv").iloc[0]
    assert (terms["call_trigger"], terms["call_m"], terms["call_n"], terms["redemption_price"]) == (
        1.3, 15.0, 30.0, 115.0)
    series = pd.read_csv(b / "series.csv")
    assert {"cn.rate.dr007", "cn.rate.cgb_10y", "cn.margin.financing", "cn.loans.new_rmb"} <= set(series["series"])
    assert (b / "meta.json").exists()

    pytest.importorskip("cnradar.sources.bundle")
    from cnradar.sources.bundle import import_bundle
    from cnradar.store import Store

    with Store.open(tmp_path / "store.duckdb") as store:
        import_bundle(store, b)
        obs = store.observations("cn.margin.financing", asof="2024-01-03")
        assert obs["value"].tolist() == [pytest.approx(8.4451e11 + 7730.2e8)]  # released bday+1
        assert len(store.bars(kind="index_future", asof=None)) == 5


def test_incremental_sync_starts_at_the_stores_last_date(tmp_path):
    pytest.importorskip("cnradar.sources.bundle")
    from cnradar.store import Store

    with Store.open(tmp_path / "store.duckdb") as store:
        first, _ = _sync(tmp_path, store=store, until="2024-01-03", since="2024-01-02",
                         families=["index_futures", "rates"])
        assert first.imported
        second, fetcher = _sync(tmp_path, store=store, until="2024-02-01", families=["index_futures", "rates"])
        assert second.windows["index_futures"][0] == "2024-01-03"  # last stored bar, fetched again
        assert second.windows["rates"][0] == "2024-01-03"
        windows = [kw for fn, kw in fetcher.calls if fn == "get_futures_daily"]
        assert windows[0]["start_date"] == "20240103"
        bars = store.bars(kind="index_future", asof=None)
        assert pd.Timestamp("2024-01-31") in set(bars["date"])
        inst = store.instruments(symbols=["IF2402.CFE"])
        assert pd.Timestamp(inst["list_date"].iloc[0]) <= pd.Timestamp("2024-01-02")  # earlier kept


def test_interrupted_sync_resumes_from_cache(tmp_path):
    class DiesAfter(RecordedFetcher):
        def __init__(self, folder, limit):
            super().__init__(folder)
            self.limit = limit

        def __call__(self, function, /, **kwargs):
            if len(self.calls) >= self.limit:
                raise ConnectionError("network dropped")
            return super().__call__(function, **kwargs)

    broken = DiesAfter(FIXTURES, limit=3)
    first, _ = _sync(tmp_path, fetcher=broken, until="2024-02-29", since="2024-01-02",
                     families=["rates"], retries=0)
    assert "rates" in first.failures and "network dropped" in first.failures["rates"]
    second, fetcher = _sync(tmp_path, until="2024-02-29", since="2024-01-02", families=["rates"])
    assert second.ok and second.cache_hits == 3
    raise_on_failures(second)  # nothing failed: no error
    assert second.network_calls == len(fetcher.calls) == 2  # the two calls (of five) that had not finished
    assert second.rows["observations/rates.csv"] > 0


def test_schema_drift_fails_only_its_family(tmp_path):
    class Drifted(RecordedFetcher):
        def __call__(self, function, /, **kwargs):
            frame = super().__call__(function, **kwargs)
            return frame.rename(columns={"FDR007": "DR007"}) if function == "repo_rate_hist" else frame

    result, _ = _sync(tmp_path, fetcher=Drifted(FIXTURES), until="2024-01-31", since="2024-01-02",
                      families=["rates", "macro"])
    assert set(result.failures) == {"rates"}
    assert "repo_rate_hist() schema drift" in result.failures["rates"] and "'FDR007' -> 'DR007'?" in \
        result.failures["rates"]
    assert result.rows["observations/macro_releases.csv"] > 0
    with pytest.raises(SourceError, match=r"AkShare sync incomplete: every family fetched; got \['rates'\]\. "
                                          r"AkShare repo_rate_hist\(\) schema drift"):
        raise_on_failures(result)


def test_unknown_family_is_named():
    with pytest.raises(UnknownNameError, match="index_futures"):
        sync(None, until="2024-01-31", families=["futures"], fetcher=RecordedFetcher(FIXTURES))


def test_sources_table_names_what_akshare_cannot_supply():
    missing = {s.ids for s in unsupplied()}
    assert {"cn.cds.5y", "global.risk_aversion", "cn.loans.mlt"} <= missing
    assert all(s.note for s in SEED_INPUTS if s.status != "yes")


def test_sources_command_output(capsys):
    from cnradar.sources.akshare import commands

    commands.console.width = 250
    commands.sources_command(functions=True)
    out = capsys.readouterr().out
    assert "China 5y sovereign CDS" in out and "Citi RAI" in out and "user CSV bundle" in out
    assert "get_futures_daily" in out


def test_sync_command_is_typer_compatible(tmp_path, monkeypatch):
    import typer
    from typer.testing import CliRunner

    from cnradar.sources.akshare import commands

    app = typer.Typer()
    app.command("sync")(commands.sync_command)
    app.command("sources")(commands.sources_command)
    runner = CliRunner()
    bad = runner.invoke(app, ["sync", "--source", "wind", "--home", str(tmp_path)])
    assert bad.exit_code == 2 and "cnradar data import" in bad.output
    monkeypatch.setattr(commands, "sync", lambda *a, **k: (_ for _ in ()).throw(
        __import__("cnradar.errors", fromlist=["SourceError"]).SourceError("AkShare is not installed")))
    failed = runner.invoke(app, ["sync", "--home", str(tmp_path), "--until", "2024-01-31"])
    assert failed.exit_code == 1 and "AkShare is not installed" in failed.output
    assert runner.invoke(app, ["sources"]).exit_code == 0
