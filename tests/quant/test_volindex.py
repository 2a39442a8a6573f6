"""VIX / SKEW: Cboe 2019 white paper golden example, closed-form properties, a slow reference, edge cases."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cnradar.errors import DataError
from cnradar.quant import volindex
from cnradar.quant.volindex import term_moments, vix

GOLDEN = Path(__file__).resolve().parents[3] / "shared" / "golden"
MINUTES = {"near": 35924, "next": 46394}
RATES = {"near": 0.000305, "next": 0.000286}


@pytest.fixture(scope="module")
def golden_quotes() -> pd.DataFrame:
    path = GOLDEN / "vix_2019_whitepaper_appendix1_quotes.csv"
    if not path.exists():
        pytest.skip(f"golden file absent: {path}")
    return pd.read_csv(path)


# --- golden: Cboe VIX white paper 2019 (shared/golden §2, grade A) -------------------------------------------

def test_golden_vix_white_paper(golden_quotes):
    r = vix(golden_quotes, MINUTES, RATES)
    # published values; tolerance 1e-4 on VIX per the acceptance, forwards to the printed 5 decimals
    assert r.value == pytest.approx(13.6858, abs=1e-4)
    assert r.forward["near"] == pytest.approx(1962.89996, abs=1e-5)
    assert r.forward["next"] == pytest.approx(1962.40006, abs=1e-5)
    assert r.k0 == {"near": 1960.0, "next": 1960.0}
    assert r.variance["near"] == pytest.approx(0.01846292, abs=1e-8)
    assert r.variance["next"] == pytest.approx(0.01882101, abs=1e-8)
    assert r.n_strikes == {"near": 146, "next": 122}
    assert r.weights["near"] == pytest.approx(0.305062, abs=1e-6)
    assert r.weights["next"] == pytest.approx(0.694938, abs=1e-6)
    assert r.method == "interpolated"


def test_golden_selected_strikes_and_contributions(golden_quotes):
    contrib = pd.read_csv(GOLDEN / "vix_2019_whitepaper_appendix2_contributions.csv")
    r = vix(golden_quotes, MINUTES, RATES)
    for term, lo, hi in (("near", 1370, 2125), ("next", 1275, 2200)):
        got = r.strikes[term]
        want = contrib[contrib["term"] == term].reset_index(drop=True)
        assert (got["strike"].min(), got["strike"].max()) == (lo, hi)
        np.testing.assert_array_equal(got["strike"].to_numpy(), want["strike"].to_numpy())
        np.testing.assert_allclose(got["delta_k"].to_numpy(), want["delta_k"].to_numpy())
        # printed contributions carry 10 decimals
        np.testing.assert_allclose(got["contribution"].to_numpy(), want["contribution_pdf"].to_numpy(),
                                   atol=6e-11)
        # K0's price is the average of call and put mids (near 22.775: the PDF misprints 24.25; next 26.10)
    k0_q = {t: float(r.strikes[t].loc[r.strikes[t]["strike"] == 1960, "q"].iloc[0]) for t in ("near", "next")}
    assert k0_q["near"] == pytest.approx(22.775)
    assert k0_q["next"] == pytest.approx(26.10)


def test_golden_quotes_in_any_row_order(golden_quotes):
    shuffled = golden_quotes.sample(frac=1.0, random_state=7)
    assert vix(shuffled, MINUTES, RATES).value == pytest.approx(13.6858, abs=1e-4)


# --- Black-Scholes chains priced by QuantLib (independent pricer) -------------------------------------------

def _ql_chain(forward, t, r, sigmas, weights=(1.0,), rel_step=0.005, width=9.0, term="near", step=None):
    """Chain priced with QuantLib's blackFormula; a mixture of lognormals when several sigmas are given."""
    ql = pytest.importorskip("QuantLib")
    sig_max = max(sigmas)
    lo = forward * math.exp(-width * sig_max * math.sqrt(t))
    hi = forward * math.exp(width * sig_max * math.sqrt(t))
    step = rel_step * forward if step is None else step
    strikes = np.arange(math.floor(lo / step) * step, hi + step, step)
    strikes = strikes[strikes > 0]
    disc = math.exp(-r * t)
    calls, puts = [], []
    for k in strikes:
        c = sum(w * ql.blackFormula(ql.Option.Call, float(k), forward, s * math.sqrt(t), disc)
                for s, w in zip(sigmas, weights, strict=True))
        p = sum(w * ql.blackFormula(ql.Option.Put, float(k), forward, s * math.sqrt(t), disc)
                for s, w in zip(sigmas, weights, strict=True))
        calls.append(c)
        puts.append(p)
    return pd.DataFrame({"term": term, "strike": strikes, "call_bid": calls, "call_ask": calls,
                         "put_bid": puts, "put_ask": puts})


