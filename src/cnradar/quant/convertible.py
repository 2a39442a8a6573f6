"""Convertible-bond pricing: frozen terms, market inputs and engines (lattice and least-squares Monte Carlo).

Source: ``seeds/timing-radar.txt §6.2 可转债定价偏离度`` needs a model value for every bond on every date
(deviation = price / model − 1). The model is Hull's default-intensity tree (Hull, *Options, Futures and Other
Derivatives*, chapter "Credit risk / convertible bonds"; worked example 106.93 reproduced in the tests):

* the stock follows a binomial tree; in each step of length Δt the issuer defaults with probability
  ``p_def = 1 − exp(−λΔt)``; on default the stock falls to 0 and the bond recovers ``R × par``;
* surviving moves: ``p_u = (e^{(r−q)Δt} − d e^{−λΔt}) / (u − d)``, ``p_d = (u e^{−λΔt} − e^{(r−q)Δt}) / (u − d)``
  so that the expected stock (defaulted paths at 0) grows at ``r − q``;
* ``u = exp(√((σ² − λ)Δt))`` in Hull's convention (``vol_convention="hull"``, σ is the total volatility) or
  ``u = exp(σ√Δt)`` (``"diffusion"``, σ is the volatility while the issuer survives — what a realised-vol
  estimator on surviving stocks measures; the default for real bonds, it has no σ² > λ constraint);
* at each node, in this order: ``V = e^{−rΔt}(p_u V_u + p_d V_d + p_def R·par) + coupon``; issuer call
  (where active and, for a soft call, where ``S ≥ call_trigger × K``): ``V = min(V, max(call_price, CR·S))``;
  holder put (where active and ``S ≤ put_trigger × K``): ``V = max(V, put_price)``; conversion (from the
  conversion start): ``V = max(V, CR·S)``, with ``CR = par / K``.

Credit risk enters through the default intensity ``λ = spread / (1 − R)`` (the hazard rate that makes a
straight bond's yield spread over CGB equal ``spread``; ``MarketInputs.default_intensity``).

Chinese clauses (强赎 soft call, 回售 put, 下修 reset) are path dependent: "close ≥ 130 % of K on 15 of 30
days". The lattice checks the trigger *at the node* (a one-day test, which calls earlier than the m-of-n rule
and so slightly understates the bond's value); the Monte Carlo engine (:class:`MonteCarloEngine`) counts the
m-of-n days along each path and measures what the node approximation costs. The reset is not modelled in the
lattice; the Monte Carlo engine optionally applies it (:attr:`MonteCarloEngine.model_reset`).

Conventions: values per bond of face ``par`` (usually 100 CNY); times in years ACT/365 from the valuation date;
rates continuously compounded; coupons annual, on the anniversaries of the issue date, in percent of par;
``redemption_price`` is paid at maturity and includes the last coupon (Chinese prospectus wording
"按面值的 110%（含最后一期利息）"), set ``redemption_includes_last_coupon=False`` otherwise. Exchange prices of
Chinese convertibles are full prices (全价交易), so :attr:`Valuation.value` (dirty) is the number to compare
with a quote; :attr:`Valuation.clean` is also given.

Example:
    >>> round(hull_tree_price(50, 2, 100, 0.75, 113, 0.30, 0.05, 0.01, 0.40, 3), 4)
    106.9286
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import ndtr

from cnradar.errors import ConfigError, DataError, explain

DAYS_PER_YEAR = 365.0
TRADING_DAYS_PER_YEAR = 244.0

VolConvention = Literal["hull", "diffusion"]


# ----------------------------------------------------------------------------------------------------------
# Textbook model
# ----------------------------------------------------------------------------------------------------------
def hull_tree_price(
    S0: float,
    conversion_ratio: float,
    face: float,
    maturity_years: float,
    call_price: float | None,
    sigma: float,
    r: float,
    default_intensity: float,
    recovery: float,
    steps: int,
) -> float:
    """Hull's default-intensity binomial tree for a zero-coupon convertible, callable at any time.

    ``u = exp(√((σ² − λ)Δt))``, ``d = 1/u``, ``p_u = (e^{rΔt} − d e^{−λΔt})/(u − d)``,
    ``p_d = (u e^{−λΔt} − e^{rΔt})/(u − d)``, ``p_def = 1 − e^{−λΔt}``; at maturity ``V = max(face, CR·S)``;
    before, ``V = max(min(e^{−rΔt}(p_u V_u + p_d V_d + p_def·R·face), call), CR·S)`` — the issuer calls when
    the bond is worth more than the call price and the holder may convert when called. ``call_price=None``
    means not callable; ``conversion_ratio=0`` gives the straight risky zero.
    Recovery is a fraction of ``face``. Golden: ``../shared/golden §3`` (106.9286).

    >>> hull_tree_price(50, 2, 100, 0.75, None, 0.30, 0.05, 0.01, 0.40, 3) > 106.9286  # the call costs
    True
    """
    _check_positive("S0", S0)
    _check_positive("face", face)
    _check_positive("maturity_years", maturity_years)
    if steps < 1:
        raise ConfigError(explain("invalid steps", "must be an integer ≥ 1", steps, "Pass steps=100 or more."))
    if sigma * sigma <= default_intensity:
        raise ConfigError(explain("invalid volatility for Hull's tree", "σ² must exceed the default intensity λ",
                                  (sigma, default_intensity),
                                  "Raise sigma or lower default_intensity, or use price(..., vol_convention="
                                  "'diffusion')."))
    dt_ = maturity_years / steps
    u = math.exp(math.sqrt((sigma * sigma - default_intensity) * dt_))
    d = 1.0 / u
    surv = math.exp(-default_intensity * dt_)
    grow = math.exp(r * dt_)
    pu = (grow - d * surv) / (u - d)
    pd_ = (u * surv - grow) / (u - d)
    pdef = 1.0 - surv
    disc = math.exp(-r * dt_)
    j = np.arange(steps + 1)
    S = S0 * u ** (2 * j - steps)
    V = np.maximum(face, conversion_ratio * S)
    call = np.inf if call_price is None else float(call_price)
    for _ in range(steps):
        S = S[:-1] * u
        cont = disc * (pu * V[1:] + pd_ * V[:-1] + pdef * recovery * face)
        V = np.maximum(np.minimum(cont, call), conversion_ratio * S)
    return float(V[0])


# ----------------------------------------------------------------------------------------------------------
# Terms (the contract) and market inputs
# ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SoftCall:
    """Issuer's soft call (有条件赎回/强赎): callable when close ≥ ``trigger`` × K on ``m`` of ``n`` days.

    ``price`` is the clean call price per 100 par (Chinese bonds: par, plus accrued interest paid on top).
    ``trigger=0`` is a hard call (callable whatever the stock). Active from the conversion start.
    """

    trigger: float = 1.30
    m: int = 15
    n: int = 30
    price: float = 100.0


@dataclass(frozen=True)
class Put:
    """Holder's put (有条件回售): putable when close ≤ ``trigger`` × K on ``m`` of ``n`` days, in the last
    ``years`` years before maturity, at ``price`` per 100 par plus accrued interest. ``trigger=inf`` is an
    unconditional (hard) put in that window."""

    trigger: float = 0.70
    m: int = 30
    n: int = 30
    price: float = 100.0
    years: float = 2.0


@dataclass(frozen=True)
class Reset:
    """Issuer's downward reset (下修): may lower K when close < ``trigger`` × K on ``m`` of ``n`` days.
    The new K is floored at ``floor`` × the stock price at the reset (the rule's 20-day average proxy)."""

    trigger: float = 0.85
    m: int = 15
    n: int = 30
    floor: float = 1.0


#: Market-standard clauses applied when a bond's own clauses are missing (issue 5); flagged on the bond.
DEFAULT_CALL = SoftCall()
DEFAULT_PUT = Put()
DEFAULT_RESET = Reset()
#: Market-standard step-up coupons (percent per year) for a 6-year bond whose schedule is missing.
DEFAULT_COUPONS: tuple[float, ...] = (0.3, 0.5, 1.0, 1.5, 1.8, 2.0)


@dataclass(frozen=True)
class ConvertibleTerms:
    """A convertible bond's contract terms (a frozen, validated spec; no market data).

    ``conversion_price`` is the conversion price in force on the valuation date (resets and dividend
    adjustments applied — build it from the effective-dated history). ``coupons`` are percent of par per
    year, paid on the issue-date anniversaries. ``defaults_used`` names the fields that came from the
    declared market-standard defaults (e.g. ``("call", "put", "reset")``), so every number computed from them
    can be flagged. ``conversion_start`` defaults to issue + 6 months (the CSRC rule).
    """

    symbol: str
    issue_date: dt.date
    maturity_date: dt.date
    conversion_price: float
    coupons: tuple[float, ...] = ()
    par: float = 100.0
    redemption_price: float | None = None
    redemption_includes_last_coupon: bool = True
    conversion_start: dt.date | None = None
    call: SoftCall | None = None
    put: Put | None = None
    reset: Reset | None = None
    stock: str | None = None
    defaults_used: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        issue = _as_date(self.issue_date, self.symbol, "issue_date")
        maturity = _as_date(self.maturity_date, self.symbol, "maturity_date")
        object.__setattr__(self, "issue_date", issue)
        object.__setattr__(self, "maturity_date", maturity)
        object.__setattr__(self, "coupons", tuple(float(c) for c in self.coupons))
        if self.conversion_start is None:
            object.__setattr__(self, "conversion_start", (pd.Timestamp(issue) + pd.DateOffset(months=6)).date())
        else:
            object.__setattr__(self, "conversion_start",
                               _as_date(self.conversion_start, self.symbol, "conversion_start"))
        if maturity <= issue:
            raise DataError(explain(f"bad terms for {self.symbol}: maturity_date",
                                    "must be after issue_date", f"{maturity} <= {issue}",
                                    "Fix the bond's dates in convertible_terms."))
        cp = self.conversion_price
        if cp is None or not np.isfinite(cp) or cp <= 0:
            raise DataError(explain(f"bad terms for {self.symbol}: conversion_price",
                                    "must be a positive number", cp,
                                    "Fill the conversion price (current, after resets) for this bond."))
        if not np.isfinite(self.par) or self.par <= 0:
            raise DataError(explain(f"bad terms for {self.symbol}: par", "must be positive", self.par,
                                    "Use par = 100."))
        if any((not np.isfinite(c)) or c < 0 for c in self.coupons):
            raise DataError(explain(f"bad terms for {self.symbol}: coupons", "must be non-negative percents",
                                    self.coupons, "Fix the coupon schedule."))
        if self.redemption_price is not None and (not np.isfinite(self.redemption_price)
                                                  or self.redemption_price <= 0):
            raise DataError(explain(f"bad terms for {self.symbol}: redemption_price", "must be positive",
                                    self.redemption_price, "Leave it blank to redeem at par plus last coupon."))
        if self.call is not None:
            c = self.call
            if c.trigger != 0 and c.trigger < 1.0:
                raise DataError(explain(f"bad terms for {self.symbol}: call_trigger",
                                        "a soft-call trigger must be ≥ 1 (≥ the conversion price) or 0 for a "
                                        "hard call", c.trigger, "Write the trigger as a ratio, e.g. 1.30."))
            _check_m_of_n(self.symbol, "call", c.m, c.n)
            if c.price <= 0:
                raise DataError(explain(f"bad terms for {self.symbol}: call price", "must be positive",
                                        c.price, "Use 100 (par, accrued interest added)."))
        if self.put is not None:
            p = self.put
            if not (0 < p.trigger < 1.0 or p.trigger == math.inf):
                raise DataError(explain(f"bad terms for {self.symbol}: put_trigger",
                                        "must lie in (0, 1) (below the conversion price), or be inf for an "
                                        "unconditional put", p.trigger, "Write the trigger as a ratio, e.g. 0.70."))
            _check_m_of_n(self.symbol, "put", p.m, p.n)
        if self.reset is not None:
            if not 0 < self.reset.trigger < 1.0:
                raise DataError(explain(f"bad terms for {self.symbol}: reset_trigger",
                                        "must lie in (0, 1)", self.reset.trigger, "Write e.g. 0.85."))
            _check_m_of_n(self.symbol, "reset", self.reset.m, self.reset.n)

    @property
    def conversion_ratio(self) -> float:
        """Shares received per bond: ``par / conversion_price``."""
        return self.par / self.conversion_price

    def with_conversion_price(self, conversion_price: float) -> ConvertibleTerms:
        """The same bond with another conversion price in force (after a reset or dividend adjustment)."""
        return replace(self, conversion_price=float(conversion_price))

    def cash_flows(self) -> pd.DataFrame:
        """Scheduled payments per bond of face ``par``: coupon dates (anniversaries) and the redemption.

        The last row pays ``redemption_price`` (which includes the last coupon unless
        ``redemption_includes_last_coupon`` is False); without a redemption price, par plus the last coupon.
        """
        n_years = _coupon_years(self.issue_date, self.maturity_date)
        coupons = list(self.coupons[:n_years]) + [0.0] * max(0, n_years - len(self.coupons))
        dates = [_anniversary(self.issue_date, k) for k in range(1, n_years + 1)]
        if not dates or dates[-1] != self.maturity_date:
            dates = [*dates[:-1], self.maturity_date] if dates else [self.maturity_date]
        amounts = [c * self.par / 100.0 for c in coupons]
        if not amounts:
            amounts = [0.0]
        last_coupon = amounts[-1]
        if self.redemption_price is None:
            amounts[-1] = self.par + last_coupon
        elif self.redemption_includes_last_coupon:
            amounts[-1] = self.redemption_price * self.par / 100.0
        else:
            amounts[-1] = self.redemption_price * self.par / 100.0 + last_coupon
        starts = [self.issue_date, *dates[:-1]]
        return pd.DataFrame({"start": pd.to_datetime(starts), "date": pd.to_datetime(dates),
                             "coupon": [c * self.par / 100.0 for c in coupons] if coupons else [0.0],
                             "amount": amounts})


@dataclass(frozen=True)
class MarketInputs:
    """Market data for one bond on one date (engines take terms + market; QuantLib's split).

    ``rate`` is the continuously compounded risk-free rate for the bond's life (from the CGB curve),
    ``credit_spread`` the issuer's spread over CGB (from the rating table), ``recovery`` a fraction of par,
    ``dividend_yield`` continuous; ``sigma`` the stock's annualised volatility.
    """

    valuation_date: dt.date
    stock_price: float
    sigma: float
    rate: float
    credit_spread: float = 0.0
    recovery: float = 0.4
    dividend_yield: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "valuation_date", _as_date(self.valuation_date, "market", "valuation_date"))
        if not np.isfinite(self.sigma) or self.sigma <= 0:
            raise DataError(explain("bad market input: sigma", "volatility must be positive and finite",
                                    self.sigma, "Check the volatility estimator's inputs (stock prices)."))
        if not np.isfinite(self.stock_price) or self.stock_price <= 0:
            raise DataError(explain("bad market input: stock_price", "must be positive", self.stock_price,
                                    "Check the underlying stock's close."))
        if not 0 <= self.recovery < 1:
            raise DataError(explain("bad market input: recovery", "must lie in [0, 1)", self.recovery,
                                    "Use e.g. 0.4."))
        if not np.isfinite(self.credit_spread) or self.credit_spread < 0:
            raise DataError(explain("bad market input: credit_spread", "must be ≥ 0", self.credit_spread,
                                    "Spreads are decimals, e.g. 0.015 for 150 bp."))

    @property
    def default_intensity(self) -> float:
        """``λ = spread / (1 − R)``: the hazard rate whose expected loss rate equals the credit spread."""
        return self.credit_spread / (1.0 - self.recovery)


