"""The auto-approve rule: when a policy lets a draft apply without review. One rule, one owner.

Three paths decide with it: `draft_create` (one draft, Decimals), the set-based draft services
and bulk jobs, and the repricer (a million offers at once, as integer arrays). The rule is the
same in both forms and exact in both (no float rounding at the edge of the limit):

    allowed  ⇔  old > 0  and  |new − old| × 100 ≤ old × max_change_pct

A policy without a limit never auto-applies a change of a value (`max_change_pct` is NULL), and
an unknown or zero old value never does either.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from .models import Policy

if TYPE_CHECKING:
    from apps.accounts.models import Organization

# max_change_pct has two decimals: in hundredths of a percent it is an exact integer.
_BP = 100


def policy_active(*, org: Organization, kind: str) -> Policy | None:
    """The organization's auto-approving policy for `kind`, or None (review everything)."""
    return Policy.objects.for_org(org).filter(kind=kind, auto_approve=True).first()


def change_within_limit(
    *, max_change_pct: Decimal | None, old: Decimal | None, new: Decimal | None
) -> tuple[bool, str]:
    """The rule for one change, with the reason shown in the draft's history."""
    if max_change_pct is None or old is None or new is None or old <= 0:
        return False, ""
    if abs(new - old) * 100 <= old * max_change_pct:
        change = abs(new - old) / old * 100
        return True, f"change {change:.2f}% within ±{max_change_pct}%"
    return False, ""


def changes_within_limit(
    *, max_change_pct: Decimal | None, old: np.ndarray, new: np.ndarray
) -> np.ndarray:
    """The rule for many changes: `old` and `new` are integer arrays in one fixed-point unit
    (e.g. 1/10000 of a currency unit); a non-positive `old` means unknown. Exact integer math."""
    old = np.asarray(old, dtype=np.int64)
    new = np.asarray(new, dtype=np.int64)
    if max_change_pct is None:
        return np.zeros(len(old), dtype=bool)
    limit = int((Decimal(max_change_pct) * _BP).to_integral_value())
    return (old > 0) & (np.abs(new - old) * (100 * _BP) <= old * limit)