def _grid_bias(step, forward, t):
    """Leading-order bias of the Cboe variance on a uniform strike grid of spacing ``h``: ``h²/(6 F² T)``.

    Q(K)/K² is smooth except for the kink of Q at F, where the slope jumps by e^{-rT} (call slope
    -e^{-rT}N(d2), put slope e^{-rT}N(-d2)). A rectangle sum over a hinge with slope jump J on a grid through
    the kink overstates the integral by J h²/12; times (2/T) e^{rT}/F² that is h²/(6F²T). Off the grid the
    -(F/K0 - 1)²/T term of the white paper cancels the position-dependent part to leading order, so the bias
    stays h²/(6F²T) up to O(h³) terms (a few per cent of it for h/F = 0.5 %); the tail truncation at ±9σ√T
    is below 1e-15. The bias does not depend on σ.
    """
    return step**2 / (6 * forward**2 * t)


@pytest.mark.parametrize("sigma", [0.12, 0.25, 0.45])
@pytest.mark.parametrize("offset", [0.0, 0.37, 0.81])
def test_flat_vol_chain_gives_vix_100_sigma(sigma, offset):
    t1, t2, h = 23 / 365, 51 / 365, 0.0135
    fwd = 2.7 + offset * h  # forward on, or between, listed strikes
    q = pd.concat([_ql_chain(fwd, t1, 0.025, [sigma], step=h),
                   _ql_chain(fwd, t2, 0.027, [sigma], term="next", step=h)])
    r = vix(q, {"near": 23 * 1440, "next": 51 * 1440}, {"near": 0.025, "next": 0.027})
    for term, tt in (("near", t1), ("next", t2)):
        assert r.forward[term] == pytest.approx(fwd, abs=1e-12)  # parity is exact on a model chain
        bias = _grid_bias(h, fwd, tt)
        assert r.variance[term] - sigma**2 == pytest.approx(bias, rel=0.02)
    # the 30-day interpolation of total variances keeps the bias at h²/(6F²·T30)
    bias30 = _grid_bias(h, fwd, 30 / 365)
    assert (r.value / 100) ** 2 - sigma**2 == pytest.approx(bias30, rel=0.02)
    # hence VIX ≈ 100σ: |VIX/(100σ) - 1| ≈ bias30/(2σ²) < 0.2 % here
    assert r.value / (100 * sigma) == pytest.approx(1.0, abs=1.02 * bias30 / (2 * sigma**2))


@pytest.mark.parametrize("sigma", [0.15, 0.35])
def test_flat_vol_chain_gives_skew_100(sigma):
    t1, t2 = 23 / 365, 51 / 365
    q = pd.concat([_ql_chain(2.7, t1, 0.025, [sigma]), _ql_chain(2.7, t2, 0.027, [sigma], term="next")])
    r = volindex.skew(q, {"near": 23 * 1440, "next": 51 * 1440}, {"near": 0.025, "next": 0.027})
    # log return is normal → S = 0; the quadrature error of P3 is of the order of the variance error
    # (≤ 1e-3 relative here), which moves S by well under 0.01, i.e. SKEW by < 0.1
    assert r.value == pytest.approx(100.0, abs=0.1)


def test_lognormal_mixture_moments_match_closed_form():
    """Mixture of two lognormals with the same forward: ln(S_T/F) is a normal mixture with closed-form moments."""
    sigmas, weights = (0.15, 0.45), (0.7, 0.3)
    t, r, fwd = 40 / 365, 0.02, 3.0
    q = _ql_chain(fwd, t, r, sigmas, weights, rel_step=0.002, width=10.0)
    q = q.sort_values("strike")
    m = term_moments(np.zeros(len(q), dtype=int), q["strike"].to_numpy(), q["call_bid"].to_numpy(),
                     q["call_ask"].to_numpy(), q["put_bid"].to_numpy(), q["put_ask"].to_numpy(),
                     np.array([t]), np.array([r]))
    raw = np.zeros(3)
    for s, w in zip(sigmas, weights, strict=True):
        mu, v = -0.5 * s * s * t, s * s * t
        raw += w * np.array([mu, mu**2 + v, mu**3 + 3 * mu * v])
    m1, m2, m3 = raw
    s_true = (m3 - 3 * m1 * m2 + 2 * m1**3) / (m2 - m1**2) ** 1.5
    assert m.p1[0] == pytest.approx(m1, rel=2e-3)
    assert m.p2[0] == pytest.approx(m2, rel=2e-3)
    assert m.p3[0] == pytest.approx(m3, rel=5e-3)
    assert m.skewness[0] == pytest.approx(s_true, abs=0.01)
    assert s_true < -0.1  # the test has teeth: a clearly skewed distribution