@dataclass(frozen=True)
class Valuation:
    """An engine's result for one bond (per bond of face ``par``)."""

    symbol: str
    value: float
    accrued: float
    conversion_value: float
    bond_floor: float
    engine: str
    defaults_used: tuple[str, ...] = ()
    std_error: float | None = None
    details: dict[str, float] = field(default_factory=dict)

    @property
    def clean(self) -> float:
        return self.value - self.accrued

    def deviation(self, price: float) -> float:
        """``price / value − 1`` (seeds/timing-radar.txt §6.2 定价偏离度)."""
        return price / self.value - 1.0

    @property
    def conversion_premium(self) -> float:
        """Model value over conversion value − 1."""
        return self.value / self.conversion_value - 1.0

    @property
    def bond_floor_premium(self) -> float:
        """Model value over the (risky, straight) bond floor − 1."""
        return self.value / self.bond_floor - 1.0


# ----------------------------------------------------------------------------------------------------------
# Engines
# ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LatticeEngine:
    """Hull default-intensity binomial lattice with node-checked soft call and put; vectorised across bonds.

    Every bond gets ``steps`` steps over its own remaining life (Δt differs per bond, the grid shape is
    shared), so a whole cross-section is priced by one backward induction on ``(n_bonds, steps + 1)``
    arrays. Coupons, call/put windows and accrued interest are placed on the nearest step.

    ``smooth_triggers``: a node-checked trigger makes the value oscillate with the step count (the trigger
    falls between nodes differently at each N — ±0.2 per 100 par at 1,000 steps). With smoothing, the node
    applies the call (put) to the share ``w = clip(ln(S/L)/(2 ln u) + ½, 0, 1)`` of its log-cell above
    (below) the trigger L: ``V ← V + w (V_called − V)`` — the barrier's position enters continuously.
    ``False`` gives the textbook all-or-nothing node test (QuantLib's).

    Convergence acceleration (off by default; ``benchmarks/test_bench_convertible.py`` measures both):

    * ``terminal_smoothing`` (Broadie–Detemple "BBS"): the layer one step before maturity is the analytic
      one-period value instead of the tree's two-node average. Surviving the step (probability
      ``e^{−λΔt}``) the stock is lognormal with log-variance ``(ln u)²`` and forward ``S e^{(r−q+λ)Δt}``, so
      ``E[max(F, CR·S_T)] = F + CR·C_BS(S, F/CR)`` (an undiscounted Black call), and
      ``V_{N−1} = e^{−rΔt}(e^{−λΔt} E[·] + (1 − e^{−λΔt}) R·par) + cash_{N−1}``, then call/put/conversion as
      at every node. It removes the odd/even oscillation that the payoff's kink at ``S = F/CR`` causes.
    * ``richardson``: ``V = 2 V(N) − V(N/2)`` (two-point Richardson extrapolation for an error ∝ 1/N; the
      cost is 1.25 × one N-step tree). Useful together with ``terminal_smoothing``, which makes the error
      smooth in N.
    """

    steps: int = 200
    vol_convention: VolConvention = "diffusion"
    smooth_triggers: bool = True
    name: str = "lattice"
    terminal_smoothing: bool = False
    richardson: bool = False


