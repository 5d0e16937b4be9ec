"""Demand forecast for every SKU at once: additive Holt-Winters (damped trend + weekly
seasonality) as NumPy arrays, one pass over the days for all series, no model fit per series.

    ŷ_t   = ℓ_{t-1} + φ b_{t-1} + s_{t-7}
    y*_t  = y_t where the day counts, else ŷ_t      (stock-out days carry no information)
    ℓ_t   = α (y*_t − s_{t-7}) + (1 − α)(ℓ_{t-1} + φ b_{t-1})
    b_t   = β (ℓ_t − ℓ_{t-1}) + (1 − β) φ b_{t-1}
    s_t   = γ (y*_t − ℓ_t) + (1 − γ) s_{t-7}
    ŷ_{T+h} = ℓ_T + (φ + … + φ^h) b_T + s_{T+h-7k}

Parameters are chosen per SKU from a small grid by backtest: every grid point runs on the
history up to 56 days before the end (the grid is one more array axis), each SKU keeps the point
with the lowest MAE over days −56…−29. The chosen parameters then run once over the whole
history; the forecast they made at day −28 is scored on the last 28 days (hold-out MAE and
WAPE, days not used for choosing), the state at the end forecasts the future. float32 halves
the memory traffic, which is what a pass over 100,000 × 365 costs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

SEASON = 7
HOLDOUT = 28
PHI = np.float32(0.95)
ALPHAS = (0.05, 0.15, 0.35)
BETAS = (0.0, 0.03)
GAMMAS = (0.05, 0.25)
GRID = np.array(list(itertools.product(ALPHAS, BETAS, GAMMAS)), dtype=np.float32)


@dataclass
class State:
    level: np.ndarray  # (..., n)
    trend: np.ndarray
    season: list[np.ndarray]  # SEASON arrays (..., n), by day index mod 7


@dataclass
class Forecast:
    """Per SKU: the forecast (n, horizon), chosen parameters (n, 3), hold-out errors."""

    values: np.ndarray
    params: np.ndarray
    holdout_mae: np.ndarray  # per SKU (NaN when the hold-out had no valid day)
    holdout_abs: float  # sums over all SKUs, for MAE and WAPE of the whole run
    holdout_actual: float
    holdout_days: int
    residual_sd: np.ndarray  # one-step-ahead error sd on valid days (demand variability)

    @property
    def mae(self) -> float | None:
        return self.holdout_abs / self.holdout_days if self.holdout_days else None

    @property
    def wape(self) -> float | None:
        return self.holdout_abs / self.holdout_actual if self.holdout_actual > 0 else None


def initial_state(y: np.ndarray, valid: np.ndarray) -> State:
    """Level from the first two weeks' valid days, trend from their difference, seasonal
    offsets as each weekday's mean deviation (0 for a weekday never valid)."""
    n = y.shape[0]
    w = valid[:, : 2 * SEASON].astype(np.float32)
    v = y[:, : 2 * SEASON] * w
    count = w.sum(axis=1)
    level = np.where(count > 0, v.sum(axis=1) / np.maximum(count, 1), 0).astype(np.float32)
    c1, c2 = w[:, :SEASON].sum(axis=1), w[:, SEASON:].sum(axis=1)
    m1 = v[:, :SEASON].sum(axis=1) / np.maximum(c1, 1)
    m2 = v[:, SEASON:].sum(axis=1) / np.maximum(c2, 1)
    trend = np.where((c1 > 0) & (c2 > 0), (m2 - m1) / SEASON, 0).astype(np.float32)
    season = []
    for j in range(SEASON):
        cols = [j, j + SEASON]
        wj = w[:, cols]
        dev = ((y[:, cols] - level[:, None]) * wj).sum(axis=1) / np.maximum(wj.sum(axis=1), 1)
        season.append(dev.astype(np.float32) if n else np.zeros(0, np.float32))
    mean_s = sum(season) / SEASON
    season = [s - mean_s for s in season]
    return State(level, trend, season)


def _broadcast(state: State, shape: tuple[int, ...]) -> State:
    return State(
        np.broadcast_to(state.level, shape).copy(),
        np.broadcast_to(state.trend, shape).copy(),
        [np.broadcast_to(s, shape).copy() for s in state.season],
    )


def _take(state: State, cols: slice) -> State:
    return State(state.level[cols], state.trend[cols], [s[cols] for s in state.season])