def test_single_term_is_that_terms_volatility():
    q = _ql_chain(2.5, 30 / 365, 0.03, [0.2])
    r = vix(q, {"near": 30 * 1440}, {"near": 0.03})
    assert r.method == "single_term"
    assert r.weights == {"near": 1.0}
    assert r.value == pytest.approx(20.0, rel=1e-3)


# --- slow, obvious reference implementation -----------------------------------------------------------------

def _reference_variance(chain: pd.DataFrame, t: float, r: float):
    """Straight transcription of the white paper, loops and all."""
    rows = chain.sort_values("strike").to_dict("records")

    def mid(b, a):
        if not (np.isfinite(b) and np.isfinite(a)) or b > a or b < 0:
            return None
        return (b + a) / 2

    best = None
    for row in rows:
        c, p = mid(row["call_bid"], row["call_ask"]), mid(row["put_bid"], row["put_ask"])
        if c is None or p is None:
            continue
        if best is None or abs(c - p) < best[0]:
            best = (abs(c - p), row["strike"], c, p)
    f = best[1] + math.exp(r * t) * (best[2] - best[3])
    k0 = max(row["strike"] for row in rows if row["strike"] <= f)
    i0 = [row["strike"] for row in rows].index(k0)

    def bid_ok(b, a):
        return mid(b, a) is not None and b > 0

    selected = []
    zeros = 0
    for row in reversed(rows[:i0]):
        if bid_ok(row["put_bid"], row["put_ask"]):
            zeros = 0
            selected.append((row["strike"], mid(row["put_bid"], row["put_ask"])))
        else:
            zeros += 1
            if zeros == 2:
                break
    r0 = rows[i0]
    c0, p0 = mid(r0["call_bid"], r0["call_ask"]), mid(r0["put_bid"], r0["put_ask"])
    if c0 is not None and p0 is not None and (r0["call_bid"] > 0 or r0["put_bid"] > 0):
        selected.append((k0, (c0 + p0) / 2))
    zeros = 0
    for row in rows[i0 + 1:]:
        if bid_ok(row["call_bid"], row["call_ask"]):
            zeros = 0
            selected.append((row["strike"], mid(row["call_bid"], row["call_ask"])))
        else:
            zeros += 1
            if zeros == 2:
                break
    selected.sort()
    ks = [s[0] for s in selected]
    if len(ks) < 2:
        return f, k0, math.nan, len(ks)
    total = 0.0
    for i, (k, qv) in enumerate(selected):
        if i == 0:
            dk = ks[1] - ks[0]
        elif i == len(ks) - 1:
            dk = ks[-1] - ks[-2]
        else:
            dk = (ks[i + 1] - ks[i - 1]) / 2
        total += dk / k**2 * math.exp(r * t) * qv
    return f, k0, 2 / t * total - (f / k0 - 1) ** 2 / t, len(selected)


def _random_chain(rng, n):
    strikes = np.sort(rng.choice(np.arange(1.5, 4.0, 0.05), size=n, replace=False))
    fwd = rng.uniform(2.2, 3.2)
    t = rng.uniform(10, 80) / 365
    sig = rng.uniform(0.1, 0.5)
    d1 = (np.log(fwd / strikes) + 0.5 * sig**2 * t) / (sig * np.sqrt(t))
    from scipy.stats import norm

    call = fwd * norm.cdf(d1) - strikes * norm.cdf(d1 - sig * np.sqrt(t))
    put = call - (fwd - strikes)
    noise = rng.uniform(0.0, 0.002, size=(4, n))
    cb, ca = np.round(call - noise[0], 4), np.round(call + noise[1], 4)
    pb, pa = np.round(put - noise[2], 4), np.round(put + noise[3], 4)
    cb, pb = np.maximum(cb, 0), np.maximum(pb, 0)
    zero = rng.random((2, n)) < 0.15  # random zero bids, including isolated ones
    cb[zero[0]] = 0.0
    pb[zero[1]] = 0.0
    gap = rng.random(n) < 0.05  # missing quotes
    ca[gap] = np.nan
    return pd.DataFrame({"strike": strikes, "call_bid": cb, "call_ask": ca, "put_bid": pb, "put_ask": pa}), t


