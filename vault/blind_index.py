"""Blind indexes: exact-match lookups on sealed values without decrypting every row.

An index value is HMAC-SHA256, under a key derived with HKDF from the index key and the
index name, of the normalised value(s), truncated to ``bits`` bits. Rules:

- **Normalisation** (``normalise``): compatibility decomposition (NFKD), case folding,
  accents and other combining marks removed, a few letters without a decomposition folded
  (ø→o, ł→l, æ→ae …), whitespace collapsed to single spaces and trimmed. So "José Pérez",
  "JOSE PEREZ" and "jose  perez" give the same index.
- **Truncation**: an index must never single a person out. With ``N`` records expected
  (``AMPARO_BLIND_INDEX_EXPECTED_RECORDS``: survivors of one organisation, as keys are
  per organisation) and at least ``k`` records meant to share each index value
  (``AMPARO_BLIND_INDEX_MIN_BUCKET``), ``bits`` is the largest width at which fewer than
  1 % of the rows (``MAX_SMALL_BUCKET_SHARE``) are expected in a value shared by fewer
  than ``k`` rows. A row's value is shared by itself and, for each of the other ``N - 1``
  rows, with probability ``2**-bits``: ``1 + Binomial(N - 1, 2**-bits)`` rows. Sizing by
  the mean alone (``N / 2**bits >= k``) is not enough: at a mean of exactly ``k`` half the
  rows sit in smaller buckets. E.g. N = 10,000 and k = 10 give 9 bits (512 values, about
  19.5 rows each, 0.3 % of rows below 10); N = 100,000 gives 12 bits, not 13.
  A lookup returns that many candidates, which the caller opens and confirms
  (``confirm``) before treating any as a match. Under-estimate N when in doubt: a low N
  costs a few more decryptions per lookup, a high N lets an index pick out individuals.
  Changing N or k changes ``bits`` and means recomputing the stored indexes
  (``manage.py reindex_blind_indexes``; ``version`` tells a stale row).
- **One bit budget per row**: every blind index stored on one row narrows the same row,
  so the *combination* is what must be shared by ``k`` rows. The bits of all the indexes
  of one model together may not exceed the width above (check ``vault.E005``); a model
  keeps one index and confirms the rest (a birth year) after opening.
- **Keys per organisation**: ``compute(..., scope=organisation_id)`` derives the HMAC key
  from the index key, the index name and the scope, so the same woman registered by two
  organisations has unrelated index values there, and a database reader cannot link her
  rows across organisations by index.
- **Compound indexes** (surname + birth year, for duplicate detection) hash their parts
  together, each normalised and length-prefixed, so ("ab", "c") and ("a", "bc") differ.
- **No blind index on a low-entropy field alone**: a part declared ``low_entropy`` (birth
  year, sex, nationality …) must be combined with at least one that is not; declaring
  otherwise raises ``ImproperlyConfigured`` at import time.
- An empty part gives no index (``None``), so empty values do not all share one bucket.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from vault import keyring

MAX_BITS = 31  # fits a signed 32-bit integer column on every database
# At the expected size, at most this share of rows may sit in an index value shared by
# fewer than the minimum bucket of rows.
MAX_SMALL_BUCKET_SHARE = 0.01

# Latin letters that Unicode does not decompose into a base letter and a mark.
_FOLDS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŧ": "t", "ß": "ss",
     "æ": "ae", "œ": "oe", "þ": "th"}
)

_registry: dict[str, BlindIndex] = {}


def normalise(value: str) -> str:
    """The form a value is indexed in: see the module docstring for the rule."""
    folded = unicodedata.normalize("NFKD", value).casefold()
    # Case folding can itself produce combining marks (e.g. "İ"), so decompose again.
    decomposed = unicodedata.normalize("NFKD", folded)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLDS)
    return " ".join(unicodedata.normalize("NFC", bare).split())


def small_bucket_share(expected_records: int, min_bucket: int, bits: int) -> float:
    """Expected share of rows whose value is shared by fewer than ``min_bucket`` rows:
    ``P(1 + Binomial(N - 1, 2**-bits) < k)``, summed in log space (N may be large)."""
    others, p = expected_records - 1, 2.0**-bits
    if others <= 0:
        return 1.0 if min_bucket > 1 else 0.0
    if p >= 1.0:
        return 0.0 if others + 1 >= min_bucket else 1.0
    total = 0.0
    for shared_with in range(min(min_bucket - 1, others + 1)):
        log_pmf = (
            math.lgamma(others + 1)
            - math.lgamma(shared_with + 1)
            - math.lgamma(others - shared_with + 1)
            + shared_with * math.log(p)
            + (others - shared_with) * math.log1p(-p)
        )
        total += math.exp(log_pmf)
    return min(1.0, total)


def truncation_bits(expected_records: int, min_bucket: int) -> int:
    """The widest index, at most ``MAX_BITS``, that keeps under ``MAX_SMALL_BUCKET_SHARE``
    of ``expected_records`` rows in a value shared by fewer than ``min_bucket`` rows;
    1 when even one bit cannot (too few records for the bucket asked)."""
    if expected_records < 1 or min_bucket < 1:
        raise ImproperlyConfigured("Blind index sizes must be positive.")
    bits = 1
    for candidate in range(2, MAX_BITS + 1):
        if small_bucket_share(expected_records, min_bucket, candidate) >= MAX_SMALL_BUCKET_SHARE:
            break
        bits = candidate
    return bits


@dataclass(frozen=True)
class Part:
    """One input of an index. ``low_entropy``: few possible values (year, sex, country)."""

    name: str
    low_entropy: bool = False


class BlindIndex:
    """A named blind index over one or more parts. Declare once, at module level."""

    def __init__(
        self,
        name: str,
        parts: Sequence[Part | str],
        *,
        expected_records: int | None = None,
        min_bucket: int | None = None,
    ) -> None:
        self.name = name
        self.parts = tuple(Part(p) if isinstance(p, str) else p for p in parts)
        if not self.parts:
            raise ImproperlyConfigured(f"Blind index {name!r} has no parts.")
        if all(part.low_entropy for part in self.parts):
            raise ImproperlyConfigured(
                f"Blind index {name!r} covers only low-entropy fields: it would reveal them. "
                "Combine them with a high-entropy part such as a surname."
            )
        if name in _registry:
            raise ImproperlyConfigured(f"Blind index {name!r} is declared twice.")
        self._expected_records = expected_records
        self._min_bucket = min_bucket
        _registry[name] = self

    @property
    def expected_records(self) -> int:
        return self._expected_records or settings.AMPARO_BLIND_INDEX_EXPECTED_RECORDS

    @property
    def min_bucket(self) -> int:
        return self._min_bucket or settings.AMPARO_BLIND_INDEX_MIN_BUCKET

    @property
    def bits(self) -> int:
        return truncation_bits(self.expected_records, self.min_bucket)

    def compute(self, *values: object, scope: object) -> int | None:
        """The index value of these parts (in declaration order) under the key of ``scope``
        (the organisation's id), or None if one part is empty."""
        if len(values) != len(self.parts):
            raise TypeError(f"Blind index {self.name!r} takes {len(self.parts)} values.")
        message = bytearray()
        for value in values:
            text = normalise(str(value)) if value is not None else ""
            if not text:
                return None
            encoded = text.encode("utf-8")
            message += len(encoded).to_bytes(4, "big") + encoded
        mac = hmac.HMAC(keyring.index_key().for_index(self.name, scope=str(scope)), hashes.SHA256())
        mac.update(bytes(message))
        digest = mac.finalize()
        return int.from_bytes(digest[:8], "big") >> (64 - self.bits)

    def version(self) -> str:
        """Which index key and width computed a stored value: a row whose stored version
        differs must be recomputed (``reindex_blind_indexes``). Reveals neither."""
        return f"{keyring.index_key().check_value()}/{self.bits}"

    def confirm(self, candidate: Sequence[object], wanted: Sequence[object]) -> bool:
        """Whether opened candidate values really match (index values collide by design)."""
        return len(candidate) == len(wanted) and all(
            normalise(str(a)) == normalise(str(b)) for a, b in zip(candidate, wanted, strict=True)
        )

    def __repr__(self) -> str:
        return f"<BlindIndex {self.name} bits={self.bits}>"


def registered() -> dict[str, BlindIndex]:
    return dict(_registry)


def get(name: str) -> BlindIndex:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"No blind index named {name!r} is declared.") from None


def expected_bucket_size(index: BlindIndex) -> float:
    """Records expected to share each index value at the configured size."""
    return index.expected_records / math.pow(2, index.bits)