def run(
    y: np.ndarray,
    valid: np.ndarray,
    state: State,
    alpha: np.ndarray,
    beta: np.ndarray,
    gamma: np.ndarray,
    start: int,
    stop: int,
    *,
    score_from: int | None = None,
    snapshot_at: int | None = None,
) -> tuple[State, np.ndarray, np.ndarray, State | None]:
    """Advance `state` over days [start, stop) of `y` (n × T). Returns the state, the sum of
    squared one-step errors on valid days from `score_from` and their count, and a copy of the
    state at day `snapshot_at` (before that day is seen)."""
    y_days = np.ascontiguousarray(np.asarray(y, np.float32).T)
    ok_days = np.ascontiguousarray(np.asarray(valid).T).astype(np.float32)
    return run_days(
        y_days,
        ok_days,
        state,
        alpha,
        beta,
        gamma,
        start,
        stop,
        score_from=score_from,
        snapshot_at=snapshot_at,
    )


def run_days(
    y: np.ndarray,
    ok: np.ndarray,
    state: State,
    alpha: np.ndarray,
    beta: np.ndarray,
    gamma: np.ndarray,
    start: int,
    stop: int,
    *,
    score_from: int | None = None,
    snapshot_at: int | None = None,
) -> tuple[State, np.ndarray, np.ndarray, State | None]:
    """`run` over day-major data: `y` and `ok` (1.0 valid, 0.0 not) are T × n, so one day
    of every series is one contiguous row. Error-correction form of the same recursions
    (e = y − ŷ, zero on days that do not count, so the state advances on its forecast):

        ℓ ← ℓ + φb + α e      b ← φb + αβ e      s ← s + γ(1−α) e

    in place on preallocated float32 buffers: a handful of NumPy calls per day, no
    temporaries."""
    level, trend = state.level.astype(np.float32), state.trend.astype(np.float32)
    season = [s.astype(np.float32) for s in state.season]
    shape = level.shape
    alpha = np.asarray(alpha, np.float32)
    ab = (alpha * np.asarray(beta, np.float32)).astype(np.float32)
    ga = (np.asarray(gamma, np.float32) * (1 - alpha)).astype(np.float32)
    sse = np.zeros(shape, np.float32)
    cnt = np.zeros(shape, np.float32)
    damped = np.empty(shape, np.float32)
    err = np.empty(shape, np.float32)
    tmp = np.empty(shape, np.float32)
    snap = None
    for t in range(start, stop):
        if t == snapshot_at:
            snap = State(level.copy(), trend.copy(), [s.copy() for s in season])
        s = season[t % SEASON]
        np.multiply(trend, PHI, out=damped)
        np.add(level, damped, out=level)  # ℓ + φb (the level's forecast)
        np.subtract(y[t], level, out=err)
        np.subtract(err, s, out=err)
        np.multiply(err, ok[t], out=err)  # e, 0 where the day does not count
        if score_from is not None and t >= score_from:
            np.multiply(err, err, out=tmp)
            np.add(sse, tmp, out=sse)
            np.add(cnt, ok[t], out=cnt)
        np.multiply(alpha, err, out=tmp)
        np.add(level, tmp, out=level)
        np.multiply(ab, err, out=tmp)
        np.add(damped, tmp, out=trend)
        np.multiply(ga, err, out=tmp)
        np.add(s, tmp, out=s)
    return State(level, trend, season), sse, cnt, snap


def predict(state: State, start: int, horizon: int) -> np.ndarray:
    """Forecasts for days start … start+horizon−1 from the state just before `start`, floored
    at zero (demand is never negative)."""
    damp = np.cumsum(PHI ** np.arange(1, horizon + 1, dtype=np.float32))
    out = np.empty((*state.level.shape, horizon), np.float32)
    for h in range(horizon):
        out[..., h] = state.level + damp[h] * state.trend + state.season[(start + h) % SEASON]
    return np.maximum(out, 0)


# Series per block of the grid pass: bounds its buffers (12 grid points × CHUNK series each)
# to a few MB instead of 12 × n; measured, the block size changes little else.
CHUNK = 4096


