"""``--output s3://bucket/prefix/``: the report under a date-partitioned key, then a
``latest.json`` pointer to it.

Keys follow the Hive layout that Athena and Glue crawlers read as partitions::

    prefix/year=2026/month=11/day=21/123456789012-<scan-id>.json
    prefix/latest.json      {"key": ..., "scan_id": ..., "complete": ..., "summary": ...}

The report is written first and the pointer last, so ``latest.json`` never names an
object that is not there. ``--baseline s3://bucket/prefix/latest.json`` follows the
pointer, which makes a nightly job that fails only on new findings one command.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from auditor.publish import Delivery, DeliveryError
from auditor.scan import Report

EXTENSIONS = {"json": "json", "csv": "csv", "asff": "asff.json", "ocsf": "ocsf.json",
              "html": "html", "table": "txt"}
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8",
                 "html": "text/html; charset=utf-8", "txt": "text/plain; charset=utf-8"}
POINTER = "latest.json"


@dataclass(frozen=True)
class Location:
    bucket: str
    prefix: str  # "" or ending in "/"

    @classmethod
    def parse(cls, url: str) -> Location:
        if not url.startswith("s3://"):
            raise ValueError(f"not an s3:// URL: {url!r}")
        bucket, _, prefix = url[len("s3://"):].partition("/")
        if not bucket:
            raise ValueError(f"no bucket in {url!r}")
        prefix = prefix.strip("/")
        return cls(bucket, prefix + "/" if prefix else "")


def is_s3(path: str | None) -> bool:
    return bool(path) and path.startswith("s3://")


def report_key(location: Location, report: Report, fmt: str) -> str:
    scan = report.scan
    day = scan.started_at
    who = scan.accounts[0] if len(scan.accounts) == 1 else "multi-account"
    return (f"{location.prefix}year={day:%Y}/month={day:%m}/day={day:%d}/"
            f"{who}-{scan.id}.{EXTENSIONS[fmt]}")


def pointer(location: Location, key: str, report: Report) -> dict[str, Any]:
    from auditor.report.json_report import summary

    scan = report.scan
    return {"bucket": location.bucket, "key": key, "uri": f"s3://{location.bucket}/{key}",
            "scan_id": scan.id, "started_at": scan.started_at.isoformat(),
            "finished_at": scan.finished_at.isoformat(), "accounts": list(scan.accounts),
            "complete": report.complete, "summary": summary(report.results)}


def write(delivery: Delivery, url: str, report: Report, fmt: str,
          pieces: Iterable[str]) -> str:
    """Upload the rendered report and then the pointer; return the report's s3:// URI."""
    location = Location.parse(url)
    key = report_key(location, report, fmt)
    s3 = delivery.client("s3")
    content_type = CONTENT_TYPES.get(EXTENSIONS[fmt].rsplit(".", 1)[-1], "text/plain")
    try:
        with tempfile.SpooledTemporaryFile(max_size=16 * 2**20) as body:
            for piece in pieces:
                body.write(piece.encode("utf-8"))
            body.seek(0)
            s3.upload_fileobj(body, location.bucket, key,
                              ExtraArgs={"ContentType": content_type})
        s3.put_object(Bucket=location.bucket, Key=location.prefix + POINTER,
                      Body=json.dumps(pointer(location, key, report), indent=2).encode(),
                      ContentType="application/json")
    except (ClientError, BotoCoreError) as exc:
        raise DeliveryError(f"cannot write to s3://{location.bucket}/{key}: {exc}") from exc
    return f"s3://{location.bucket}/{key}"


class NoSuchObject(DeliveryError):
    """The key is not in the bucket (a first run has no latest.json yet)."""


def get_text(delivery: Delivery, url: str) -> str:
    location = Location.parse(url)
    key = url[len("s3://") + len(location.bucket) + 1:]
    try:
        answer = delivery.client("s3").get_object(Bucket=location.bucket, Key=key)
        return answer["Body"].read().decode("utf-8")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise NoSuchObject(f"{url} does not exist") from exc
        raise DeliveryError(f"cannot read {url}: {exc}") from exc
    except BotoCoreError as exc:
        raise DeliveryError(f"cannot read {url}: {exc}") from exc


def followed(doc: Any) -> str | None:
    """The report a ``latest.json`` pointer names, or None when ``doc`` is no pointer."""
    if isinstance(doc, dict) and "results" not in doc and isinstance(doc.get("uri"), str):
        return doc["uri"]
    return None
