"""Signals the ads module sends for the layers above it (analytics listens; ads imports none).

`ad_spend_changed` is sent inside the transaction that changed what
`selectors.ad_spend_by_product_day` returns for past days: a search-term report (re)imported
(its stored rows of the overlapped periods replaced), or a bulk file that links ad groups to
other listings (every day's split of spend among products may move). A receiver records the
change in the same transaction, so it is committed or rolled back with it.

Arguments: `org_id`; `store_id`; `first_day` and `last_day` (dates, inclusive), both None when
every day may have changed.
"""

from __future__ import annotations

from django.dispatch import Signal

ad_spend_changed = Signal()


def ad_spend_changed_send(*, org_id: int, store_id: int, first_day=None, last_day=None) -> None:
    ad_spend_changed.send(
        sender="ads", org_id=org_id, store_id=store_id, first_day=first_day, last_day=last_day
    )
