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


# Amount columns are numeric(14, 4): anything from here up cannot be stored.
MAX_AMOUNT = Decimal(10) ** 10


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit (whole yen, cents elsewhere)."""
    exp = Decimal("1") if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return Decimal(amount).quantize(exp, rounding=ROUND_HALF_UP)


def positive_amount(amount, currency: str, *, field: str = "price") -> Decimal:
    """`amount` rounded to `currency`, refused unless still above zero after rounding.

    Rounding comes first: 0.001 USD checked before rounding passes "> 0" and is then stored as
    0.00. Every write path of a price (API, editor, import, an approved draft) calls this.
    """
    from .errors import ValidationFailed

    try:
        value = Decimal(str(amount).strip())
    except ArithmeticError as exc:
        raise ValidationFailed(f"{field}: not an amount.", field=field) from exc
    if not value.is_finite():
        raise ValidationFailed(f"{field}: not an amount.", field=field)
    if abs(value) >= MAX_AMOUNT:
        raise ValidationFailed(f"{field}: must be less than {MAX_AMOUNT:,}.", field=field)
    rounded = quantize(value, currency)
    if rounded <= 0:
        raise ValidationFailed(
            f"{field}: must be more than zero {currency} after rounding ({rounded}).", field=field
        )
    return rounded
