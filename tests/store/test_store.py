"""Store: idempotent transactional ingest, replacement with history, point-in-time reads, release rules."""

from __future__ import annotations

import pandas as pd
import pytest

from cnradar.errors import BundleError, ConfigError, StoreError
from cnradar.sources.bundle import import_bundle
from cnradar.store import Store
from cnradar.store.release import apply_rule


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as s:
        yield s


def snapshot(store: Store) -> dict[str, pd.DataFrame]:
    tables = ["instruments", "bars", "series", "observations"]
    return {t: store.sql(f"SELECT * FROM {t} ORDER BY ALL") for t in tables}


def test_reimport_changes_nothing(store, tmp_path, hand_bundle):
    path = hand_bundle(tmp_path / "b")
    first = import_bundle(store, path)
    before = snapshot(store)
    second = import_bundle(store, path)
    assert first.changed and not second.changed
    assert second.tables.set_index("table")["rows_unchanged"].to_dict() == {
        "instruments": 2, "series": 2, "bars": 6, "observations": 6}
    for name, frame in snapshot(store).items():
        pd.testing.assert_frame_equal(frame, before[name])


def test_replacement_is_logged(store, tmp_path, hand_bundle):
    import_bundle(store, hand_bundle(tmp_path / "v1"))
    bars = (tmp_path / "v1" / "bars" / "index.csv").read_text().replace("3380.5", "3381.5")
    report = import_bundle(store, hand_bundle(tmp_path / "v2", bars=bars))
    counts = report.tables.set_index("table").loc["bars"]
    assert (counts["rows_new"], counts["rows_replaced"], counts["rows_unchanged"]) == (0, 1, 5)
    got = store.bars("000300.SH", asof="2024-02-06", start="2024-02-06")
    assert got["close"].tolist() == [3381.5]
    old = store.sql("SELECT * FROM replaced_values")
    assert len(old) == 1 and '"close":3380.5' in old["old_json"].iat[0].replace(" ", "")
    assert store.ingest_log()["ingest_id"].nunique() == 2


def test_bars_are_point_in_time(store, tmp_path, hand_bundle):
    import_bundle(store, hand_bundle(tmp_path / "b"))
    got = store.bars(kind="index_future", asof="2024-02-06")
    assert got["date"].max() == pd.Timestamp("2024-02-06") and len(got) == 2
    assert store.bars(asof=None)["date"].max() == pd.Timestamp("2024-02-07")
    assert store.bars(product="IF", asof=None)["symbol"].unique().tolist() == ["IF2402.CFE"]
    assert str(got["date"].dtype) == "datetime64[ns]" and got["close"].dtype == "float64"


def test_observation_vintages_point_in_time(store, tmp_path, hand_bundle):
    import_bundle(store, hand_bundle(tmp_path / "b"))
    # December CPI: first released 2024-01-12 as -0.3, revised 2024-02-08 to -0.2.
    def dec(asof, vintage="latest"):
        o = store.observations("cn.cpi.yoy", asof=asof, vintage=vintage)
        return o.loc[o["period"] == "2023-12-31", "value"].tolist()

    assert dec("2024-01-11") == []
    assert dec("2024-01-12") == [-0.3]
    assert dec("2024-02-08") == [-0.2]
    assert dec("2024-02-08", "first") == [-0.3]
    assert len(store.observations("cn.cpi.yoy", asof=None, vintage="all")) == 4
    # January CPI has no release date: the rule next_month_day:15 makes it public on 2024-02-15.
    jan = store.observations("cn.cpi.yoy", asof="2024-02-15")
    assert jan.loc[jan["period"] == "2024-01-31", "release_date"].tolist() == [pd.Timestamp("2024-02-15")]
    assert jan.loc[jan["period"] == "2024-01-31", "release_inferred"].tolist() == [True]
    assert "2024-01-31" not in store.observations("cn.cpi.yoy", asof="2024-02-14")["period"].astype(str).tolist()


