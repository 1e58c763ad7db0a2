"""Where a report goes besides a local file: S3 (date-partitioned, with a ``latest.json``
pointer) and Security Hub.

These are the only writes the tool makes, and they go to the operator's own sinks, never
to an audited resource. Their clients come from `delivery_session`, separate from the
scanner's `AwsContext`, so the scanner's clients (and the read-only proof in the tests)
never see a write, and the task role can grant the two sets of permissions apart.
"""

from __future__ import annotations

import boto3
from botocore.config import Config

from auditor import TOOL_NAME, __version__


class DeliveryError(RuntimeError):
    """The report could not be delivered where it was asked to go."""


def delivery_config() -> Config:
    return Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=5,
                  read_timeout=60, user_agent_extra=f"{TOOL_NAME}/{__version__}")


class Delivery:
    """Clients for the sinks, built from the same profile and endpoint as the scan."""

    def __init__(self, profile: str | None = None, endpoint_url: str | None = None,
                 session: boto3.Session | None = None) -> None:
        self.session = session or boto3.Session(profile_name=profile)
        self.endpoint_url = endpoint_url

    def client(self, service: str, region: str | None = None):
        kwargs = {"config": delivery_config()}
        if region:
            kwargs["region_name"] = region
        elif not self.session.region_name:
            kwargs["region_name"] = "us-east-1"
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        return self.session.client(service, **kwargs)
