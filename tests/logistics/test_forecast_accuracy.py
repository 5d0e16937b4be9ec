"""The vectorised forecast is as accurate on a hold-out as per-series statsmodels Holt-Winters
(fitted by maximum likelihood per SKU) on a sample of synthetic SKUs with trend, weekly
seasonality and Poisson noise. statsmodels is a dev dependency used only here."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from apps.logistics import forecast as fc

statsmodels = pytest.importorskip("statsmodels.tsa.holtwinters")


def _sample(n=24, days=364, seed=7):
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    base = rng.uniform(2, 30, n)[:, None]
    slope = rng.normal(0, 0.002, n)[:, None]
    week = 1 + rng.uniform(0.1, 0.5, n)[:, None] * np.sin(
        2 * np.pi * (t + rng.integers(0, 7, n)[:, None]) / 7
    )
    return rng.poisson(np.clip(base * week * (1 + slope * t), 0.1, None)).astype(np.float32)


def test_holdout_mae_matches_per_series_statsmodels():
    y = _sample()
    ours = fc.forecast(y, np.ones_like(y, dtype=bool), horizon=7)
    h = fc.HOLDOUT
    theirs = []
    for series in y.astype(float):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = statsmodels.ExponentialSmoothing(
                series[:-h], trend="add", damped_trend=True, seasonal="add", seasonal_periods=7
            ).fit()
        theirs.append(np.abs(model.forecast(h) - series[-h:]).mean())
    our_mae = float(np.nanmean(ours.holdout_mae))
    their_mae = float(np.mean(theirs))
    assert our_mae <= their_mae * 1.10, (our_mae, their_mae)
