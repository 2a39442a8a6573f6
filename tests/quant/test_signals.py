"""Signal helpers against slow, obvious loop references and hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnradar.errors import ConfigError
from cnradar.quant import signals as sg


def _s(values):
    return pd.Series(np.asarray(values, dtype="float64"), index=pd.bdate_range("2024-01-01", periods=len(values)))


# --- slow references -------------------------------------------------------------------------------------------
def ref_zscore(x, w):
    out = []
    for i in range(len(x)):
        win = x[max(0, i - w + 1): i + 1]
        if i + 1 < w or np.isnan(x[i]):
            out.append(np.nan)
            continue
        sd = np.std(win, ddof=1)
        # flat means max == min: np.std of six -9.3 is ~1e-15, not 0, because their mean is not exactly -9.3
        out.append((x[i] - np.mean(win)) / sd if np.ptp(win) > 0 else np.nan)
    return np.array(out)


def ref_percentile(x, w):
    out = []
    for i in range(len(x)):
        if i + 1 < w:
            out.append(np.nan)
            continue
        win = x[i - w + 1: i + 1]
        out.append(np.mean(win <= x[i]))
    return np.array(out)


def ref_hold(trig, hold):
    out, current, age, started = [], 0.0, 10**9, False
    for v in trig:
        if not np.isnan(v):
            started = True
        if not np.isnan(v) and v != 0:
            current, age = v, 0
        else:
            age += 1
        out.append(np.nan if not started else (current if age < hold else 0.0))
    return np.array(out)


def ref_extreme(x, windows):
    out = []
    for i in range(len(x)):
        if i + 1 < max(windows):
            out.append(np.nan)
            continue
        mx = [max(x[i - w + 1: i + 1]) for w in windows]
        mn = [min(x[i - w + 1: i + 1]) for w in windows]
        up, down = len(set(mx)) == 1, len(set(mn)) == 1
        out.append(1.0 if up and not down else -1.0 if down and not up else 0.0)
    return np.array(out)


floats = st.lists(st.floats(-100, 100, allow_nan=False, allow_infinity=False), min_size=5, max_size=80)


@settings(max_examples=60, deadline=None)
@given(floats, st.integers(2, 10))
def test_zscore_matches_loop(values, w):
    x = np.round(np.array(values), 3)
    got = sg.rolling_zscore(_s(x), w).to_numpy()
    # pandas' running variance carries ~1e-13 of absolute noise after values of ~100; on a nearly flat window
    # (25.462, 25.464, 25.464: variance 1.3e-6) that is a 1e-6 relative error in z, hence rtol 1e-5
    np.testing.assert_allclose(got, ref_zscore(x, w), rtol=1e-5, atol=1e-7)


@settings(max_examples=60, deadline=None)
@given(floats, st.integers(2, 10))
def test_percentile_matches_loop(values, w):
    x = np.round(np.array(values), 1)  # ties on purpose
    got = sg.rolling_percentile(_s(x), w).to_numpy()
    np.testing.assert_allclose(got, ref_percentile(x, w), rtol=1e-12)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from([np.nan, 0.0, 0.0, 0.0, 1.0, -1.0]), min_size=1, max_size=60), st.integers(1, 8))
def test_hold_matches_loop(trig, hold):
    got = sg.hold_signal(_s(trig), hold).to_numpy()
    np.testing.assert_array_equal(got, ref_hold(np.array(trig), hold))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=3, max_size=50))
def test_extreme_trend_matches_loop(values):
    x = np.array(values, dtype=float)
    got = sg.extreme_trend(_s(x), (2, 4)).to_numpy()
    np.testing.assert_array_equal(got, ref_extreme(x, (2, 4)))


def test_zscore_hand_example():
    # window 3 over [1, 2, 3]: mean 2, sample std 1 -> z = 1; flat window -> NaN, never 0 or inf
    z = sg.rolling_zscore(_s([1, 2, 3, 3, 3, 3]), 3)
    assert z.iloc[2] == pytest.approx(1.0)
    assert np.isnan(z.iloc[5])


def test_flat_window_after_large_values_is_nan():
    # pandas' rolling std of the flat tail is ~1e-6, not 0 (running-sum rounding); the z-score must still be NaN
    x = _s([-13.94, 93.212, 12.446, -48.227] + [-51.665] * 7)
    assert pd.Series(x.to_numpy()).rolling(7).std().iloc[-1] != 0  # the trap is armed
    z = sg.rolling_zscore(x, 7)
    assert np.isnan(z.iloc[-1]) and np.isfinite(z.iloc[6])


def test_clip_scale():
    got = sg.clip_scale(_s([-3, -1.5, -0.75, 0, 0.75, 3]), 1.5).to_numpy()
    np.testing.assert_allclose(got, [-1, -1, -0.5, 0, 0.5, 1])
    with pytest.raises(ConfigError, match="invalid clip"):
        sg.clip_scale(_s([1]), 0)


def test_hold_flips_and_expires():
    # +1 fired on day 1, held 3 days (days 1..3), then 0; a -1 on day 5 overrides at once
    trig = _s([0, 1, 0, 0, 0, -1, 0, 1])
    np.testing.assert_array_equal(sg.hold_signal(trig, 3).to_numpy(), [0, 1, 1, 1, 0, -1, -1, 1])


def test_hold_nan_before_data():
    out = sg.hold_signal(_s([np.nan, np.nan, 1, np.nan, 0]), 2).to_numpy()
    assert np.isnan(out[:2]).all()
    np.testing.assert_array_equal(out[2:], [1, 1, 0])


def test_extreme_trend_hand_and_hold():
    x = _s([1, 2, 3, 4, 3, 2, 1, 5, 3, 4])
    # windows (2, 4), by hand: day 3 (x=4) and day 4 (max of both windows 4) -> +1; days 5-6 lows of both -> -1;
    # day 7 (x=5): high of both windows but 1 is also the low of both -> 0 (held: -1); day 8 -> +1;
    # day 9: max2 = 4 != max4 = 5 and min2 = 3 != min4 = 1 -> 0 / hold
    zero = sg.extreme_trend(x, (2, 4)).to_numpy()
    np.testing.assert_array_equal(zero[3:], [1, 1, -1, -1, 0, 1, 0])
    held = sg.extreme_trend(x, (2, 4), otherwise="hold").to_numpy()
    np.testing.assert_array_equal(held[3:], [1, 1, -1, -1, -1, 1, 1])
    assert np.isnan(zero[:3]).all()


def test_threshold_trigger_and_direction():
    z = _s([2.0, -2.0, 1.0, np.nan])
    np.testing.assert_array_equal(sg.threshold_trigger(z, 1.5).to_numpy()[:3], [1, -1, 0])
    np.testing.assert_array_equal(sg.threshold_trigger(z, 1.5, high_is=-1).to_numpy()[:3], [-1, 1, 0])
    assert np.isnan(sg.threshold_trigger(z, 1.5).iloc[3])
    d = sg.direction(_s([1, 2, 3, 2, 2]), 2).to_numpy()
    np.testing.assert_array_equal(d[2:], [1, 0, -1])


def test_ma_distance_hand():
    x = _s([1, 2, 3, 4])
    # ma2 / ma4 - 1 at the end = 3.5 / 2.5 - 1
    assert sg.moving_average_distance(x, 2, 4).iloc[-1] == pytest.approx(0.4)


def test_sticky_sign():
    np.testing.assert_array_equal(sg.sticky_sign(_s([0, 1, 0, -1, 0])).to_numpy(), [0, 1, 1, -1, -1])


def test_bad_window_message():
    with pytest.raises(ConfigError, match="invalid window: an integer >= 2; got 1"):
        sg.rolling_zscore(_s([1, 2]), 1)
