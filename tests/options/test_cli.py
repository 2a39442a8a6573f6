"""``cnradar vol history`` on the synthetic bundle (typer's CliRunner, the mounted app)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cnradar.cli import app  # the mounted command tree: `cnradar vol history`


@pytest.fixture(scope="module")
def home(synthetic_bundle, tmp_path_factory):
    from cnradar.config import resolve_home
    from cnradar.sources.bundle import import_bundle
    from cnradar.store import Store

    root = tmp_path_factory.mktemp("vol_home")
    with Store.open(resolve_home(root).store) as store:
        import_bundle(store, synthetic_bundle)
    return root


def test_vol_history_json(home):
    result = CliRunner().invoke(app, ["--home", str(home), "vol", "history", "--underlying", "510050.SH", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["underlying"] == "510050.SH"
    assert payload["summary"]["days"] == 7
    assert len(payload["history"]) == 7
    # the bundle's flat σ = 22 %, plus the strike-grid bias h²/(6F²T) ≈ 7e-4 in variance (+0.16 points)
    assert payload["history"][0]["vix"] == pytest.approx(22.0, abs=0.25)
    assert payload["summary"]["quote_source"] == {"settle": 7}


def test_vol_history_table(home):
    result = CliRunner().invoke(app, ["--home", str(home), "vol", "history", "--tail", "3"])
    assert result.exit_code == 0, result.output
    assert "vix: mean" in result.output
