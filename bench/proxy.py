"""A fake AWS in front of moto: per-call latency, AWS's token buckets, injected faults.

Every request is forwarded to a moto server after ``latency`` seconds, unless its bucket
(same table as the scanner's pacer, `auditor.pacing.LIMITS`) is empty, in which case it is
answered as AWS answers a throttled call, in the service's own protocol. Faults for the
reliability tests: a share of calls throttled or answered 500/503 at random, connections
reset, and operations denied outright.

Usable as a context manager in tests, or on its own: ``python -m bench.proxy --upstream URL``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from auditor.pacing import LIMITS, TokenBucket, bucket_id, bucket_key
from bench.protocols import Call, error_response, identify, throttle_response


@dataclass
class Faults:
    throttle_rate: float = 0.0  # share of calls answered as throttled, at random
    server_error_rate: float = 0.0  # share answered 500 or 503
    reset_rate: float = 0.0  # share whose connection is reset
    deny: frozenset[str] = frozenset()  # "service:Operation" answered AccessDenied
    errors: dict = field(default_factory=dict)  # "service:Operation" -> (code, HTTP status)
    seed: int = 7


@dataclass
class ProxyStats:
    calls: Counter = field(default_factory=Counter)  # "service:Operation" -> requests
    scoped: Counter = field(default_factory=Counter)  # (key, region, service, op) -> requests
    throttled: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, counter: Counter, key: str) -> None:
        with self.lock:
            counter[key] += 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeAws

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, headers: dict, body: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        call = identify(self.command, self.path, headers, body)
        fake = self.server
        fake._local.body = body
        if fake.latency:
            time.sleep(fake.latency)
        if call is not None:
            op = f"{call.service}:{call.operation}"
            fake.stats.add(fake.stats.calls, op)
            fake.stats.add(fake.stats.scoped,
                           (call.access_key, call.region, call.service, call.operation))
            answer = fake.intercept(call, op)
            if answer == "reset":
                self.close_connection = True
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.close()
                return
            if answer is not None:
                self._send(*answer)
                return
        self._send(*fake.forward(self.command, self.path, self.headers, body))

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle


class FakeAws(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, upstream: str, latency: float = 0.040, throttle: bool = True,
                 faults: Faults | None = None, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.upstream = urlsplit(upstream)
        self.latency = latency
        self.throttle = throttle
        self.faults = faults or Faults()
        self.stats = ProxyStats()
        self._buckets: dict[tuple, TokenBucket] = {}
        self._lock = threading.Lock()
        self._random = random.Random(self.faults.seed)
        self._local = threading.local()
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def _bucket(self, call: Call) -> TokenBucket | None:
        ident = bucket_id(call.access_key, call.region, call.service, call.operation)
        if ident is None:
            return None
        with self._lock:
            if ident not in self._buckets:
                self._buckets[ident] = TokenBucket(LIMITS[bucket_key(call.service,
                                                                     call.operation)])
            return self._buckets[ident]

    def intercept(self, call: Call, op: str):
        """An answer in place of moto's, "reset", or None to forward."""
        faults = self.faults
        if op in faults.deny:
            self.stats.add(self.stats.faults, f"deny {op}")
            code = "AccessDeniedException" if call.protocol in ("json", "rest-json") \
                else "AccessDenied"
            return error_response(call, code, 403, f"User is not authorized to perform: {op}")
        if op in faults.errors:
            code, status = faults.errors[op]
            self.stats.add(self.stats.faults, f"{code} {op}")
            return error_response(call, code, status, "the resource no longer exists")
        with self._lock:
            roll = self._random.random()
        if roll < faults.reset_rate:
            self.stats.add(self.stats.faults, "reset")
            return "reset"
        roll -= faults.reset_rate
        if roll < faults.server_error_rate:
            self.stats.add(self.stats.faults, "5xx")
            status = 500 if roll < faults.server_error_rate / 2 else 503
            code = "InternalFailure" if status == 500 else "ServiceUnavailable"
            return error_response(call, code, status, "injected fault")
        roll -= faults.server_error_rate
        if roll < faults.throttle_rate:
            self.stats.add(self.stats.throttled, op)
            return throttle_response(call)
        bucket = self._bucket(call) if self.throttle else None
        if bucket is not None and not bucket.try_take():
            self.stats.add(self.stats.throttled, op)
            return throttle_response(call)
        if op == "wafv2:ListResourcesForWebACL":
            return self._resources_for_web_acl(call)
        return None

    def _resources_for_web_acl(self, call: Call):
        """moto lacks ListResourcesForWebACL: answer it from moto's own associations, read
        through moto's API (uncounted: this is the fake AWS looking at itself)."""
        import boto3
        from botocore.config import Config

        body = json.loads(self._local.body or b"{}")
        session = boto3.Session(aws_access_key_id=call.access_key, aws_secret_access_key="x",
                                region_name=call.region)
        url = f"http://{self.upstream.hostname}:{self.upstream.port}"
        config = Config(retries={"max_attempts": 1})
        elb = session.client("elbv2", endpoint_url=url, config=config)
        waf = session.client("wafv2", endpoint_url=url, config=config)
        found = []
        for page in elb.get_paginator("describe_load_balancers").paginate():
            for lb in page["LoadBalancers"]:
                acl = waf.get_web_acl_for_resource(ResourceArn=lb["LoadBalancerArn"])
                if (acl.get("WebACL") or {}).get("ARN") == body.get("WebACLArn"):
                    found.append(lb["LoadBalancerArn"])
        payload = json.dumps({"ResourceArns": found}).encode()
        return 200, {"Content-Type": "application/x-amz-json-1.1"}, payload

    def forward(self, method: str, path: str, headers, body: bytes):
        conn = getattr(self._local, "conn", None)
        for attempt in range(2):
            if conn is None:
                conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port,
                                                  timeout=60)
                self._local.conn = conn
            try:
                conn.request(method, path, body=body or None,
                             headers={k: v for k, v in headers.items()
                                      if k.lower() not in ("connection", "keep-alive")})
                response = conn.getresponse()
                data = response.read()
                return response.status, dict(response.getheaders()), data
            except (ConnectionError, http.client.HTTPException, OSError):
                conn.close()
                conn = self._local.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def __enter__(self) -> FakeAws:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="the moto server's URL")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=40)
    parser.add_argument("--no-throttle", action="store_true")
    args = parser.parse_args()
    with FakeAws(args.upstream, args.latency_ms / 1000, not args.no_throttle,
                 port=args.port) as fake:
        print(f"fake AWS on {fake.endpoint} -> {args.upstream}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
