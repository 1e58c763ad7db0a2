"""A wrapper that keeps secret strings out of every output by construction.

The origin-verify header value CloudFront sends, and the values or patterns an ALB rule
accepts, are secrets. They are held in `Secret` so that a stray ``repr``, f-string, log
call or ``json.dumps`` cannot print them: only ``reveal()`` gives the value, and only the
header-matching code calls it.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from typing import Any

MASK = "***"


class Secret:
    """A string that refuses to show itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value; call only to compare it, never to print or store it."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, len(self._value)))

    def __reduce__(self):  # pragma: no cover - guarded by tests
        raise TypeError("Secret values are not serialisable")

    def __bool__(self) -> bool:
        return bool(self._value)


# A secret a template names but does not hold ({{resolve:secretsmanager:...}}): its
# reveal() is this prefix and the reference, never a value (auditor.iac.values).
DEPLOY_TIME_PREFIX = "\x00edge-audit-dynamic-reference\x00"


def deploy_time_verdict(accepted: str, sent: str) -> Any:
    """Whether a check accepts a sent value when either is known only at deploy time:
    two references to the same secret match, anything else is undetermined (None).
    NotImplemented when both are real values (compare them as usual)."""
    if not (accepted.startswith(DEPLOY_TIME_PREFIX) or sent.startswith(DEPLOY_TIME_PREFIX)):
        return NotImplemented
    return True if accepted == sent else None


# A deploy-time secret Terraform generates (random_password) says how many random
# characters it will have; any other deploy-time value's strength is undetermined.
_GENERATED = re.compile(r":generated=(\d+)\}\}$")


def deploy_time_weakness(value: str, min_literals: int) -> Any:
    """Whether a value known only at deploy time is guessable: True/False for a generated
    secret (by its configured length), None when nothing says (a Secrets Manager or
    SSM reference, a variable); NotImplemented for a real value (judge it as usual)."""
    if not value.startswith(DEPLOY_TIME_PREFIX):
        return NotImplemented
    found = _GENERATED.search(value)
    return None if found is None else int(found.group(1)) < min_literals


# Shorter values are not scrubbed from text: replacing every "abc" in a report would
# wreck it, and a secret that short is guessable anyway.
MIN_SCRUB_LENGTH = 6


class Scrubber:
    """The scrub of one report's secrets, prepared once: a report of thousands of strings
    and hundreds of secrets is scanned once per string, not once per (string, secret)."""

    __slots__ = ("_pattern",)

    def __init__(self, secrets: Iterable[Secret]) -> None:
        values = sorted({s.reveal() for s in secrets if len(s.reveal()) >= MIN_SCRUB_LENGTH},
                        key=len, reverse=True)  # the longest first: no partial masking
        self._pattern = re.compile("|".join(map(re.escape, values))) if values else None

    def __call__(self, text: str) -> str:
        return self._pattern.sub(MASK, text) if self._pattern is not None else text

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __repr__(self) -> str:
        return "Scrubber(***)"


def scrub(text: str, secrets: Iterable[Secret] | Scrubber) -> str:
    """Replace any secret value found in ``text`` with the mask.

    Defence in depth: the model never formats a revealed value, but reporters still pass
    their final text through here so that a future bug cannot leak one.
    """
    scrubber = secrets if isinstance(secrets, Scrubber) else Scrubber(secrets)
    return scrubber(text)