@dataclass(frozen=True)
class MonteCarloEngine:
    """Least-squares Monte Carlo (Longstaff–Schwartz) on daily trading steps with the m-of-n soft call and
    put counted along each path, optional issuer reset, jump-to-default at intensity λ.

    Holder: converts or puts when the immediate value beats the regressed continuation (basis 1, x, x², x³,
    c, c·x with x = S/K, c = trigger-count share). Issuer: calls at the first day the m-of-n call condition
    holds (holder receives max(call price + accrued, CR·S)); with ``model_reset`` resets K to
    ``max(floor × S, 0)`` the first time the reset condition holds (an issuer that always resets — an upper
    bound on the reset's value). Antithetic normals; ``std_error`` reported.
    """

    paths: int = 20_000
    seed: int = 7
    steps_per_year: float = TRADING_DAYS_PER_YEAR
    model_reset: bool = False
    name: str = "mc"


Engine = LatticeEngine | MonteCarloEngine


def price(terms: ConvertibleTerms, market: MarketInputs,
          engine: Engine | Literal["lattice", "mc"] = "lattice") -> Valuation:
    """Price one convertible with an engine (``"lattice"``, ``"mc"`` or an engine object).

    Returns a :class:`Valuation` with the dirty model value, accrued interest, conversion value, the risky
    straight-bond floor, and ``defaults_used`` carried from the terms. See the module docstring for the
    model; ``seeds/timing-radar.txt §6.2``.
    """
    eng = _resolve_engine(engine)
    if isinstance(eng, LatticeEngine):
        frame = price_lattice([terms], [market], eng)
        row = frame.iloc[0]
        return Valuation(symbol=terms.symbol, value=float(row["value"]), accrued=float(row["accrued"]),
                         conversion_value=float(row["conversion_value"]), bond_floor=float(row["bond_floor"]),
                         engine=eng.name, defaults_used=terms.defaults_used)
    return _price_mc(terms, market, eng)


