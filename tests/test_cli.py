"""The CLI end to end on a hand bundle: import, status (text and JSON), and the environment left untouched."""

from __future__ import annotations

import json
import os

from typer.testing import CliRunner

from cnradar.cli import app

runner = CliRunner()


def test_import_and_status(tmp_path):
    bundle = tmp_path / "b"
    (bundle / "bars").mkdir(parents=True)
    (bundle / "meta.json").write_text(json.dumps({"name": "t", "synthetic": True}))
    (bundle / "instruments.csv").write_text(
        "symbol,kind,product,exchange,underlying,multiplier,list_date,last_trade_date,strike,right,unit,name\n"
        "000300.SH,index,,SSE,,,,,,,,沪深300\n")
    (bundle / "bars" / "index.csv").write_text(
        "symbol,date,open,high,low,close,settle,volume,open_interest,amount\n"
        "000300.SH,2024-02-05,3200,3250,3150,3218.2,,12000000000,,180000000000\n"
        "000300.SH,2024-02-07,3380,3390,3340,3350.0,,11000000000,,170000000000\n")
    before = os.environ.get("CNRADAR_HOME")
    home = tmp_path / "home"
    result = runner.invoke(app, ["--home", str(home), "data", "import", str(bundle)])
    assert result.exit_code == 0, result.output
    assert (home / "store.duckdb").exists()
    assert os.environ.get("CNRADAR_HOME") == before
    status = runner.invoke(app, ["--home", str(home), "data", "status", "--json"])
    assert status.exit_code == 0, status.output
    payload = json.loads(status.output)
    assert payload["meta"]["synthetic"] is True
    (row,) = payload["bars"]
    # 2024-02-06 is a session without a bar: one gap
    assert (row["kind"], row["rows"], row["gaps"]) == ("index", 2, 1)


def test_bad_bundle_exits_with_the_message(tmp_path):
    result = runner.invoke(app, ["--home", str(tmp_path / "h"), "data", "import", str(tmp_path / "missing")])
    assert result.exit_code != 0
    assert "no bundle" in str(result.exception) or "no bundle" in result.output
