"""Bundle validation (every defect named with file, line and value; nothing written) and crash safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from cnradar.errors import BundleError
from cnradar.sources.bundle import import_bundle
from cnradar.store import Store

HEADER = "symbol,date,open,high,low,close,settle,volume,open_interest,amount\n"
GOOD_ROW = "000300.SH,2024-02-05,3200,3250,3150,3218.2,,12000000000,,180000000000\n"


def bars(*rows: str) -> str:
    return HEADER + "".join(rows)


DEFECTS = {
    "unknown column": ({"bars": HEADER.strip() + ",vwap\n" + GOOD_ROW.strip() + ",3210\n"},
                       ["bars/index.csv", "unknown column", "vwap"]),
    "missing column": ({"bars": HEADER.replace(",amount", "") + GOOD_ROW.rsplit(",", 1)[0] + "\n"},
                       ["bars/index.csv", "missing column", "amount"]),
    "bad date": ({"bars": bars(GOOD_ROW, GOOD_ROW.replace("2024-02-05", "2024/02/06"))},
                 ["bars/index.csv line 3", "not a date", "2024/02/06"]),
    "bad number": ({"bars": bars(GOOD_ROW.replace("3218.2", "3,218.2"))},
                   ["bars/index.csv: unreadable CSV", "does not match length of data"]),
    "text number": ({"bars": bars(GOOD_ROW.replace("3218.2", "n/a"))},
                    ["bars/index.csv line 2", "close is not a number", "n/a"]),
    "duplicate key": ({"bars": bars(GOOD_ROW, GOOD_ROW.replace("3218.2", "3219"))},
                      ["bars/index.csv line 2, bars/index.csv line 3", "duplicate key", "2024-02-05"]),
    "negative price": ({"bars": bars(GOOD_ROW.replace("3218.2", "-3218.2"))},
                       ["bars/index.csv line 2", "negative close for 000300.SH on 2024-02-05", "-3218.2"]),
    "unknown symbol": ({"bars": bars(GOOD_ROW, GOOD_ROW.replace("000300.SH", "000905.SH"))},
                       ["bars/index.csv line 3", "unknown symbol", "000905.SH"]),
    "amount in 万元": ({"bars": bars(GOOD_ROW.replace("180000000000", "18000000"))},
                     ["bars/index.csv", "amount of 000300.SH is not in yuan", "万元"]),
    "blank required": ({"bars": bars(GOOD_ROW.replace("2024-02-05", ""))},
                       ["bars/index.csv line 2", "date is blank but required"]),
    "unknown series": ({"obs": "series,period,release_date,value,consensus,consensus_std\n"
                               "cn.gdp.yoy,2024-03-31,,5.3,,\n"},
                       ["observations/macro.csv line 2", "unknown series", "cn.gdp.yoy"]),
    "bad release rule": ({"series": "series,name,unit,frequency,source,release_rule\n"
                                    "cn.cpi.yoy,CPI,%,monthly,hand,mid_month\n"
                                    "cn.rate.dr007,DR007,%,daily,hand,same_day\n"},
                         ["series.csv line 2", "invalid release_rule", "mid_month"]),
    "unknown kind": ({"instruments": "symbol,kind,product,exchange,underlying,multiplier,list_date,"
                                     "last_trade_date,strike,right,unit,name\n000300.SH,indx,,SSE,,,,,,,,x\n"
                                     "IF2402.CFE,index_future,IF,CFFEX,000300.SH,300,,2024-02-19,,,,\n"},
                     ["instruments.csv line 2", "kind", "indx"]),
}


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_defect_is_named_and_nothing_written(defect, tmp_path, hand_bundle):
    overrides, fragments = DEFECTS[defect]
    with Store.open(tmp_path / "s.duckdb") as store:
        with pytest.raises(BundleError) as err:
            import_bundle(store, hand_bundle(tmp_path / "b", **overrides))
        message = str(err.value)
        for fragment in fragments:
            assert fragment in message, message
        assert store.sql("SELECT count(*) AS n FROM bars")["n"].iat[0] == 0
        assert store.ingest_log().empty


def test_unsorted_rows_are_accepted(tmp_path, hand_bundle):
    rows = bars("000300.SH,2024-02-07,3380,3390,3340,3350.0,,11000000000,,170000000000\n", GOOD_ROW)
    with Store.open(tmp_path / "s.duckdb") as store:
        import_bundle(store, hand_bundle(tmp_path / "b", bars=rows))
        assert store.bars("000300.SH", asof=None)["date"].is_monotonic_increasing


IMPORT_SCRIPT = """
import sys
from cnradar.store import Store
from cnradar.sources.bundle import import_bundle
with Store.open(sys.argv[1]) as s:
    import_bundle(s, sys.argv[2])
