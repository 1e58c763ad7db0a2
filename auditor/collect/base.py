"""Calling AWS and recording what failed.

`Calls` wraps one account's clients: every call goes through it, so every failure is
recorded once (for ``scan.errors``) and handed back as an `Unavailable` in place of the
data. "Not found" answers that mean "there is none" (no policy, no function URL) are
data, not failures; the caller names those codes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from auditor.gaps import Unavailable
from auditor.inventory import CallFailure
from auditor.session import AwsContext

log = logging.getLogger(__name__)

ABSENT = object()  # returned by `Calls.call` for an expected "not found"


def _operation_name(client: Any, method: str) -> str:
    service = client.meta.service_model.service_name
    return f"{service}:{client.meta.method_to_api_mapping.get(method, method)}"


class Calls:
    def __init__(self, ctx: AwsContext, account: str) -> None:
        self.ctx = ctx
        self.account = account
        self.failures: list[CallFailure] = []  # list.append is atomic under the GIL

    def failed(self, op: str, region: str, exc: Exception) -> Unavailable:
        """Record a failure of work done outside `call` (a rule pack's facet collector)."""
        return self._failed(op, region, "", exc)

    def _failed(self, op: str, region: str, resource: str, exc: Exception) -> Unavailable:
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code = error.get("Code") or str(
                exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "ClientError")
            )
            message = error.get("Message") or str(exc)
        else:
            code, message = type(exc).__name__, str(exc)
        log.warning("%s in %s failed: %s", op, region, code)
        self.failures.append(CallFailure(self.account, region, op, code, message, resource))
        return Unavailable(op, code, message)

    def call(self, service: str, region: str, method: str, *, resource: str = "",
             absent: Iterable[str] = (), quiet: bool = False, **params: Any) -> Any:
        """One call: its response, `ABSENT` for an expected not-found, or `Unavailable`.

        ``quiet``: a failure is returned but not recorded (the caller has a fallback).
        """
        client = self.ctx.client(service, region, retries=not quiet)
        op = _operation_name(client, method)
        if self.ctx.stop.stopped:
            return self._stopped(op, region, resource)
        try:
            return getattr(client, method)(**params)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in set(absent):
                return ABSENT
            return self._quiet(op, exc) if quiet else self._failed(op, region, resource, exc)
        except BotoCoreError as exc:
            return self._quiet(op, exc) if quiet else self._failed(op, region, resource, exc)

    def _stopped(self, op: str, region: str, resource: str) -> Unavailable:
        reason = self.ctx.stop.reason
        self.failures.append(CallFailure(self.account, region, op, "NotReached", reason,
                                         resource))
        return Unavailable(op, "NotReached", reason)

    @staticmethod
    def _quiet(op: str, exc: Exception) -> Unavailable:
        log.info("%s failed, falling back: %s", op, exc)
        return Unavailable(op, type(exc).__name__, str(exc))

    def paginate(
        self, service: str, region: str, method: str, key: str, *, resource: str = "", **params: Any
    ) -> list[Any] | Unavailable:
        """Every page's ``key`` items (a JMESPath-free dotted key), or `Unavailable`."""
        client = self.ctx.client(service, region)
        op = _operation_name(client, method)
        if self.ctx.stop.stopped:
            return self._stopped(op, region, resource)
        items: list[Any] = []
        try:
            for page in client.get_paginator(method).paginate(**params):
                value: Any = page
                for part in key.split("."):
                    value = (value or {}).get(part)
                items.extend(value or [])
        except (ClientError, BotoCoreError) as exc:
            return self._failed(op, region, resource, exc)
        return items