def _resolve_engine(engine: Engine | str) -> Engine:
    if isinstance(engine, LatticeEngine | MonteCarloEngine):
        return engine
    if engine == "lattice":
        return LatticeEngine()
    if engine == "mc":
        return MonteCarloEngine()
    raise ConfigError(explain("unknown convertible engine", "must be 'lattice', 'mc' or an engine object",
                              engine, "Pass engine='lattice'."))


# ----------------------------------------------------------------------------------------------------------
# Lattice: schedule building (per bond, small) and the vectorised kernel
# ----------------------------------------------------------------------------------------------------------
@dataclass
class _Grid:
    """Per-bond inputs of the kernel on a shared (B, N+1) grid."""

    S0: np.ndarray
    cr: np.ndarray
    K: np.ndarray
    T: np.ndarray
    r: np.ndarray
    q: np.ndarray
    sigma: np.ndarray
    lam: np.ndarray
    recovery_cash: np.ndarray
    cash: np.ndarray          # (B, N+1) payments at step i (coupons; redemption at N)
    accrued: np.ndarray       # (B, N+1)
    conv_ok: np.ndarray       # (B, N+1) bool
    call_ok: np.ndarray       # (B, N+1) bool
    call_level: np.ndarray    # (B,) stock level at/above which the call is active (0 = hard call)
    call_cash: np.ndarray     # (B, N+1) call price + accrued
    put_ok: np.ndarray        # (B, N+1) bool
    put_level: np.ndarray     # (B,)
    put_cash: np.ndarray      # (B, N+1)


