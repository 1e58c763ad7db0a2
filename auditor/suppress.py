"""Suppressions: failures a team has accepted, for a reason, until a date.

```toml
[[suppressions]]
rule = "ALB-011"                                   # a rule id, or a glob such as "CF-*"
resource = "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/status-*"   # ARN glob
reason = "The status page is public by design (SEC-1234)"
expires = 2027-03-31                                # a TOML date; required

[[suppressions]]
rule = "CF-007"
tags = { team = "legacy", "edge-audit/accept" = "*" }   # every tag must match (globs)
reason = "Legacy distributions are logged by the CDN team's own pipeline"
expires = 2027-01-01
```

Only ``fail`` results are ever suppressed: a ``pass`` has nothing to accept and an
``error`` did not see its data, so hiding it would be reporting what nobody checked.
A suppression whose date has passed hides nothing: its failure counts again, and carries
the expired suppression so the report can say so. A tag suppression whose tags could
not be read hides nothing either (fail closed).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from auditor.findings import Result, Status, Suppression
from auditor.gaps import Unavailable

TagIndex = Mapping[str, Mapping[str, str]] | Unavailable


@dataclass(frozen=True)
class Entry:
    """One ``[[suppressions]]`` entry of the config file."""

    rule: str
    reason: str
    expires: date
    resource: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def description(self) -> str:
        parts = []
        if self.resource:
            parts.append(f"resource {self.resource}")
        if self.tags:
            parts.append("tags " + ", ".join(f"{k}={v}" for k, v in sorted(self.tags.items())))
        return " and ".join(parts)

    def expired(self, today: date) -> bool:
        return self.expires < today

    def matches(self, result: Result, tags: TagIndex) -> bool:
        if not fnmatch.fnmatchcase(result.rule_id, self.rule):
            return False
        if self.resource and not fnmatch.fnmatchcase(result.resource.arn, self.resource):
            return False
        if self.tags:
            if isinstance(tags, Unavailable):
                return False
            carried = tags_of(result.resource.arn, tags)
            return all(key in carried and fnmatch.fnmatchcase(carried[key], pattern)
                       for key, pattern in self.tags.items())
        return True


def tags_of(arn: str, tags: Mapping[str, Mapping[str, str]]) -> Mapping[str, str]:
    """A resource's tags; an alias or version of a function carries the function's."""
    if arn in tags:
        return tags[arn]
    if ":lambda:" in arn and arn.count(":") == 7:
        return tags.get(arn.rsplit(":", 1)[0], {})
    return {}


@dataclass(frozen=True)
class Usage:
    """How a suppression fared in one scan (``scan.suppressions`` in the JSON)."""

    entry: Entry
    expired: bool
    matched: int

    def as_dict(self) -> dict:
        e = self.entry
        out = {"rule": e.rule, "reason": e.reason, "expires": e.expires.isoformat(),
               "expired": self.expired, "matched": self.matched}
        if e.resource:
            out["resource"] = e.resource
        if e.tags:
            out["tags"] = dict(e.tags)
        return out


def tag_keys(entries: Iterable[Entry]) -> frozenset[str]:
    """The tag keys a scan must read for these suppressions."""
    return frozenset(key for e in entries for key in e.tags)


def apply(results: Iterable[Result], entries: Sequence[Entry], tags: TagIndex,
          today: date) -> tuple[list[Result], list[Usage]]:
    """The results with suppressions applied, and how often each suppression matched.

    An unexpired match wins over an expired one, so renewing a suppression by adding a
    new entry (and leaving the old one) works.
    """
    matched = [0] * len(entries)
    out = []
    for result in results:
        if result.status is not Status.FAIL or not entries:
            out.append(result)
            continue
        hits = [i for i, entry in enumerate(entries) if entry.matches(result, tags)]
        live = [i for i in hits if not entries[i].expired(today)]
        chosen = (live or hits or [None])[0]
        if chosen is None:
            out.append(result)
            continue
        matched[chosen] += 1
        entry = entries[chosen]
        note = Suppression(entry.reason, entry.expires, entry.description, not live)
        out.append(replace(result, suppression=note,
                           status=Status.FAIL if note.expired else Status.SUPPRESSED))
    usage = [Usage(e, e.expired(today), n) for e, n in zip(entries, matched, strict=True)]
    return out, usage