def test_vectorised_kernel_matches_reference_on_random_chains():
    rng = np.random.default_rng(20240601)
    chains, ts, rs = [], [], []
    for g in range(60):
        chain, t = _random_chain(rng, int(rng.integers(8, 45)))
        chains.append(chain.assign(g=g))
        ts.append(t)
        rs.append(rng.uniform(0.0, 0.05))
    allq = pd.concat(chains, ignore_index=True)
    m = term_moments(allq["g"].to_numpy(), allq["strike"].to_numpy(), allq["call_bid"].to_numpy(),
                     allq["call_ask"].to_numpy(), allq["put_bid"].to_numpy(), allq["put_ask"].to_numpy(),
                     np.array(ts), np.array(rs))
    checked = 0
    for g, chain in enumerate(chains):
        try:
            f, k0, var, n_sel = _reference_variance(chain, ts[g], rs[g])
        except (TypeError, ValueError):  # reference finds no forward / K0
            assert m.status[g] != "ok"
            continue
        if n_sel < 2:
            assert m.status[g] == "no_strikes"
            continue
        checked += 1
        assert m.forward[g] == pytest.approx(f, rel=1e-12)
        assert m.k0[g] == k0
        assert m.n_strikes[g] == n_sel
        assert m.variance[g] == pytest.approx(var, rel=1e-10)
    assert checked >= 40


# --- edge cases: clear errors -------------------------------------------------------------------------------

def _flat_quotes():
    return _ql_chain(2.5, 30 / 365, 0.03, [0.2], rel_step=0.02, width=4.0)


def test_empty_chain_raises():
    with pytest.raises(DataError, match="empty option chain"):
        vix(_flat_quotes().iloc[:0], {"near": 1000}, {"near": 0.0})


def test_crossed_chain_raises_with_reason():
    q = _flat_quotes()
    q["call_bid"], q["call_ask"] = q["call_ask"] + 0.01, q["call_bid"]
    with pytest.raises(DataError, match="no_forward"):
        vix(q, {"near": 30 * 1440}, {"near": 0.03})


def test_zero_bids_everywhere_raise():
    q = _flat_quotes().assign(call_bid=0.0, put_bid=0.0)
    with pytest.raises(DataError, match="no_strikes"):
        vix(q, {"near": 30 * 1440}, {"near": 0.03})


def test_missing_strike_is_skipped_like_a_zero_bid():
    q = _flat_quotes().reset_index(drop=True)
    full = vix(q, {"near": 30 * 1440}, {"near": 0.03})
    far_put = q.index[3]
    q.loc[far_put, ["put_bid", "put_ask"]] = np.nan
    r = vix(q, {"near": 30 * 1440}, {"near": 0.03})
    assert r.n_strikes["near"] == full.n_strikes["near"] - 1
    assert r.value == pytest.approx(full.value, rel=1e-2)


def test_missing_minutes_and_columns_raise():
    q = _flat_quotes()
    with pytest.raises(DataError, match="minutes missing for terms"):
        vix(q, {}, {"near": 0.03})
    with pytest.raises(DataError, match="lack columns"):
        vix(q.drop(columns="put_ask"), {"near": 1}, {"near": 0.03})
    with pytest.raises(DataError, match="duplicate strikes"):
        vix(pd.concat([q, q.iloc[:1]]), {"near": 30 * 1440}, {"near": 0.03})
    with pytest.raises(DataError, match="non-positive time"):
        vix(q, {"near": 0}, {"near": 0.03})


def test_interpolation_weights_and_extrapolation_formula():
    w1, w2 = volindex.interpolation_weights(35924, 46394)
    assert w1 == pytest.approx(0.305062, abs=1e-6)
    assert w1 + w2 == pytest.approx(1.0)
    # both terms beyond 30 days: the same linear formula extrapolates (w1 > 1)
    w1, _ = volindex.interpolation_weights(35 * 1440, 63 * 1440)
    assert w1 > 1