def _build_grid(terms: list[ConvertibleTerms], markets: list[MarketInputs], steps: int,
                *, with_options: bool = True) -> _Grid:
    """Kernel inputs for all bonds at once: schedules padded to (B, K) and placed on the (B, N+1) grid with
    array operations (no per-bond loop beyond reading the frozen specs)."""
    B, N = len(terms), steps
    vo = np.fromiter((m.valuation_date.toordinal() for m in markets), float, B)
    mat = np.fromiter((t.maturity_date.toordinal() for t in terms), float, B)
    if len(markets) != B:
        raise ConfigError(explain("terms and markets differ in length", "need one market per bond",
                                  (B, len(markets)), "Pass aligned lists."))
    late = np.flatnonzero(vo >= mat)
    if late.size:
        t, v = terms[late[0]], markets[late[0]].valuation_date
        raise DataError(explain(f"cannot price {t.symbol}", "the valuation date must be before maturity",
                                f"{v} >= {t.maturity_date}", "Drop matured bonds before pricing."))
    S0 = np.fromiter((m.stock_price for m in markets), float, B)
    K = np.fromiter((t.conversion_price for t in terms), float, B)
    par = np.fromiter((t.par for t in terms), float, B)
    r = np.fromiter((m.rate for m in markets), float, B)
    q = np.fromiter((m.dividend_yield for m in markets), float, B)
    sig = np.fromiter((m.sigma for m in markets), float, B)
    lam = np.fromiter((m.default_intensity for m in markets), float, B)
    rec = np.fromiter((m.recovery for m in markets), float, B) * par
    T = (mat - vo) / DAYS_PER_YEAR
    # schedules padded to (B, Kmax): padding pays at +inf (never live, never counted before a time)
    sch = [_schedule(t) for t in terms]
    nk = np.fromiter((len(s.pay) for s in sch), np.int64, B)
    kmax = int(nk.max())
    pay = np.full((B, kmax), np.inf)
    start = np.full((B, kmax), np.inf)
    coupon = np.zeros((B, kmax))
    amount = np.zeros((B, kmax))
    for b, s in enumerate(sch):
        n_b = nk[b]
        pay[b, :n_b], start[b, :n_b], coupon[b, :n_b], amount[b, :n_b] = s.pay, s.start, s.coupon, s.amount
    cols = np.arange(kmax)[None, :]
    valid = cols < nk[:, None]
    pay_t = (pay - vo[:, None]) / DAYS_PER_YEAR
    start_t = (start - vo[:, None]) / DAYS_PER_YEAR
    live = valid & (pay_t > 0)
    with np.errstate(invalid="ignore"):
        idx = np.clip(np.rint(np.where(live, pay_t, 0.0) / T[:, None] * N), 1, N).astype(np.int64)
    idx[cols == (nk - 1)[:, None]] = N  # the redemption sits on the last step
    cash = np.zeros((B, N + 1))
    rows = np.broadcast_to(np.arange(B)[:, None], (B, kmax))
    np.add.at(cash, (rows[live], idx[live]), amount[live])
    # accrued interest at each step: coupon × (t − period start) / period length, within the live period
    times = np.linspace(0.0, 1.0, N + 1)[None, :] * T[:, None]
    k = np.zeros((B, N + 1), dtype=np.int64)
    for c in range(kmax):
        k += pay_t[:, c:c + 1] < times
    np.minimum(k, (nk - 1)[:, None], out=k)
    pk = np.take_along_axis(pay_t, k, axis=1)
    sk = np.take_along_axis(start_t, k, axis=1)
    period_len = np.maximum(pk - sk, 1e-12)
    accrued = np.take_along_axis(coupon, k, axis=1) * np.clip((times - sk) / period_len, 0.0, 1.0)
    conv_ok = np.zeros((B, N + 1), dtype=bool)
    call_ok = np.zeros((B, N + 1), dtype=bool)
    put_ok = np.zeros((B, N + 1), dtype=bool)
    call_level = np.full(B, np.inf)
    put_level = np.zeros(B)
    call_price = np.zeros(B)
    put_price = np.zeros(B)
    if with_options:
        conv_start = np.fromiter(((t.conversion_start - m.valuation_date).days for t, m in
                                  zip(terms, markets, strict=True)), float, B) / DAYS_PER_YEAR
        conv_ok = times >= (conv_start - 1e-12)[:, None]
        has_call = np.fromiter((t.call is not None for t in terms), bool, B)
        has_put = np.fromiter((t.put is not None for t in terms), bool, B)
        call_ok = conv_ok & has_call[:, None]
        call_ok[:, N] = False
        for b in np.flatnonzero(has_call):
            c = terms[b].call
            call_level[b] = c.trigger * terms[b].conversion_price
            call_price[b] = c.price * terms[b].par / 100.0
        put_years = np.zeros(B)
        for b in np.flatnonzero(has_put):
            p = terms[b].put
            put_years[b] = p.years
            put_level[b] = p.trigger * terms[b].conversion_price
            put_price[b] = p.price * terms[b].par / 100.0
        put_ok = (times >= (T - put_years - 1e-12)[:, None]) & has_put[:, None]
        put_ok[:, N] = False
    cr = np.where(with_options, par / K, 0.0)
    return _Grid(S0=S0, cr=cr, K=K, T=T, r=r, q=q, sigma=sig, lam=lam, recovery_cash=rec, cash=cash,
                 accrued=accrued, conv_ok=conv_ok, call_ok=call_ok, call_level=call_level,
                 call_cash=call_price[:, None] + accrued, put_ok=put_ok, put_level=put_level,
                 put_cash=put_price[:, None] + accrued)


@dataclass(frozen=True)
class _Schedule:
    pay: np.ndarray      # payment dates as ordinals
    start: np.ndarray    # accrual start ordinals
    coupon: np.ndarray   # coupon per period (currency per bond)
    amount: np.ndarray   # payment (coupon; redemption on the last)


@lru_cache(maxsize=8192)
def _schedule(terms: ConvertibleTerms) -> _Schedule:
    cf = terms.cash_flows()
    return _Schedule(pay=np.array([d.toordinal() for d in cf["date"].dt.date], dtype=float),
                     start=np.array([d.toordinal() for d in cf["start"].dt.date], dtype=float),
                     coupon=cf["coupon"].to_numpy(float), amount=cf["amount"].to_numpy(float))


