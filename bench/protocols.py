"""What a request to the fake AWS is (service, operation, region, key) and how each AWS
protocol answers an error, read from botocore's own service models."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qs, urlsplit

import botocore.session

SERVICES = ("elbv2", "ec2", "lambda", "cloudfront", "wafv2", "cloudwatch", "sts", "route53",
            "apigateway", "iam", "acm", "organizations", "s3")
AUTH = re.compile(r"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class Call:
    service: str  # botocore service name
    operation: str
    region: str
    access_key: str
    protocol: str


@cache
def _models():
    session = botocore.session.get_session()
    by_signing: dict[str, list] = {}
    for name in SERVICES:
        model = session.get_service_model(name)
        routes = []
        if model.protocol.startswith("rest"):
            for op_name in model.operation_names:
                http = model.operation_model(op_name).http
                path = http["requestUri"].split("?")[0]
                pattern = re.sub(r"\\{[^}]+\\+\\}", ".+", re.escape(path))
                pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", pattern)
                routes.append((http["method"], re.compile(f"^{pattern}/?$"), op_name,
                               path.count("/")))
            routes.sort(key=lambda r: -len(r[1].pattern))
        by_signing.setdefault(model.signing_name, []).append((name, model, routes))
    return by_signing


def identify(method: str, path: str, headers: dict[str, str], body: bytes) -> Call | None:
    auth = AUTH.search(headers.get("authorization", ""))
    if not auth:
        return None
    key, region, signing = auth.groups()
    candidates = _models().get(signing, [])
    target = headers.get("x-amz-target", "")
    url = urlsplit(path)
    for name, model, routes in candidates:
        protocol = model.protocol
        if "/operation/" in url.path:  # smithy-rpc-v2-cbor
            return Call(name, url.path.rsplit("/", 1)[-1], region, key, "smithy-rpc-v2-cbor")
        if target and target.split(".")[0] == model.metadata.get("targetPrefix"):
            return Call(name, target.split(".", 1)[1], region, key, "json")
        if protocol in ("query", "ec2"):
            form = parse_qs(url.query) | parse_qs(body.decode(errors="replace"))
            if form.get("Action"):
                return Call(name, form["Action"][0], region, key, protocol)
        for verb, pattern, op_name, _ in routes:
            if verb == method and pattern.match(url.path):
                return Call(name, op_name, region, key, protocol)
    return None


def _cbor_text(value: str) -> bytes:
    data = value.encode()
    if len(data) < 24:
        return bytes([0x60 + len(data)]) + data
    if len(data) < 256:
        return bytes([0x78, len(data)]) + data
    return bytes([0x79]) + len(data).to_bytes(2, "big") + data


def _cbor_map(items: dict[str, str]) -> bytes:
    out = bytes([0xA0 + len(items)])
    for k, v in items.items():
        out += _cbor_text(k) + _cbor_text(v)
    return out


# The code and status AWS answers a throttled call with, per service.
THROTTLE = {
    "ec2": ("RequestLimitExceeded", 503), "lambda": ("TooManyRequestsException", 429),
    "apigateway": ("TooManyRequestsException", 429), "wafv2": ("ThrottlingException", 400),
    "elbv2": ("Throttling", 400),
}


def error_response(call: Call, code: str, status: int, message: str):
    """(status, headers, body) of an AWS error in the call's own protocol."""
    protocol = call.protocol
    if protocol == "ec2":
        body = (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
                "</Error></Errors><RequestID>bench</RequestID></Response>")
        return status, {"Content-Type": "text/xml"}, body.encode()
    if protocol in ("query", "rest-xml"):
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>"
                f"{message}</Message></Error><RequestId>bench</RequestId></ErrorResponse>")
        return status, {"Content-Type": "text/xml"}, body.encode()
    if protocol == "smithy-rpc-v2-cbor":
        return status, {"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"}, \
            _cbor_map({"__type": code, "message": message})
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
    return status, headers, json.dumps({"__type": code, "message": message}).encode()


def throttle_response(call: Call):
    code, status = THROTTLE.get(call.service, ("Throttling", 400))
    return error_response(call, code, status, "Rate exceeded")