def forecast(
    y: np.ndarray, valid: np.ndarray, *, horizon: int = 90, grid: np.ndarray = GRID
) -> Forecast:
    """Forecast `horizon` days after the last column of `y` (n × T units per day); `valid` is
    False on days that do not count (stock-outs, before the SKU was listed). Day-major arrays
    (`y = m.T` of a T × n `m`) are used as they are, others transposed once."""
    y_days = np.ascontiguousarray(np.asarray(y).T, dtype=np.float32)
    valid_days = np.ascontiguousarray(np.asarray(valid).T, dtype=bool)
    n = y_days.shape[1]
    init = initial_state(y, valid)
    values = np.empty((n, horizon), np.float32)
    params = np.empty((n, 3), np.float32)
    holdout_mae = np.full(n, np.nan, np.float32)
    residual_sd = np.empty(n, np.float32)
    abs_sum = actual_sum = 0.0
    days = 0
    width = CHUNK * max(1, len(grid))
    for c0 in range(0, n, width):
        cols = slice(c0, min(n, c0 + width))
        ok = valid_days[:, cols].astype(np.float32)
        yc = np.ascontiguousarray(y_days[:, cols])
        best = np.zeros(cols.stop - c0, dtype=np.int64)
        for g0 in range(0, cols.stop - c0, CHUNK):
            sub = slice(g0, g0 + CHUNK)
            best[sub] = _choose(yc[:, sub], ok[:, sub], _take(init, _shift(cols, sub)), grid)
        params[cols] = grid[best]
        out = _final(yc, ok, _take(init, cols), params[cols], horizon)
        values[cols], holdout_mae[cols], residual_sd[cols] = out[0], out[1], out[2]
        abs_sum += out[3]
        actual_sum += out[4]
        days += out[5]
    return Forecast(values, params, holdout_mae, abs_sum, actual_sum, days, residual_sd)


def _shift(outer: slice, inner: slice) -> slice:
    return slice(outer.start + inner.start, outer.start + inner.stop)


def _choose(y: np.ndarray, ok: np.ndarray, init: State, grid: np.ndarray) -> np.ndarray:
    """Index of the grid point with the lowest MAE over days −56…−29 per series (T × c)."""
    T, c = y.shape
    select_end = T - 2 * HOLDOUT
    if select_end <= 2 * SEASON or len(grid) <= 1:
        return np.zeros(c, dtype=np.int64)
    g = grid[:, :, None]  # (G, 3, 1) broadcast over series
    state = _broadcast(init, (len(grid), c))
    state, _, _, _ = run_days(y, ok, state, g[:, 0], g[:, 1], g[:, 2], 0, select_end)
    pred = predict(state, select_end, HOLDOUT)  # (G, c, H)
    win = slice(select_end, select_end + HOLDOUT)
    err = np.abs(pred - y[win].T[None]) * ok[win].T[None]
    mae = err.sum(axis=2) / np.maximum(ok[win].sum(axis=0), 1)
    return np.argmin(mae, axis=0)


def _final(y: np.ndarray, ok: np.ndarray, init: State, params: np.ndarray, horizon: int):
    """The chosen parameters over the whole history: forecast, per-series hold-out MAE and
    residual sd, and the block's hold-out sums."""
    T, c = y.shape
    hold_start = T - HOLDOUT
    state, sse, cnt, snap = run_days(
        y,
        ok,
        _broadcast(init, (c,)),
        params[:, 0],
        params[:, 1],
        params[:, 2],
        0,
        T,
        score_from=max(2 * SEASON, T - 8 * SEASON),
        snapshot_at=hold_start if hold_start > 0 else None,
    )
    holdout_mae = np.full(c, np.nan, np.float32)
    abs_sum = actual_sum = 0.0
    days = 0
    if snap is not None:
        win = slice(hold_start, T)
        pred = predict(snap, hold_start, HOLDOUT)
        vmask = ok[win].T
        actual = y[win].T
        abs_err = np.abs(pred - actual) * vmask
        per = vmask.sum(axis=1)
        holdout_mae = np.where(per > 0, abs_err.sum(axis=1) / np.maximum(per, 1), np.nan)
        abs_sum = float(abs_err.sum(dtype=np.float64))
        actual_sum = float((actual * vmask).sum(dtype=np.float64))
        days = int(per.sum())
    values = predict(state, T, horizon)
    residual_sd = np.sqrt(sse / np.maximum(cnt, 1))
    return values, holdout_mae, residual_sd, abs_sum, actual_sum, days
