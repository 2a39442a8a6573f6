"""Put-call parity: exact recovery on synthetic chains, robustness, vectorised agreement, basis helpers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cnradar.errors import ConfigError, DataError
from cnradar.quant.parity import (
    constant_maturity_implied_basis,
    implied_basis,
    implied_forward,
    implied_forwards,
)


def _chain(fwd=2.63, r=0.028, t=45 / 365, sigma=0.22, strikes=None):
    from scipy.stats import norm

    k = np.arange(2.2, 3.11, 0.05) if strikes is None else np.asarray(strikes, float)
    d1 = (np.log(fwd / k) + 0.5 * sigma**2 * t) / (sigma * math.sqrt(t))
    disc = math.exp(-r * t)
    call = disc * (fwd * norm.cdf(d1) - k * norm.cdf(d1 - sigma * math.sqrt(t)))
    put = disc * (k * norm.cdf(-d1 + sigma * math.sqrt(t)) - fwd * norm.cdf(-d1))
    return k, call, put, r, t


@pytest.mark.parametrize("aggregate", ["median", "mean", "cboe"])
def test_synthetic_chain_recovers_forward_exactly(aggregate):
    k, c, p, r, t = _chain()
    res = implied_forward(k, c, p, r, t, aggregate=aggregate)
    assert res.forward == pytest.approx(2.63, abs=1e-12)
    np.testing.assert_allclose(res.per_strike.to_numpy(), 2.63, atol=1e-12)
    assert res.dispersion == pytest.approx(0.0, abs=1e-12)


def test_hand_checked_single_strike():
    # C - P = 0.05, e^{0.03·0.5} = 1.015113065: F = 2.5 + 0.0507557 = 2.5507557
    res = implied_forward([2.5], [0.12], [0.07], 0.03, 0.5)
    assert res.forward == pytest.approx(2.5 + math.exp(0.015) * 0.05, abs=1e-15)
    assert res.forward == pytest.approx(2.5507557, abs=1e-7)


def test_median_resists_one_bad_quote_near_the_money():
    k, c, p, r, t = _chain()
    c = c.copy()
    atm = int(np.argmin(np.abs(c - p)))
    c[atm + 1] += 0.03  # a stale settle on one near strike
    med = implied_forward(k, c, p, r, t, n_near=3, aggregate="median")
    mean = implied_forward(k, c, p, r, t, n_near=3, aggregate="mean")
    assert med.forward == pytest.approx(2.63, abs=1e-12)
    assert abs(mean.forward - 2.63) > 0.005
    assert med.dispersion > 0.03


def test_one_sided_and_empty_chains():
    k, c, p, r, t = _chain()
    c = c.copy()
    c[::2] = np.nan
    assert implied_forward(k, c, p, r, t).forward == pytest.approx(2.63, abs=1e-12)
    with pytest.raises(DataError, match="no strike with both a call and a put price"):
        implied_forward(k, np.full_like(c, np.nan), p, r, t)
    with pytest.raises(DataError, match="differ in length"):
        implied_forward(k[:-1], c, p, r, t)
    with pytest.raises(ConfigError, match="unknown forward aggregate"):
        implied_forward(k, c, p, r, t, aggregate="mode")


def test_vectorised_forwards_agree_with_single_chain():
    rng = np.random.default_rng(3)
    frames, expected = [], {}
    for i in range(25):
        fwd, sig = rng.uniform(2.0, 3.2), rng.uniform(0.1, 0.4)
        k, c, p, r, t = _chain(fwd=fwd, sigma=sig, r=rng.uniform(0, 0.05), t=rng.uniform(5, 90) / 365)
        c = c + rng.normal(0, 0.002, len(c))  # noisy settles
        expected[i] = implied_forward(k, c, p, r, t).forward
        frames.append(pd.DataFrame({"chain": i, "strike": k, "call": c, "put": p, "rate": r, "t": t}))
    out = implied_forwards(pd.concat(frames), ["chain"])
    assert len(out) == 25
    np.testing.assert_allclose(out["forward"].to_numpy(), [expected[i] for i in out["chain"]], rtol=1e-13)
    assert (out["n_used"] == 3).all()


def test_basis_and_constant_maturity():
    b, ann = implied_basis(2.55, 2.5, 0.1)
    assert b == pytest.approx(0.02)
    assert ann == pytest.approx(0.2)
    # equal annualised basis on both terms → the 30-day one is the same annual rate
    b30, ann30 = constant_maturity_implied_basis(0.05, 20 / 365, 0.05, 48 / 365)
    assert ann30 == pytest.approx(0.05)
    assert b30 == pytest.approx(0.05 * 30 / 365)
    # linear in time: halfway between 20 and 40 days
    _, ann30 = constant_maturity_implied_basis(0.02, 20 / 365, 0.04, 40 / 365)
    assert ann30 == pytest.approx(0.03)
    # no next term → near term's annual basis
    _, ann30 = constant_maturity_implied_basis(0.02, 20 / 365, np.nan, np.nan)
    assert ann30 == pytest.approx(0.02)