def _lattice_kernel(g: _Grid, steps: int, vol_convention: VolConvention, smooth: bool = True,
                    bbs: bool = False) -> np.ndarray:
    """Backward induction over the whole cross-section; returns the root value per bond (dirty).

    All bonds share the grid shape; each has its own Δt = T_b / N, u_b, p_u, p_d. The node values live in
    one node-major ``(N+1, B)`` buffer, so the step-``i`` layer ``V[:i+1]`` is a contiguous block and every
    operation runs over contiguous rows of B bonds, in place, on preallocated buffers (no per-step
    allocation). The conversion value is carried node by node (``CR·S_{i,j} = u · CR·S_{i+1,j}``).
    """
    N = steps
    dt_ = g.T / N
    if vol_convention == "hull":
        var = g.sigma ** 2 - g.lam
        if np.any(var <= 0):
            raise ConfigError(explain("invalid volatility for Hull's convention", "σ² must exceed λ",
                                      float(np.min(var)), "Use vol_convention='diffusion'."))
        lnu = np.sqrt(var * dt_)
    else:
        lnu = g.sigma * np.sqrt(dt_)
    u = np.exp(lnu)
    d = 1.0 / u
    surv = np.exp(-g.lam * dt_)
    grow = np.exp((g.r - g.q) * dt_)
    pu = (grow - d * surv) / (u - d)
    pd_ = (u * surv - grow) / (u - d)
    if np.any(pu < 0) or np.any(pd_ < 0):
        bad = int(np.argmin(np.minimum(pu, pd_)))
        raise ConfigError(explain("lattice probabilities out of [0, 1]",
                                  "need d·e^{-λΔt} < e^{(r-q)Δt} < u·e^{-λΔt}",
                                  (float(pu[bad]), float(pd_[bad])), "Increase steps."))
    disc = np.exp(-g.r * dt_)
    a_u = disc * pu
    a_d = disc * pd_
    a_def = disc * (1.0 - surv) * g.recovery_cash
    # node-major (step, bond) copies of the per-step inputs
    step_cash = np.ascontiguousarray((a_def[:, None] + g.cash).T)  # recovery leg + payment at step i
    j = np.arange(N + 1)
    S = np.ascontiguousarray((g.S0[:, None] * np.exp((2 * j - N)[None, :] * lnu[:, None])).T)  # (N+1, B)
    conv = g.cr * S
    V = np.where(g.conv_ok[:, N], np.maximum(g.cash[:, N], conv), g.cash[:, N])
    tmp = np.empty_like(V)
    w = np.empty_like(V)
    call_col = g.call_ok.any(axis=0)
    put_col = g.put_ok.any(axis=0)
    conv_all = g.conv_ok.all(axis=0)
    conv_any = g.conv_ok.any(axis=0)
    if call_col.any():
        call_cash = np.ascontiguousarray(g.call_cash.T)
        call_okf = np.ascontiguousarray(g.call_ok.T, dtype=float)
    if put_col.any():
        put_cash = np.ascontiguousarray(g.put_cash.T)
        put_okf = np.ascontiguousarray(g.put_ok.T, dtype=float)
    # trigger weights without logs: ln(S_ij / L)/(2 ln u) + ½ = c_b + (2j − i)/2 with c_b = ln(S0/L)/(2 ln u) + ½
    with np.errstate(divide="ignore", invalid="ignore"):
        c_call = np.log(g.S0 / g.call_level) / (2.0 * lnu) + 0.5
        c_put = np.log(g.put_level / g.S0) / (2.0 * lnu) + 0.5
    c_put = np.where(np.isinf(g.put_level), np.inf, c_put)
    jj = j.astype(float)[:, None]
    for i in range(N - 1, -1, -1):
        n = i + 1
        Vi, ti, wi, ci = V[:n], tmp[:n], w[:n], conv[:n]
        ci *= u
        if bbs and i == N - 1:
            # analytic last step: surviving E[max(F, CR·S_T)] = F + CR·Black call(S e^{(r−q+λ)Δt}, F/CR, ln u)
            F = g.cash[:, N]
            with np.errstate(divide="ignore", invalid="ignore"):
                strike = F / g.cr
                fwd = (ci / g.cr) * (grow / surv)
                d1 = (np.log(fwd / strike) + 0.5 * lnu * lnu) / lnu
                call = fwd * ndtr(d1) - strike * ndtr(d1 - lnu)
            expect = np.where(g.conv_ok[:, N] & (g.cr > 0), F + g.cr * call, F)
            np.multiply(expect, disc * surv, out=Vi)
        else:
            np.multiply(V[1:n + 1], a_u, out=ti)
            np.multiply(Vi, a_d, out=Vi)
            Vi += ti
        Vi += step_cash[i]
        if not smooth:
            Si = S[:n]
            Si *= u
        k = jj[:n] - 0.5 * i  # (2j − i)/2 for j = 0..i
        if call_col[i]:
            # V += w (min(V, max(call cash, CR·S)) − V), w = share of the node's log-cell above the trigger
            np.maximum(ci, call_cash[i], out=ti)
            np.minimum(ti, Vi, out=ti)
            ti -= Vi
            if smooth:
                np.add(k, c_call, out=wi)
                np.clip(wi, 0.0, 1.0, out=wi)
            else:
                np.greater_equal(Si, g.call_level, out=wi)
            wi *= call_okf[i]
            ti *= wi
            Vi += ti
        if put_col[i]:
            np.maximum(Vi, put_cash[i], out=ti)
            ti -= Vi
            if smooth:
                np.subtract(c_put, k, out=wi)
                np.clip(wi, 0.0, 1.0, out=wi)
            else:
                np.less_equal(Si, g.put_level, out=wi)
            wi *= put_okf[i]
            ti *= wi
            Vi += ti
        if conv_all[i]:
            np.maximum(Vi, ci, out=Vi)
        elif conv_any[i]:
            np.maximum(Vi, np.where(g.conv_ok[:, i], ci, -np.inf), out=Vi)
    return V[0].copy()


def _floor_from_grid(g: _Grid, steps: int) -> np.ndarray:
    """Risky straight bond at the root: the recursion ``B_i = e^{−rΔt}(e^{−λΔt} B_{i+1} + (1 − e^{−λΔt}) R·par)
    + cash_i`` solved in closed form, ``B_0 = Σ_i a^i cash_i + e^{−rΔt}(1 − e^{−λΔt}) R·par Σ_{i<N} a^i`` with
    ``a = e^{−(r+λ)Δt}``."""
    dt_ = g.T / steps
    disc = np.exp(-g.r * dt_)
    surv = np.exp(-g.lam * dt_)
    a = (disc * surv)[:, None]
    powers = a ** np.arange(steps + 1)[None, :]
    rec_leg = disc * (1.0 - surv) * g.recovery_cash * powers[:, :steps].sum(axis=1)
    return (powers * g.cash).sum(axis=1) + rec_leg


