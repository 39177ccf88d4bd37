"""The hash chain over the access log, in three parts that each say one thing:

- ``audit.chain.canonical``: what of an event is hashed, and how one link is computed;
- ``audit.chain.sealing``: writing the seals, after the events' transactions commit;
- ``audit.chain.verification``: walking the seals and naming the first problem.

The names the commands, the benches and ``record_event`` use are importable from here.
"""

from audit.chain.canonical import (
    EVENT_FIELDS,
    GENESIS_HASH,
    EventRow,
    canonical,
    chain_seals,
    link_hash,
)
from audit.chain.sealing import (
    BATCH_SIZE,
    ON_COMMIT_LIMIT,
    chain_head,
    schedule_seal,
    schedule_seals,
    seal_backlog,
    seal_pending,
)
from audit.chain.verification import Problem, Verification, verify_chain

__all__ = [
    "BATCH_SIZE",
    "EVENT_FIELDS",
    "GENESIS_HASH",
    "ON_COMMIT_LIMIT",
    "EventRow",
    "Problem",
    "Verification",
    "canonical",
    "chain_head",
    "chain_seals",
    "link_hash",
    "schedule_seal",
    "schedule_seals",
    "seal_backlog",
    "seal_pending",
    "verify_chain",
]
