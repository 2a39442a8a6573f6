"""Fetch layer: lazy import, throttle, retry with back-off, raw cache, resumption."""

from __future__ import annotations

import builtins

import pandas as pd
import pytest

from cnradar.errors import SourceError
from cnradar.sources.akshare import fetch as fetch_mod
from cnradar.sources.akshare.fetch import Call, RawCache, ResilientFetcher, akshare_fetcher, load_akshare


class FakeClock:
    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _frame(**kw) -> pd.DataFrame:
    return pd.DataFrame({"date": ["2024-01-02"], "value": [1.5], **{k: [v] for k, v in kw.items()}})


def test_missing_akshare_gives_install_hint(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "akshare":
            raise ImportError("No module named 'akshare'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    monkeypatch.setattr(fetch_mod.importlib, "import_module", lambda name: fake_import(name))
    with pytest.raises(SourceError, match=r"pip install 'cnradar\[akshare\]'"):
        load_akshare()


def test_akshare_fetcher_calls_module_and_names_missing_function():
    class Module:
        __version__ = "9.9"

        @staticmethod
        def macro_china_lpr():
            return _frame()

    f = akshare_fetcher(Module())
    assert f("macro_china_lpr")["value"].iloc[0] == 1.5
    with pytest.raises(SourceError, match=r"AkShare 9.9 has no function bond_zh_cov\(\)"):
        f("bond_zh_cov")


def test_retry_with_exponential_backoff_then_success(tmp_path):
    clock, attempts = FakeClock(), []

    def flaky(function, **kwargs):
        attempts.append(kwargs)
        if len(attempts) < 3:
            raise ConnectionError("reset by peer")
        return _frame()

    rf = ResilientFetcher(flaky, RawCache(tmp_path), min_interval=0.0, retries=3, backoff=2.0,
                          sleep=clock.sleep, clock=clock)
    out = rf.fetch(Call.make("repo_rate_hist", start_date="20240101", end_date="20240131"))
    assert out["value"].iloc[0] == 1.5
    assert clock.sleeps == [2.0, 4.0]  # backoff x 2**(attempt-1)
    assert (rf.stats.network_calls, rf.stats.retries) == (3, 2)


def test_gives_up_after_retries_naming_the_call(tmp_path):
    clock = FakeClock()

    def down(function, **kwargs):
        raise TimeoutError("read timed out")

    rf = ResilientFetcher(down, RawCache(tmp_path), retries=2, backoff=1.0, sleep=clock.sleep, clock=clock)
    with pytest.raises(SourceError) as err:
        rf.fetch(Call.make("stock_margin_szse", date="20240102"))
    assert "stock_margin_szse(date='20240102') failed" in str(err.value)
    assert "TimeoutError: read timed out" in str(err.value)
    assert rf.stats.network_calls == 3 and len(rf.stats.failures) == 1


def test_throttle_spaces_calls(tmp_path):
    clock = FakeClock()
    rf = ResilientFetcher(lambda function, **kw: _frame(), None, min_interval=0.5, sleep=clock.sleep,
                          clock=clock)
    for d in ("20240102", "20240103", "20240104"):
        rf.fetch(Call.make("stock_margin_szse", date=d))
    assert clock.sleeps == [0.5, 0.5]


def test_cache_hit_skips_network_and_keeps_dtypes(tmp_path):
    calls = []

    def source(function, **kwargs):
        calls.append(function)
        return pd.DataFrame({"日期": [pd.Timestamp("2024-01-02").date()], "今值": [49.2], "商品": ["PMI"]})

    cache = RawCache(tmp_path)
    call = Call.make("macro_china_pmi_yearly", tag="2024-01-31")
    first = ResilientFetcher(source, cache, min_interval=0).fetch(call)
    again = ResilientFetcher(source, cache, min_interval=0)
    second = again.fetch(call)
    pd.testing.assert_frame_equal(first, second)
    assert calls == ["macro_china_pmi_yearly"] and again.stats.cache_hits == 1
    # a later sync date is a different key: full-history tables are fetched again
    ResilientFetcher(source, cache, min_interval=0).fetch(Call.make("macro_china_pmi_yearly", tag="2024-02-29"))
    assert len(calls) == 2
    assert not list(tmp_path.rglob("*.tmp"))  # atomic writes leave no partial files


def test_call_key_ignores_argument_order():
    a = Call.make("repo_rate_hist", start_date="20240101", end_date="20240131")
    b = Call("repo_rate_hist", (("end_date", "20240131"), ("start_date", "20240101")))
    assert a.key == b.key and a.describe() == "repo_rate_hist(end_date='20240131', start_date='20240101')"


def test_replay_fetcher_serves_frames_and_callables():
    frame = pd.DataFrame({"date": ["2024-01-02"], "FR007": [1.9]})
    fetch = fetch_mod.replay_fetcher({"repo_rate_hist": frame,
                                      "macro_china_pmi_yearly": lambda **kw: pd.DataFrame({"args": [sorted(kw)]})})
    got = fetch("repo_rate_hist", start_date="20240101")
    pd.testing.assert_frame_equal(got, frame)
    got.loc[0, "FR007"] = 99.0  # a copy: the recording is not changed by a caller
    assert frame.loc[0, "FR007"] == 1.9
    assert fetch("macro_china_pmi_yearly", b=1, a=2)["args"].iloc[0] == ["a", "b"]
    with pytest.raises(SourceError, match=r"no recorded frame: one of \['macro_china_pmi_yearly', "
                                          r"'repo_rate_hist'\]; got 'bond_zh_cov'"):
        fetch("bond_zh_cov")
