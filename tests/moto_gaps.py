"""The read APIs moto does not serve, answered the same way in process on every moto version.

Up to moto 5.2.5 an unserved CloudFront path fell through to the network (a connection error
after retries, or a real endpoint where there is internet); from 5.2.6 moto claims every
CloudFront path and raises ``NotImplementedError``, which no AWS client ever sees. Neither is
a behaviour of AWS, so in process these operations fail at once with one ``BotoCoreError``
that says what happened, and the scanner reports the rules that need them as ``error``, as it
would for any call that could not be made.
"""

from __future__ import annotations

import boto3
from botocore.exceptions import BotoCoreError

# service id (as botocore's events name it) -> operations moto lacks
UNSERVED = {
    "lambda": ("GetProvisionedConcurrencyConfig", "ListFunctionUrlConfigs"),
    "cloudfront": ("GetMonitoringSubscription", "GetVpcOrigin"),
}
MOTO_LACKS = {"lambda:GetProvisionedConcurrencyConfig", "cloudfront:GetMonitoringSubscription",
              "lambda:ListFunctionUrlConfigs"}  # the ones a seeded account's scan calls


class MotoLacksOperation(BotoCoreError):
    fmt = "moto does not serve {operation}"


def _unserved(model=None, **_):
    raise MotoLacksOperation(operation=model.name if model else "this operation")


def answer_unserved(session: boto3.Session) -> boto3.Session:
    """Clients made from ``session`` fail moto's missing operations before they are sent."""
    for service, operations in UNSERVED.items():
        for operation in operations:
            session.events.register_first(f"before-call.{service}.{operation}", _unserved)
    return session
