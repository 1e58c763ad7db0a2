"""A wrapper that keeps secret strings out of every output by construction.

The origin-verify header value CloudFront sends, and the values or patterns an ALB rule
accepts, are secrets. They are held in `Secret` so that a stray ``repr``, f-string, log
call or ``json.dumps`` cannot print them: only ``reveal()`` gives the value, and only the
header-matching code calls it.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

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


# Shorter values are not scrubbed from text: replacing every "abc" in a report would
# wreck it, and a secret that short is guessable anyway.
MIN_SCRUB_LENGTH = 6


def scrub(text: str, secrets: Iterable[Secret]) -> str:
    """Replace any secret value found in ``text`` with the mask.

    Defence in depth: the model never formats a revealed value, but reporters still pass
    their final text through here so that a future bug cannot leak one.
    """
    values = sorted(
        {s.reveal() for s in secrets if len(s.reveal()) >= MIN_SCRUB_LENGTH},
        key=len,
        reverse=True,
    )
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    return text
