"""Snapshots: a `Collection` as JSON, and back.

Written by ``edge-audit collect``, read by ``edge-audit evaluate``. A snapshot holds no
secret: collections are sealed (header values dropped, match verdicts kept), and
`dataclasses.asdict` would fail on a `Secret` left behind, since secrets refuse to be
copied. Reading uses dacite in strict mode, so an unknown or missing field is an error,
not a silent default.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

import dacite

from auditor import TOOL_NAME, __version__
from auditor.scan import Collection

SNAPSHOT_VERSION = 4  # 4: rule packs' facet data (RegionInventory.pack_data/pack_gaps);
# 3: catalogue 1.1 rules (sent-value and weakness verdicts, VPC origin gates, reserved
# concurrency, listener certificates); 2: every record of a Route 53 set
READABLE = (3, 4)  # a version 3 snapshot is a version 4 one without facet data


class SnapshotError(ValueError):
    """The file is not a snapshot this version can read: exit 2."""


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(collection: Collection) -> str:
    if any(not inv.sealed for inv in collection.inventories):
        raise ValueError("only a sealed collection can be saved")
    document = {"snapshot_version": SNAPSHOT_VERSION,
                "tool": {"name": TOOL_NAME, "version": __version__},
                "collection": dataclasses.asdict(collection)}
    return json.dumps(document, indent=1, default=_encode, ensure_ascii=False) + "\n"


DACITE = dacite.Config(strict=True, cast=[tuple],
                       type_hooks={datetime: datetime.fromisoformat})


def loads(text: str) -> Collection:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"not JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("snapshot_version") not in READABLE:
        raise SnapshotError(f"not an edge-auditor snapshot of version "
                            f"{' or '.join(map(str, READABLE))}")
    try:
        return dacite.from_dict(Collection, document["collection"], config=DACITE)
    except (dacite.DaciteError, KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(f"malformed snapshot: {exc}") from exc
