"""Buyer and address keys of order files: short stable digests the risk rules group on.

One place for all order parsers (Amazon, Shopify, generic order lines) so an order keys the
same whichever file brought it, and the API's bulk upsert (apps.orders.bulk) mirrors it.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd


def keys(text: pd.Series) -> pd.Series:
    """A short stable digest per distinct text (hashing once per distinct value, not per row)."""
    codes, distinct = pd.factorize(text)
    digests = np.array(
        [hashlib.blake2b(t.encode("utf-8"), digest_size=12).hexdigest() for t in distinct],
        dtype=object,
    )
    return pd.Series(digests[codes] if len(distinct) else [], index=text.index, dtype=object)


def address_keys(
    country: pd.Series, postal: pd.Series, city: pd.Series, street: pd.Series
) -> pd.Series:
    """Digest of country|postal code|city|street (normalised by the caller, city lowered here),
    empty where a row has no address at all: hashing a bare country would put every
    address-less order of a country on one "address" and trip the many-orders-to-one-address
    rule for all of them."""
    address = keys(country + "|" + postal + "|" + city.str.lower() + "|" + street)
    known = (postal != "") | (city != "") | (street != "")
    return address.where(known, "")