"""


def test_killed_ingest_leaves_store_as_before(tmp_path, hand_bundle):
    """kill -9 in the middle of the import transaction: on reopening, the store equals its state before."""
    db = tmp_path / "s.duckdb"
    with Store.open(db) as store:
        import_bundle(store, hand_bundle(tmp_path / "v1"))
        before = store.sql("SELECT * FROM bars ORDER BY ALL"), store.ingest_log()
    changed = (tmp_path / "v1" / "bars" / "index.csv").read_text().replace("3380.5", "9999")
    v2 = hand_bundle(tmp_path / "v2", bars=changed)
    marker = tmp_path / "paused"
    env = {**os.environ, "CNRADAR_TEST_PAUSE_IN_INGEST": "60", "CNRADAR_TEST_PAUSE_MARKER": str(marker)}
    proc = subprocess.Popen([sys.executable, "-c", IMPORT_SCRIPT, str(db), str(v2)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the import never reached its pause (exit code {proc.returncode})")
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with Store.open(db) as store:
        after = store.sql("SELECT * FROM bars ORDER BY ALL"), store.ingest_log()
        assert after[0].equals(before[0])
        assert len(after[1]) == len(before[1])
        # and the store still works: the same import now completes
        import_bundle(store, v2)
        assert 9999.0 in store.bars("000300.SH", asof=None)["close"].tolist()


def test_parquet_tables_import_like_csv(tmp_path, hand_bundle):
    """A table may be Parquet with the CSV's columns (typed): the store ends up identical to the CSV import."""
    import pandas as pd

    csv_bundle = hand_bundle(tmp_path / "csv")
    pq_bundle = hand_bundle(tmp_path / "pq")
    bars = pd.read_csv(pq_bundle / "bars" / "index.csv", parse_dates=["date"])
    bars.to_parquet(pq_bundle / "bars" / "index.parquet", index=False)
    (pq_bundle / "bars" / "index.csv").unlink()
    got = {}
    for name, path in (("csv", csv_bundle), ("pq", pq_bundle)):
        with Store.open(tmp_path / f"{name}.duckdb") as store:
            import_bundle(store, path)
            got[name] = store.bars(asof=None)
    pd.testing.assert_frame_equal(got["csv"], got["pq"])


def test_parquet_defect_names_the_row(tmp_path, hand_bundle):
    import pandas as pd

    path = hand_bundle(tmp_path / "pq")
    bars = pd.read_csv(path / "bars" / "index.csv", parse_dates=["date"])
    bars.loc[2, "close"] = -1.0
    bars.to_parquet(path / "bars" / "index.parquet", index=False)
    (path / "bars" / "index.csv").unlink()
    with Store.open(tmp_path / "s.duckdb") as store, pytest.raises(BundleError, match=r"bars/index.parquet line 3"):
        import_bundle(store, path)


def test_already_imported_tracks_content(tmp_path, hand_bundle):
    from cnradar.sources.bundle import already_imported, bundle_content_hash

    path = hand_bundle(tmp_path / "b")
    with Store.open(tmp_path / "s.duckdb") as store:
        assert not already_imported(store, path)
        import_bundle(store, path)
        assert already_imported(store, path)
        assert store.ingest_log()["content_hash"].iat[0] == bundle_content_hash(path)
        bars = path / "bars" / "index.csv"
        bars.write_text(bars.read_text().replace("3380.5", "3381.5"))
        assert not already_imported(store, path)
