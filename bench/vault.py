"""Benchmark of the vault: ``python bench/vault.py``.

Measures, on a throw-away SQLite pair in a temporary folder:

- sealing and opening 1 KB values through the vault (``vault.services.seal_value`` /
  ``unseal_value``) in the steady state of a request — the owner's data key already
  cached in the key scope — against bare AES-GCM calls of cryptography with the same
  key, a fresh random nonce and associated data of the same size (the floor);
- re-wrapping 100,000 data keys with ``rotate_master_key``.

Goals: vault overhead at most 1.5x the floor, 100,000 re-wraps in under 30 s. Each figure
is printed as ``figure: value unit``; the last line is ``goal: met`` or
``goal: missed (…)``. Rates count the CPU time of this process (``time.process_time``),
the median of many short rounds that alternate vault and floor (ratios are the median of
each round's own ratio), so that other work on a shared 2-core machine neither slows one
side only nor lets one lucky round set the figure.
"""

from __future__ import annotations

import base64
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VALUE_BYTES = 1024
OPS_PER_ROUND = 10_000
ROUNDS = 21
REWRAP_KEYS = 100_000
OVERHEAD_GOAL = 1.5
REWRAP_GOAL_SECONDS = 30.0


def set_up_django(workdir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ["AMPARO_VAR_DIR"] = workdir
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench-default.sqlite3"
    os.environ["KEYS_DATABASE_URL"] = f"sqlite:///{workdir}/bench-keys.sqlite3"
    # Two bench-only master keys: data keys start under "old", rotation moves them to "new".
    for name in ("AMPARO_MASTER_KEY_FILE", "AMPARO_INDEX_KEY_FILE"):
        os.environ.pop(name, None)
    new, old = (base64.b64encode(os.urandom(32)).decode() for _ in range(2))
    os.environ["AMPARO_MASTER_KEYS"] = f"bench-new:{new}\nbench-old:{old}"
    os.environ["AMPARO_INDEX_KEY"] = base64.b64encode(os.urandom(32)).decode()

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("migrate", database="keys", verbosity=0)


def round_seconds(function: Callable[[], None], ops: int = OPS_PER_ROUND) -> float:
    started = time.process_time()
    for _ in range(ops):
        function()
    return time.process_time() - started


def measure_values() -> dict[str, float]:
    from vault import services as vault
    from vault.scope import key_scope

    owner = uuid.uuid4()
    binding = vault.Binding("vaultdemo.sealedrecord", "secret", uuid.uuid4())
    value = os.urandom(VALUE_BYTES)
    with key_scope() as scope:
        sealed = vault.seal_value(owner, binding, value)  # creates and caches the key
        aead = scope.cached(owner)
        aad = binding.value_aad
        urandom = os.urandom
        bare_blob = b""

        def bare_seal() -> None:
            nonlocal bare_blob
            nonce = urandom(12)
            bare_blob = nonce + aead.encrypt(nonce, value, aad)

        def bare_open() -> None:
            aead.decrypt(bare_blob[:12], bare_blob[12:], aad)

        def vault_seal() -> None:
            vault.seal_value(owner, binding, value)

        def vault_open() -> None:
            vault.unseal_value(owner, binding, sealed)

        bare_seal()
        assert vault.unseal_value(owner, binding, sealed) == value
        functions = {
            "bare_seal": bare_seal, "vault_seal": vault_seal,
            "bare_open": bare_open, "vault_open": vault_open,
        }
        rounds: dict[str, list[float]] = {name: [] for name in functions}
        for _ in range(ROUNDS):  # alternate, so that background load hits both sides alike
            for name, function in functions.items():
                rounds[name].append(round_seconds(function))
    # The median of the rounds, and of each round's own ratio (vault and floor of the same
    # round saw the same machine): one lucky or unlucky round no longer sets the figure.
    rates = {name: OPS_PER_ROUND / statistics.median(times) for name, times in rounds.items()}
    for kind in ("seal", "open"):
        rates[f"{kind}_ratio"] = statistics.median(
            vault / bare
            for vault, bare in zip(rounds[f"vault_{kind}"], rounds[f"bare_{kind}"], strict=True)
        )
    return rates


def measure_rewrap() -> float:
    from django.db import transaction

    from vault import crypto, keyring
    from vault.models import DataKey
    from vault.routers import KEYS_ALIAS
    from vault.services import rotate_master_key

    ring = keyring.master()
    old = ring.aead("bench-old")
    batch = []
    with transaction.atomic(using=KEYS_ALIAS):
        for _ in range(REWRAP_KEYS):
            owner = uuid.uuid4()
            batch.append(DataKey(
                owner_id=owner, master_key_id="bench-old",
                wrapped_key=crypto.wrap_data_key(old, "bench-old", owner, crypto.new_data_key()),
            ))
            if len(batch) == 5_000:
                DataKey.objects.using(KEYS_ALIAS).bulk_create(batch)
                batch = []
        DataKey.objects.using(KEYS_ALIAS).bulk_create(batch)
    started = time.perf_counter()
    report = rotate_master_key(batch_size=1000)
    elapsed = time.perf_counter() - started
    assert report.rewrapped >= REWRAP_KEYS and report.remaining_key_ids == [], report
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="amparo-bench-") as workdir:
        set_up_django(workdir)
        rates = measure_values()
        rewrap_seconds = measure_rewrap()
    seal_ratio, open_ratio = rates["seal_ratio"], rates["open_ratio"]
    # Vault figures are the steady state of a request: the owner's key cached in the scope.
    print(f"vault seal 1 KB, key cached: {rates['vault_seal']:,.0f} ops/s")
    print(f"bare AES-GCM seal 1 KB: {rates['bare_seal']:,.0f} ops/s")
    print(f"seal overhead: {seal_ratio:.2f} x")
    print(f"vault open 1 KB, key cached: {rates['vault_open']:,.0f} ops/s")
    print(f"bare AES-GCM open 1 KB: {rates['bare_open']:,.0f} ops/s")
    print(f"open overhead: {open_ratio:.2f} x")
    print(f"re-wrap {REWRAP_KEYS:,} data keys: {rewrap_seconds:.1f} s")
    missed = []
    if seal_ratio > OVERHEAD_GOAL:
        missed.append("seal overhead")
    if open_ratio > OVERHEAD_GOAL:
        missed.append("open overhead")
    if rewrap_seconds >= REWRAP_GOAL_SECONDS:
        missed.append("re-wrap time")
    print("goal: met" if not missed else f"goal: missed ({', '.join(missed)})")


if __name__ == "__main__":
    main()