def straight_bond_value(terms: list[ConvertibleTerms], markets: list[MarketInputs], steps: int) -> np.ndarray:
    """Risky straight-bond value (the bond floor) on the lattice's time grid, without a stock dimension:
    ``B_i = e^{−rΔt}(e^{−λΔt} B_{i+1} + (1 − e^{−λΔt}) R·par) + cash_i`` — Hull's tree with CR = 0."""
    return _floor_from_grid(_build_grid(terms, markets, steps, with_options=False), steps)


def price_lattice(terms: list[ConvertibleTerms], markets: list[MarketInputs],
                  engine: LatticeEngine | None = None) -> pd.DataFrame:
    """Price many bonds at once with the lattice (one vectorised backward induction).

    Returns one row per bond: symbol, value (dirty), accrued, clean, conversion_value (``CR·S``),
    bond_floor (risky straight bond, :func:`straight_bond_value`), defaults_used (comma-joined).
    """
    eng = engine or LatticeEngine()
    if len(terms) != len(markets):
        raise ConfigError(explain("terms and markets differ in length", "need one market per bond",
                                  (len(terms), len(markets)), "Pass aligned lists."))
    if not terms:
        return pd.DataFrame(columns=["symbol", "value", "accrued", "clean", "conversion_value", "bond_floor",
                                     "defaults_used"])
    g = _build_grid(terms, markets, eng.steps)
    value = _lattice_kernel(g, eng.steps, eng.vol_convention, eng.smooth_triggers, eng.terminal_smoothing)
    floor = _floor_from_grid(g, eng.steps)
    if eng.richardson:
        half = max(eng.steps // 2, 1)
        if half == eng.steps:
            raise ConfigError(explain("Richardson extrapolation needs steps ≥ 2", "steps // 2 must be ≥ 1",
                                      eng.steps, "Use steps=50 or more."))
        coarse = _lattice_kernel(_build_grid(terms, markets, half), half, eng.vol_convention,
                                 eng.smooth_triggers, eng.terminal_smoothing)
        value = 2.0 * value - coarse
    return pd.DataFrame({
        "symbol": [t.symbol for t in terms],
        "value": value,
        "accrued": g.accrued[:, 0],
        "clean": value - g.accrued[:, 0],
        "conversion_value": g.cr * g.S0,
        "bond_floor": floor,
        "defaults_used": [",".join(t.defaults_used) for t in terms],
    })


# ----------------------------------------------------------------------------------------------------------
# Monte Carlo (least squares) engine
# ----------------------------------------------------------------------------------------------------------
def _rolling_count(flags: np.ndarray, n: int) -> np.ndarray:
    """Count of True in the trailing window of ``n`` steps (inclusive), along axis 1. flags: (P, T)."""
    c = np.cumsum(flags, axis=1, dtype=np.int32)
    out = c.copy()
    out[:, n:] -= c[:, :-n]
    return out


def _lsm_continuation(V: np.ndarray, x: np.ndarray, c: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Regressed continuation value on ``mask`` paths (basis 1, x, x², x³, c, c·x); +inf elsewhere."""
    cont = np.full(V.shape, np.inf)
    if mask.sum() <= 12:
        return cont
    xs, cs = x[mask], c[mask]
    X = np.column_stack([np.ones(xs.size), xs, xs * xs, xs ** 3, cs, cs * xs])
    beta, *_ = np.linalg.lstsq(X, V[mask], rcond=None)
    cont[mask] = X @ beta
    return cont


def _price_mc(terms: ConvertibleTerms, market: MarketInputs, eng: MonteCarloEngine) -> Valuation:
    v = market.valuation_date
    if v >= terms.maturity_date:
        raise DataError(explain(f"cannot price {terms.symbol}", "the valuation date must be before maturity",
                                f"{v} >= {terms.maturity_date}", "Drop matured bonds before pricing."))
    T = (terms.maturity_date - v).days / DAYS_PER_YEAR
    n_steps = max(int(math.ceil(T * eng.steps_per_year)), 1)
    dt_ = T / n_steps
    times = np.arange(n_steps + 1) * dt_
    half = eng.paths // 2
    P = 2 * half
    rng = np.random.default_rng(eng.seed)
    z = rng.standard_normal((half, n_steps))
    z = np.concatenate([z, -z])
    lam, r, q, sig = market.default_intensity, market.rate, market.dividend_yield, market.sigma
    # surviving stock grows at r − q + λ so that E[S] (defaulted paths at 0) grows at r − q
    incr = (r - q + lam - 0.5 * sig * sig) * dt_ + sig * math.sqrt(dt_) * z
    logS = np.concatenate([np.zeros((P, 1)), np.cumsum(incr, axis=1)], axis=1)
    S = market.stock_price * np.exp(logS)
    # default step: first step whose interval contains τ ~ Exp(λ); beyond maturity → n_steps + 1
    if lam > 0:
        tau = rng.exponential(1.0 / lam, size=P)
        def_step = np.ceil(tau / dt_).astype(np.int64)
    else:
        def_step = np.full(P, n_steps + 10, dtype=np.int64)

    # schedules on the daily grid (same placement rules as the lattice)
    cf = terms.cash_flows()
    pay_t = cf["date"].dt.date.map(lambda d: (d - v).days).to_numpy(float) / DAYS_PER_YEAR
    start_t = cf["start"].dt.date.map(lambda d: (d - v).days).to_numpy(float) / DAYS_PER_YEAR
    cash = np.zeros(n_steps + 1)
    live = pay_t > 0
    idx = np.clip(np.rint(pay_t[live] / dt_).astype(int), 1, n_steps)
    idx[-1] = n_steps
    np.add.at(cash, idx, cf["amount"].to_numpy(float)[live])
    k = np.searchsorted(pay_t, times, side="left").clip(0, len(pay_t) - 1)
    accrued = cf["coupon"].to_numpy(float)[k] * np.clip(
        (times - start_t[k]) / np.maximum(pay_t[k] - start_t[k], 1e-12), 0.0, 1.0)
    conv_ok = times >= (terms.conversion_start - v).days / DAYS_PER_YEAR - 1e-12

    K = np.full((P, n_steps + 1), terms.conversion_price)
    if eng.model_reset and terms.reset is not None:
        rs = terms.reset
        below = S < rs.trigger * K
        cnt = _rolling_count(below, rs.n)
        hit = (cnt >= rs.m) & conv_ok[None, :]
        first = np.where(hit.any(axis=1), hit.argmax(axis=1), n_steps + 1)
        new_k = np.maximum(rs.floor * S[np.arange(P), np.minimum(first, n_steps)], 1e-12)
        after = np.arange(n_steps + 1)[None, :] >= first[:, None]
        K = np.where(after, np.minimum(K, new_k[:, None]), K)
    cr = terms.par / K
    conv = cr * S

    called = np.zeros((P, n_steps + 1), dtype=bool)
    call_cnt = np.zeros((P, n_steps + 1))
    if terms.call is not None:
        c = terms.call
        flag = S >= c.trigger * K
        cnt = _rolling_count(flag, c.n)
        call_cnt = cnt / c.n
        called = (cnt >= c.m) & conv_ok[None, :] & (c.trigger > 0)
        called[:, n_steps] = False
    putable = np.zeros((P, n_steps + 1), dtype=bool)
    put_cnt = np.zeros((P, n_steps + 1))
    if terms.put is not None:
        p = terms.put
        flag = S <= p.trigger * K
        cnt = _rolling_count(flag, p.n)
        put_cnt = cnt / p.n
        putable = (cnt >= p.m) & (times >= T - p.years - 1e-12)[None, :]
        putable[:, n_steps] = False
    call_cash = (terms.call.price * terms.par / 100.0 if terms.call else 0.0) + accrued
    put_cash = (terms.put.price * terms.par / 100.0 if terms.put else 0.0) + accrued
    rec = market.recovery * terms.par
    disc = math.exp(-r * dt_)

    alive_end = def_step > n_steps
    V = np.where(alive_end, np.maximum(cash[n_steps], np.where(conv_ok[n_steps], conv[:, n_steps], 0.0)), 0.0)
    V = np.where(def_step == n_steps, rec, V)
    for i in range(n_steps - 1, -1, -1):
        V = V * disc
        alive = def_step > i
        V = np.where(def_step == i, rec, V)  # default in (t_{i-1}, t_i]: recovery paid at t_i
        V = np.where(alive, V + cash[i], V)
        if i == 0:
            break
        hard_call = terms.call is not None and terms.call.trigger == 0 and conv_ok[i]
        if conv_ok[i] or hard_call or putable[:, i].any():
            conv_i = np.where(conv_ok[i], conv[:, i], 0.0)
            x_all = S[:, i] / K[:, i]
            c_all = call_cnt[:, i] - put_cnt[:, i]
            # conversion: regress on paths in the money (CR·S above 90 % of par), the usual LSM restriction
            cont_conv = _lsm_continuation(V, x_all, c_all, alive & (conv_i > 0.9 * terms.par))
            cont_all = _lsm_continuation(V, x_all, c_all, alive) if (hard_call or putable[:, i].any()) \
                else cont_conv
            issuer_calls = called[:, i] | (hard_call & (cont_all > np.maximum(call_cash[i], conv_i)))
            converts = conv_ok[i] & (conv_i > cont_conv)
            puts = putable[:, i] & (put_cash[i] > np.maximum(cont_all, conv_i))
            V = np.where(alive & puts & ~issuer_calls, put_cash[i], V)
            V = np.where(alive & converts & ~issuer_calls, conv_i, V)
            V = np.where(alive & issuer_calls, np.maximum(call_cash[i], conv_i), V)
        else:
            V = np.where(alive & called[:, i], np.maximum(call_cash[i], conv[:, i]), V)
    # t = 0: conversion now if allowed
    value_paths = V
    value = float(value_paths.mean())
    pair = 0.5 * (value_paths[:half] + value_paths[half:])
    se = float(pair.std(ddof=1) / math.sqrt(half))
    cv0 = terms.par / terms.conversion_price * market.stock_price
    if conv_ok[0]:
        value = max(value, cv0)
    floor = straight_bond_value([terms], [market], max(n_steps, 50))[0]
    return Valuation(symbol=terms.symbol, value=value, accrued=float(accrued[0]), conversion_value=cv0,
                     bond_floor=float(floor), engine=eng.name, defaults_used=terms.defaults_used,
                     std_error=se, details={"steps": float(n_steps), "paths": float(P)})


# ----------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------
def _check_positive(name: str, value: float) -> None:
    if not np.isfinite(value) or value <= 0:
        raise ConfigError(explain(f"invalid {name}", "must be positive and finite", value, f"Pass a positive {name}."))


def _check_m_of_n(symbol: str, clause: str, m: int, n: int) -> None:
    if not (1 <= m <= n):
        raise DataError(explain(f"bad terms for {symbol}: {clause}_m/{clause}_n", "need 1 ≤ m ≤ n", (m, n),
                                "Write the clause as m of n trading days, e.g. 15 of 30."))


def _as_date(value: object, symbol: str, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise DataError(explain(f"bad terms for {symbol}: {name}", "must be a date", value,
                                "Use ISO dates.")) from exc
    if pd.isna(ts):
        raise DataError(explain(f"bad terms for {symbol}: {name}", "must be a date", value, "Fill the date."))
    return ts.date()


def _anniversary(issue: dt.date, k: int) -> dt.date:
    return (pd.Timestamp(issue) + pd.DateOffset(years=k)).date()


def _coupon_years(issue: dt.date, maturity: dt.date) -> int:
    """Number of coupon periods: anniversaries up to maturity (a stub within 30 days counts as the last)."""
    n = 0
    while _anniversary(issue, n + 1) <= maturity + dt.timedelta(days=30):
        n += 1
    return max(n, 1)
