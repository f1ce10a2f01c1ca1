"""The hashes of imported outcomes: a keyed hash for each customer reference, a row hash for
each imported row.

Customer references are replaced by a keyed hash (:func:`customer_hasher`, derived from the
server key) before anything is stored. Each row is stored with a hash over the columns the
importer hashes (:data:`CSAT_HASHED`, :data:`SALE_HASHED`), so a row imported again with the
same content is skipped and one with other values is a problem. A row whose customer hash the
retention run removed keeps a hash computed without the customer (:func:`bare_row_hashes`).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from ee_app.config import Settings
from ee_app.keys import derive, secret_key

__all__ = [
    "CSAT_HASHED",
    "SALE_HASHED",
    "bare_row_hashes",
    "customer_hasher",
    "hash_customers",
    "row_hashes",
    "text_cell",
]


#: The columns a row hash covers, in order (sales add ``"staff"``, the serving staff's ids in
#: numeric order joined by commas).
CSAT_HASHED = ("staff_id", "store_id", "service_date", "score", "scale", "touchpoint", "customer")


SALE_HASHED = ("customer", "store_id", "sold_on", "amount", "item", "category", "owner_staff_id")


def _customer_hash(key: bytes, reference: str) -> str:
    clean = unicodedata.normalize("NFKC", reference).replace(" ", "").replace("-", "")
    # hmac.digest: the one-shot C path, the same value as hmac.new(…).hexdigest()
    return hmac.digest(key, clean.lower().encode(), "sha256").hex()[:32]


def customer_hasher(settings: Settings) -> Callable[[str | None], str | None]:
    """The keyed hash that stands in for a customer reference everywhere in the database.

    References are normalised first (full-width to ASCII, spaces and dashes removed, lower
    case), so "138-0013-8000" and "13800138000" are the same customer.
    """
    key = derive(secret_key(settings), "customer")
    cache: dict[str, str] = {}

    def hashed(reference: str | None) -> str | None:
        if reference is None:
            return None
        found = cache.get(reference)
        if found is None:
            found = cache[reference] = _customer_hash(key, reference)
        return found

    return hashed


def hash_customers(settings: Settings, references: Sequence[object]) -> list[str | None]:
    """:func:`customer_hasher` of a whole column, each distinct reference hashed once (a year
    of sales names each customer several times); missing cells stay None."""
    codes, uniques = pd.factorize(np.asarray(references, dtype=object), use_na_sentinel=True)
    key = derive(secret_key(settings), "customer")
    texts = (text_cell(u) for u in uniques)
    mapped = [None if t is None else _customer_hash(key, t) for t in texts]
    return np.array([*mapped, None], dtype=object)[codes].tolist()  # code -1 (missing): None


def text_cell(value: object) -> str | None:
    """A text cell, or None for a missing one (pandas writes missing text as NaN)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _canonical(value: object) -> str:
    """The same text for the same value whatever column type pandas chose (1 and 1.0)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _row_hash(values: Iterable[object]) -> str:
    text = "\x1f".join(_canonical(v) for v in values)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def row_hashes(rows: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """:func:`_row_hash` of every row over ``columns``, with each column's distinct values
    made canonical once (a million sales repeat a few thousand stores, dates and prices)."""
    parts = []
    for column in columns:
        codes, uniques = pd.factorize(rows[column].to_numpy(dtype=object), use_na_sentinel=True)
        canonical = np.array([_canonical(v) for v in uniques] + [""], dtype=object)
        parts.append(canonical[codes].tolist())  # code -1 (missing) takes the last: ""
    sha1 = hashlib.sha1
    return [
        sha1("\x1f".join(row).encode(), usedforsecurity=False).hexdigest()[:16]
        for row in zip(*parts, strict=True)
    ]


def bare_row_hashes(rows: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """The row hashes of ``rows`` as if their customer were missing: what a row keeps once the
    retention policy removed its customer hash (no trace of the customer is left in it)."""
    return row_hashes(rows.assign(customer=None), columns)
