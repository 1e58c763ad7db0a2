"""What both Terraform readers produce: resources with values, references kept as such."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.iac.template import Location

# Attributes whose value is a secret Terraform makes or reads: two references to the same
# one hold the same value (a header CloudFront sends and the rule that checks it), whatever
# it is, and nothing prints it.
SECRET_ATTRIBUTES = {
    "random_password": {"result", "bcrypt_hash"},
    "random_string": {"result", "id"},
    "random_uuid": {"result", "id"},
    "random_id": {"hex", "b64_url", "b64_std", "dec", "id"},
    "aws_secretsmanager_secret_version": {"secret_string"},
    "aws_ssm_parameter": {"value", "insecure_value"},
}


@dataclass(frozen=True)
class Reference:
    """``address.attribute``: an attribute of another resource (or data source)."""

    address: str  # module.web.aws_lb.api[0], data.aws_region.current
    attribute: str
    path: tuple[Any, ...] = ()  # what follows the attribute: [0], .name

    def __str__(self) -> str:
        rest = "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in self.path)
        return f"{self.address}.{self.attribute}{rest}"


@dataclass(frozen=True)
class Concat:
    """A string template with references in it (``"https://${aws_lb.api.dns_name}"``)."""

    parts: tuple[Any, ...]


@dataclass
class TfResource:
    address: str
    type: str
    mode: str  # managed | data
    values: dict[str, Any]
    location: Location
    known: dict[str, Any] = field(default_factory=dict)  # attributes a plan already knows


def secret_type(address: str) -> str:
    """The resource type of an address (module and data prefixes and index dropped)."""
    parts = [p for p in address.split(".") if p]
    while parts and parts[0] == "module":
        parts = parts[2:]
    if parts and parts[0] == "data":
        parts = parts[1:]
    return parts[0] if parts else ""
