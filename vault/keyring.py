"""Master keys and the blind-index key, read once at start-up.

Rules:

- Master keys come from the file named by ``AMPARO_MASTER_KEY_FILE`` *or* from the
  ``AMPARO_MASTER_KEYS`` environment variable (never both). The text holds entries
  ``key-id:base64-of-32-bytes``, separated by new lines, commas or semicolons; ``#``
  starts a comment line. The **first** entry is the current key, which wraps every new
  data key; later entries are older keys, kept loaded only until ``rotate_master_key``
  has re-wrapped everything under the current one.
- The index key (blind indexes) is one base64 32-byte key from ``AMPARO_INDEX_KEY_FILE``
  or ``AMPARO_INDEX_KEY``. It is separate from the master keys so that an index key leak
  reveals nothing that is sealed.
- Production refuses to start without both (``VaultConfig.ready`` calls :func:`load`).
  Development and the demo (``AMPARO_GENERATE_DEV_KEYS``) generate them under
  ``VAR_DIR`` on first start and say so on stderr.
- Keys never enter a database, a log line, an exception message or a debug page: the
  objects below keep only cryptography's ``AESGCM`` objects (whose repr shows no key),
  and functions that hold raw key bytes in local variables are marked
  ``sensitive_variables`` so Django's error reports blank them.

``python -m vault.keygen`` prints fresh key lines for an operator.

Running processes follow the master key *file*: before wrapping a new data key they look
at the file again (and before opening, at most once a second), and reload it when it
changed. So after an operator puts a new line first, or removes an old line once
``rotate_master_key`` is done, no process wraps with a key that is no longer first or no
longer there, and none needs a restart. Keys given in ``AMPARO_MASTER_KEYS`` cannot change
under a running process: rotating those needs restarts (docs/operations.md).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hmac import HMAC
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables

from core.devkeys import create_once
from vault.exceptions import UnknownMasterKey

logger = logging.getLogger("amparo.vault")

KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
DEV_MASTER_KEY_FILE = "dev-master-keys"
DEV_INDEX_KEY_FILE = "dev-index-key"

MISSING_MASTER_KEY_MESSAGE = (
    "Amparo will not start without a master key. Set AMPARO_MASTER_KEY_FILE to the path "
    "of a file, readable only by Amparo, that holds a line 'key-id:base64-key' "
    "(32 random bytes), or put the same line in the AMPARO_MASTER_KEYS environment "
    "variable. 'python -m vault.keygen' prints a new one. Only the demo (AMPARO_DEMO=1) "
    "and development (DEBUG=1) generate a key by themselves."
)
MISSING_INDEX_KEY_MESSAGE = (
    "Amparo will not start without a blind-index key. Set AMPARO_INDEX_KEY_FILE to the "
    "path of a file, readable only by Amparo, that holds 32 random bytes in base64, or "
    "put the same text in the AMPARO_INDEX_KEY environment variable. "
    "'python -m vault.keygen' prints a new one."
)


@dataclass(frozen=True, repr=False)
class MasterKeyring:
    """The loaded master keys by id; ``current_id`` wraps every new data key."""

    current_id: str
    _aeads: Mapping[str, AESGCM]

    @property
    def ids(self) -> tuple[str, ...]:
        """Loaded key ids, current first."""
        return tuple(self._aeads)

    @property
    def current(self) -> AESGCM:
        return self._aeads[self.current_id]

    def aead(self, key_id: str) -> AESGCM:
        try:
            return self._aeads[key_id]
        except KeyError:
            raise UnknownMasterKey(
                f"Master key {key_id!r} is not loaded (loaded: {', '.join(self.ids)}). Add it "
                "back to AMPARO_MASTER_KEY_FILE / AMPARO_MASTER_KEYS, below the current key, "
                "and run 'manage.py rotate_master_key' before removing it."
            ) from None

    def __repr__(self) -> str:
        return f"<MasterKeyring current={self.current_id!r} ids={self.ids!r}>"


@dataclass(repr=False)
class IndexKey:
    """The blind-index key; hands out per-index keys derived with HKDF-SHA256."""

    _key: bytes
    _derived: dict[str, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @sensitive_variables()
    def for_index(self, index_name: str, *, scope: str) -> bytes:
        """The HMAC key of one index in one scope (an organisation): a different index
        name or scope gives an unrelated key."""
        label = f"{scope}/{index_name}"
        derived = self._derived.get(label)
        if derived is None:
            derived = HKDF(
                algorithm=hashes.SHA256(),
                length=KEY_BYTES,
                salt=None,
                info=b"amparo/blind-index/v2/" + label.encode("utf-8"),
            ).derive(self._key)
            with self._lock:
                self._derived[label] = derived
        return derived

    @sensitive_variables()
    def check_value(self) -> str:
        """A short name of this key (an HMAC of a constant under it), to tell which key
        computed stored indexes without revealing anything of the key."""
        mac = HMAC(self._key, hashes.SHA256())
        mac.update(b"amparo/blind-index/check-value")
        return mac.finalize()[:6].hex()

    def __repr__(self) -> str:
        return "<IndexKey>"


@dataclass(frozen=True, repr=False)
class Keys:
    master: MasterKeyring
    index: IndexKey
    generated_for_development: bool = False
    # The master key file as it was when read: (path, size, mtime, inode), or None when
    # the keys came from the environment (or were installed by a test).
    master_file_state: tuple[str, int, int, int] | None = None

    def __repr__(self) -> str:
        return f"<Keys master={self.master!r}>"


_loaded: Keys | None = None
_load_lock = threading.Lock()
_last_look = 0.0
LOOK_INTERVAL_SECONDS = 1.0


def get() -> Keys:
    """The keys loaded at start-up (loading them now if ``django.setup`` has not)."""
    if _loaded is None:
        return load()
    return _loaded


def master(*, for_wrapping: bool = False) -> MasterKeyring:
    """The loaded master keys, reloaded first if the key file changed.

    ``for_wrapping``: look at the file now (a new data key must be wrapped by the file's
    first key); otherwise at most once a second, and a file that no longer reads keeps the
    keys already loaded for opening (the health URL reports it).
    """
    global _last_look
    keys = get()
    now = time.monotonic()
    if keys.master_file_state is not None and (
        for_wrapping or now - _last_look >= LOOK_INTERVAL_SECONDS
    ):
        _last_look = now
        if _file_state(keys.master_file_state[0]) != keys.master_file_state:
            try:
                keys = load()
            except ImproperlyConfigured:
                if for_wrapping:
                    raise
                logger.error("vault: the master key file changed and does not read; "
                             "keeping the keys loaded before")
    return keys.master


def stale_reason() -> str | None:
    """Why the loaded master keys may not be the configured ones, or None (health URL)."""
    keys = get()
    if keys.master_file_state is None:
        return None
    path = keys.master_file_state[0]
    if _file_state(path) == keys.master_file_state:
        return None
    try:
        master(for_wrapping=True)
    except ImproperlyConfigured as error:
        return f"the master key file does not read: {error}"
    return None


def _file_state(path: str) -> tuple[str, int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (path, info.st_size, info.st_mtime_ns, info.st_ino)


def index_key() -> IndexKey:
    return get().index


def load() -> Keys:
    """(Re)read the keys from settings; raises ``ImproperlyConfigured`` with what to set."""
    global _loaded
    with _load_lock:
        _loaded = _read_keys()
        return _loaded


def install(keys: Keys) -> Keys | None:
    """Replace the loaded keys (tests and the benchmark); returns the previous ones."""
    global _loaded
    previous, _loaded = _loaded, keys
    return previous


@sensitive_variables()
def parse_master_keys(text: str, *, source: str) -> MasterKeyring:
    """Parse ``key-id:base64`` entries; the first entry is the current key."""
    aeads: dict[str, AESGCM] = {}
    for line_number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for entry in re.split(r"[\s,;]+", line):
            key_id, sep, encoded = entry.partition(":")
            # Messages name the line and the id, never the text: a malformed line may
            # be a key with a typo in it.
            if not sep or not KEY_ID_PATTERN.match(key_id):
                raise ImproperlyConfigured(
                    f"{source}, line {line_number}: expected 'key-id:base64-key' where the "
                    "key id is 1-32 letters, digits, '.', '_' or '-'."
                )
            if key_id in aeads:
                raise ImproperlyConfigured(f"{source}: master key id {key_id!r} appears twice.")
            aeads[key_id] = AESGCM(_decode_key(encoded, source=f"{source}, key {key_id!r}"))
    if not aeads:
        raise ImproperlyConfigured(f"{source} holds no master key. {MISSING_MASTER_KEY_MESSAGE}")
    return MasterKeyring(current_id=next(iter(aeads)), _aeads=aeads)


@sensitive_variables()
def parse_index_key(text: str, *, source: str) -> IndexKey:
    return IndexKey(_decode_key(text.strip(), source=source))


@sensitive_variables()
def _decode_key(encoded: str, *, source: str) -> bytes:
    try:
        # Accept both alphabets: operators paste keys from tools that use either.
        raw = base64.b64decode(
            encoded.strip().replace("-", "+").replace("_", "/"), validate=True
        )
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{source}: the key is not valid base64.") from None
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{source}: a key must be {KEY_BYTES} random bytes, this one has {len(raw)}."
        )
    return raw


@sensitive_variables()
def _read_keys() -> Keys:
    generated = False
    master_text, master_source = _configured_text(
        file_setting="AMPARO_MASTER_KEY_FILE", value_setting="AMPARO_MASTER_KEYS"
    )
    if master_text is None:
        if not settings.AMPARO_GENERATE_DEV_KEYS:
            raise ImproperlyConfigured(MISSING_MASTER_KEY_MESSAGE)
        master_text, master_source = _development_key(
            DEV_MASTER_KEY_FILE, lambda: f"dev-1:{_new_key_text()}\n", "master key"
        )
        generated = True
    index_text, index_source = _configured_text(
        file_setting="AMPARO_INDEX_KEY_FILE", value_setting="AMPARO_INDEX_KEY"
    )
    if index_text is None:
        if not settings.AMPARO_GENERATE_DEV_KEYS:
            raise ImproperlyConfigured(MISSING_INDEX_KEY_MESSAGE)
        index_text, index_source = _development_key(
            DEV_INDEX_KEY_FILE, lambda: f"{_new_key_text()}\n", "blind-index key"
        )
        generated = True
    master_path = getattr(settings, "AMPARO_MASTER_KEY_FILE", "") or ""
    return Keys(
        master=parse_master_keys(master_text, source=master_source),
        index=parse_index_key(index_text, source=index_source),
        generated_for_development=generated,
        # Taken after reading: a change between the two is seen at the next look.
        master_file_state=_file_state(master_path) if master_path else None,
    )


def _configured_text(*, file_setting: str, value_setting: str) -> tuple[str | None, str]:
    path = getattr(settings, file_setting, "") or ""
    value = getattr(settings, value_setting, "") or ""
    if path and value:
        raise ImproperlyConfigured(
            f"Set either {file_setting} or {value_setting}, not both: Amparo would not know "
            "which keys are meant."
        )
    if path:
        try:
            return Path(path).read_text(encoding="utf-8"), file_setting
        except OSError:
            raise ImproperlyConfigured(
                f"{file_setting} points at {path!r}, which cannot be read."
            ) from None
    if value:
        return value, value_setting
    return None, ""


def _new_key_text() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def _development_key(
    filename: str, make_text: Callable[[], str], what: str
) -> tuple[str, str]:
    """Read, or create on first start, a development key file under VAR_DIR."""
    path = Path(settings.VAR_DIR) / filename
    create_once(
        path,
        lambda: make_text().encode("utf-8"),
        f"a development {what}",
        "It protects demo data only: never use it for real people's data. Production needs "
        "AMPARO_MASTER_KEY_FILE and AMPARO_INDEX_KEY_FILE (see vault/keyring.py).",
    )
    return path.read_text(encoding="utf-8"), str(path)


def loose_key_files() -> list[str]:
    """Configured key files that other users of the machine may read."""
    loose = []
    for name in ("AMPARO_MASTER_KEY_FILE", "AMPARO_INDEX_KEY_FILE"):
        path = getattr(settings, name, "") or ""
        try:
            mode = os.stat(path).st_mode if path else 0
        except OSError:
            continue
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            loose.append(path)
    return loose
