"""Does the header value CloudFront sends satisfy an ALB ``http-header`` condition?

The only module that reveals secret values, and it only compares them. ALB compares
header names and plain values case-insensitively, with ``*`` (any run of characters) and
``?`` (one character) as wildcards; ``RegexValues`` are regular expressions.
"""

from __future__ import annotations

import re
from functools import lru_cache

from auditor.inventory import HeaderCondition, OriginHeader


@lru_cache(maxsize=1024)
def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _regex_accepts(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def names_equal(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def condition_checks(condition: HeaderCondition, headers: tuple[OriginHeader, ...]) -> bool:
    """True when the condition inspects a header that the origin sends."""
    return any(names_equal(condition.name, h.name) for h in headers)


def condition_accepts(condition: HeaderCondition, headers: tuple[OriginHeader, ...]) -> bool:
    """True when the value the origin sends for this header satisfies the condition."""
    for header in headers:
        if not names_equal(condition.name, header.name):
            continue
        sent = header.value.reveal()
        if any(_wildcard_regex(v.reveal()).fullmatch(sent) for v in condition.values):
            return True
        if any(_regex_accepts(v.reveal(), sent) for v in condition.regex_values):
            return True
    return False
