"""Money is Decimal with an explicit ISO 4217 currency, stored as two columns."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import RegexValidator
from django.db import models

# Currencies sellers and marketplaces use; extend as markets are added.
CURRENCIES = frozenset(
    [
        "AED",
        "AUD",
        "BRL",
        "CAD",
        "CHF",
        "CNY",
        "CZK",
        "DKK",
        "EUR",
        "GBP",
        "HKD",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "JPY",
        "KRW",
        "MXN",
        "MYR",
        "NOK",
        "NZD",
        "PHP",
        "PLN",
        "RON",
        "SAR",
        "SEK",
        "SGD",
        "THB",
        "TRY",
        "TWD",
        "USD",
        "VND",
        "ZAR",
    ]
)
# Minor units differ: yen and won have none.
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "HUF", "TWD", "IDR"})

currency_validator = RegexValidator(r"^[A-Z]{3}$", "Use an ISO 4217 code such as USD.")


def MoneyField(**kwargs) -> models.DecimalField:
    """An amount column; always paired with a currency column on the same model."""
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 4)
    return models.DecimalField(**kwargs)


def CurrencyField(**kwargs) -> models.CharField:
    kwargs.setdefault("max_length", 3)
    kwargs.setdefault("validators", [currency_validator])
    return models.CharField(**kwargs)


def currency_check(field: str, model_name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__regex": r"^[A-Z]{3}$"}),
        name=f"{model_name}_{field}_iso",
    )


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit (whole yen, cents elsewhere)."""
    exp = Decimal("1") if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return Decimal(amount).quantize(exp, rounding=ROUND_HALF_UP)