def test_explicit_release_beats_rule(store, tmp_path, hand_bundle):
    obs = ("series,period,release_date,value,consensus,consensus_std\n"
           "cn.cpi.yoy,2024-01-31,,-0.8,,\n"           # rule: 2024-02-15
           "cn.cpi.yoy,2024-01-31,2024-02-08,-0.7,,\n")  # the actual release, earlier
    import_bundle(store, hand_bundle(tmp_path / "b", obs=obs))
    got = store.observations("cn.cpi.yoy", asof="2024-03-01", vintage="all")
    assert got["value"].tolist() == [-0.7]


@pytest.mark.parametrize(("rule", "period", "expected"), [
    ("same_day", "2024-02-05", "2024-02-05"),
    ("day+1", "2024-02-09", "2024-02-10"),
    ("bday+1", "2024-02-08", "2024-02-19"),          # Spring Festival: next session is 02-19
    ("month_end+0", "2024-01-31", "2024-01-31"),
    ("month_end+1", "2024-02-29", "2024-03-01"),
    ("next_month_day:15", "2024-01-31", "2024-02-15"),
    ("next_month_bday:1", "2024-09-30", "2024-10-08"),  # National Day holiday 10-01..10-07
])
def test_release_rules(rule, period, expected):
    got = apply_rule(rule, pd.Series(pd.to_datetime([period])))
    assert got.iat[0] == pd.Timestamp(expected)


def test_release_rule_past_the_calendar_is_never_public():
    # 2028-12-29 is the calendar's last session: no trading day follows it
    got = apply_rule("bday+1", pd.Series(pd.to_datetime(["2028-12-28", "2028-12-29"])))
    assert got.iat[0] == pd.Timestamp("2028-12-29") and pd.isna(got.iat[1])
    with pytest.raises(BundleError, match="invalid release_rule"):
        apply_rule("week_end+1", pd.Series(pd.to_datetime(["2024-01-05"])))


def test_reads_need_explicit_asof_and_valid_names(store):
    with pytest.raises(TypeError):
        store.bars("000300.SH")  # asof has no default: no hidden clock
    with pytest.raises(ConfigError, match="unknown instrument kind"):
        store.instruments(kind="futures")
    with pytest.raises(StoreError, match="no such extra table"):
        store.extra("nothing", asof=None)


def test_derived_cache_upserts(store):
    f1 = pd.DataFrame({"underlying": ["X", "X"], "date": pd.to_datetime(["2024-01-02", "2024-01-03"]),
                       "vix": [10.0, 11.0]})
    store.write_derived("vol", f1, key=["underlying", "date"])
    f2 = pd.DataFrame({"underlying": ["X"], "date": pd.to_datetime(["2024-01-03"]), "vix": [12.0]})
    store.write_derived("vol", f2, key=["underlying", "date"])
    got = store.read_derived("vol", asof="2024-01-03")
    assert got["vix"].tolist() == [10.0, 12.0]
    assert store.read_derived("vol", asof="2024-01-02")["vix"].tolist() == [10.0]
    assert store.read_derived("absent", asof=None).empty
    with pytest.raises(StoreError, match="has other columns"):
        store.write_derived("vol", f2.assign(extra=1.0), key=["underlying", "date"])


def test_meta_flags_synthetic(store, tmp_path, hand_bundle):
    import_bundle(store, hand_bundle(tmp_path / "b", synthetic=True))
    assert store.meta()["synthetic"] is True


@pytest.mark.real
def test_real_bundle_imports_completely(real_store, real_bundle):
    expected = 0
    for f in (real_bundle / "bars").glob("*.csv"):
        expected += sum(1 for _ in f.open(encoding="utf-8")) - 1
    assert real_store.sql("SELECT count(*) AS n FROM bars")["n"].iat[0] == expected
    assert real_store.meta()["synthetic"] is False
    assert set(real_store.extras()) == {"convertible_analytics"}
    opt = real_store.bars(kind="etf_option", asof="2017-06-30", start="2017-06-30")
    assert len(opt) > 50
