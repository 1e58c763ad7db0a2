"""What a template's values can be besides plain data: unknown until deploy, a secret held
elsewhere, or nothing at all.

A rule must never pass on a value the template cannot determine, so an `Unknown` travels
with its reason (``Fn::ImportValue shared-AlbArn``) to the virtual AWS answers
(`auditor.iac.answers`), which turn it into a failed call: the results that needed it are
``error`` with that reason, exactly as a denied call is in a live scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.secrets import DEPLOY_TIME_PREFIX, Secret

NOT_KNOWN_CODE = "KnownOnlyAtDeploy"
NOT_APPLICABLE_CODE = "NotApplicableBeforeDeploy"


@dataclass(frozen=True)
class Unknown:
    """A value only a deployment can tell: an import from another stack, an SSM parameter,
    an attribute AWS assigns. ``why`` names it without revealing any secret."""

    why: str

    def __str__(self) -> str:
        return f"<known only at deploy time: {self.why}>"


class NoValue:
    """``Ref: AWS::NoValue``: the property is removed, as CloudFormation removes it."""

    _instance: NoValue | None = None

    def __new__(cls) -> NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = NoValue()

# {{resolve:service:reference}}: CloudFormation's dynamic references.
DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:([a-z-]+):([^}]*)\}\}")
SECRET_SERVICES = ("secretsmanager", "ssm-secure")


class DeployTimeSecret(Secret):
    """A secret the template names but does not hold (``{{resolve:secretsmanager:...}}``).

    Two references to the same secret and key hold the same value, whatever it is; a
    reference and a literal may or may not (the header matcher says: undetermined).
    ``reveal()`` gives a sentinel built from the reference, never a real value."""

    __slots__ = ()

    def __init__(self, reference: str) -> None:
        super().__init__(DEPLOY_TIME_PREFIX + reference)


def is_deploy_time(secret: Secret) -> bool:
    return secret.reveal().startswith(DEPLOY_TIME_PREFIX)


def dynamic_reference(text: str) -> DeployTimeSecret | Unknown | None:
    """A string holding a dynamic reference: a `DeployTimeSecret` for a secret, an
    `Unknown` for a plain SSM parameter; None when it holds none."""
    found = DYNAMIC_REFERENCE.search(text)
    if not found:
        return None
    if found.group(1) in SECRET_SERVICES:
        return DeployTimeSecret(text)
    return Unknown(f"dynamic reference {{{{resolve:{found.group(1)}:...}}}}")
