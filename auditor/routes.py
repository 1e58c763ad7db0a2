"""Which listener rules a request can match: host-header and source-ip conditions.

These are no secrets (host names and CIDRs), so they are judged here, at evaluation time,
unlike the header values that only `auditor.headers` sees.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from auditor.inventory import ListenerRule

# Addresses no internet client (and no CloudFront edge) connects from: RFC 1918, RFC 4193,
# loopback, link-local, and the shared address space of RFC 6598.
PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128"))


def _private(cidr: str) -> bool:
    try:
        net = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return False  # unreadable: assume it may admit the internet
    return any(net.version == p.version and net.subnet_of(p) for p in PRIVATE)


def private_only(rule: ListenerRule) -> bool:
    """A rule whose source-ip conditions admit only private ranges: nothing from the
    internet, CloudFront included, can match it."""
    return bool(rule.source_ips) and all(_private(c) for c in rule.source_ips)


@lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in pattern), re.IGNORECASE | re.DOTALL)


def host_accepted(rule: ListenerRule, host: str) -> bool:
    """Whether the rule's host-header conditions accept ``host`` (names compare without
    case; ``*`` and ``?`` are wildcards; a regex that matches under any reading counts, so
    a route is never wrongly called unreachable)."""
    if any(_wildcard(h).fullmatch(host) for h in rule.host_headers):
        return True
    for pattern in rule.host_regexes:
        try:
            if re.search(pattern, host, re.IGNORECASE):
                return True
        except re.error:
            return True
    return False


def certificate_covers(name: str, domain: str) -> bool:
    """Whether a certificate name matches a host as TLS does: exactly, or one wildcard
    label at the left (``*.example.com`` covers ``api.example.com``, not
    ``a.b.example.com`` nor ``example.com``)."""
    name, domain = name.lower().rstrip("."), domain.lower().rstrip(".")
    if name.startswith("*."):
        head, _, rest = domain.partition(".")
        return bool(head) and rest == name[2:]
    return name == domain
