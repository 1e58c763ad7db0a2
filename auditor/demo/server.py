"""A fake AWS account for the demo: moto's server on a free 127.0.0.1 port, in a thread.

moto does not implement Lambda provisioned concurrency, ``ListFunctionUrlConfigs`` nor
CloudFront monitoring subscriptions (its answer is 404), so the demo puts a small WSGI layer
in front of it that serves ``Put/GetProvisionedConcurrencyConfig``,
``Create/GetMonitoringSubscription`` and ``ListFunctionUrlConfigs`` (from moto's own
function URL configs, asked for the function and each alias) the way Lambda and CloudFront
do. That fills holes in the fake account; the product's code
does not change for it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.request
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote

PC_PATH = re.compile(r"^/2019-09-30/functions/(?P<name>[^/]+)/provisioned-concurrency/?$")
URLS_PATH = re.compile(r"^/2021-10-31/functions/(?P<name>[^/]+)/urls/?$")
MS_PATH = re.compile(r"^/2020-05-31/distributions/(?P<id>[^/]+)/monitoring-subscription/?$")
CF_NS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
URL_FIELDS = ("FunctionUrl", "FunctionArn", "CreationTime", "LastModifiedTime", "Cors",
              "AuthType", "InvokeMode")
STATUS = re.compile(r"<RealtimeMetricsSubscriptionStatus>(\w+)</RealtimeMetricsSubscriptionStatus>")


class MissingApisLayer:
    """WSGI middleware: answers the calls moto lacks, passes the rest to moto."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.configs: dict[tuple[str, str], int] = {}
        self.subscriptions: dict[str, str] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _function_name(raw: str) -> str:
        name = unquote(raw)
        return name.split(":")[6] if name.startswith("arn:") else name

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        urls = URLS_PATH.match(path)
        if urls and environ["REQUEST_METHOD"] == "GET":
            return self._url_configs(environ, start_response, urls["name"])
        subscription = MS_PATH.match(path)
        if subscription:
            return self._monitoring(environ, start_response, subscription["id"])
        match = PC_PATH.match(path)
        if not match:
            return self.app(environ, start_response)
        name = self._function_name(match["name"])
        qualifier = parse_qs(environ.get("QUERY_STRING", "")).get("Qualifier", [""])[0]
        method = environ["REQUEST_METHOD"]
        if method == "PUT":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            with self._lock:
                self.configs[(name, qualifier)] = int(body["ProvisionedConcurrentExecutions"])
            return self._answer(start_response, 202, self._config(name, qualifier))
        if method == "GET":
            if (name, qualifier) in self.configs:
                return self._answer(start_response, 200, self._config(name, qualifier))
            return self._answer(
                start_response,
                404,
                {
                    "Type": "User",
                    "message": "No Provisioned Concurrency Config found for this function",
                },
                error="ProvisionedConcurrencyConfigNotFoundException",
            )
        return self.app(environ, start_response)

    def _ask(self, environ: dict, path: str, query: str = "") -> tuple[int, Any]:
        """A GET to moto itself, signed as the caller's request was (same account)."""
        import io

        uri = path + (f"?{query}" if query else "")
        inner = {**environ, "PATH_INFO": path, "QUERY_STRING": query, "REQUEST_URI": uri,
                 "RAW_URI": uri, "REQUEST_METHOD": "GET", "CONTENT_LENGTH": "0",
                 "wsgi.input": io.BytesIO()}
        status: list[str] = []
        body = b"".join(self.app(inner, lambda s, h, exc=None: status.append(s)))
        code = int(status[0].split()[0]) if status else 500
        return code, json.loads(body or b"{}") if 200 <= code < 300 else None  # moto: 201

    def _url_configs(self, environ: dict, start_response: Callable, name: str) -> list:
        _, aliases = self._ask(environ, f"/2015-03-31/functions/{name}/aliases")
        if aliases is None:
            return self._answer(start_response, 404, {"Type": "User", "message": "not found"},
                                error="ResourceNotFoundException")
        found: dict[str, dict] = {}
        for qualifier in ["", *(a["Name"] for a in aliases.get("Aliases") or [])]:
            query = f"Qualifier={qualifier}" if qualifier else ""
            _, config = self._ask(environ, f"/2021-10-31/functions/{name}/url", query)
            if config:
                found.setdefault(config.get("FunctionArn", ""), config)
        configs = [{k: v for k, v in c.items() if k in URL_FIELDS} for c in found.values()]
        return self._answer(start_response, 200, {"FunctionUrlConfigs": configs})

    def _monitoring(self, environ: dict, start_response: Callable, dist_id: str) -> list:
        method = environ["REQUEST_METHOD"]
        if method in ("POST", "PUT"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            found = STATUS.search(environ["wsgi.input"].read(length).decode())
            with self._lock:
                self.subscriptions[dist_id] = found.group(1) if found else "Enabled"
        elif dist_id not in self.subscriptions:
            body = (f'<?xml version="1.0"?><ErrorResponse xmlns="{CF_NS}"><Error><Type>Sender'
                    "</Type><Code>NoSuchMonitoringSubscription</Code><Message>No monitoring "
                    "subscription</Message></Error><RequestId>demo</RequestId></ErrorResponse>")
            return self._xml(start_response, "404 Not Found", body)
        body = (f'<?xml version="1.0"?><MonitoringSubscription xmlns="{CF_NS}">'
                "<RealtimeMetricsSubscriptionConfig><RealtimeMetricsSubscriptionStatus>"
                f"{self.subscriptions[dist_id]}</RealtimeMetricsSubscriptionStatus>"
                "</RealtimeMetricsSubscriptionConfig></MonitoringSubscription>")
        return self._xml(start_response, "200 OK", body)

    @staticmethod
    def _xml(start_response: Callable, status: str, body: str) -> list:
        payload = body.encode()
        start_response(status, [("Content-Type", "text/xml"),
                                ("Content-Length", str(len(payload)))])
        return [payload]

    def _config(self, name: str, qualifier: str) -> dict[str, Any]:
        count = self.configs[(name, qualifier)]
        return {
            "RequestedProvisionedConcurrentExecutions": count,
            "AvailableProvisionedConcurrentExecutions": count,
            "AllocatedProvisionedConcurrentExecutions": count,
            "Status": "READY",
            "LastModified": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        }

    @staticmethod
    def _answer(start_response: Callable, status: int, body: dict, error: str = "") -> list:
        payload = json.dumps(body).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        if error:
            headers.append(("x-amzn-ErrorType", error))
        reason = {200: "OK", 202: "Accepted", 404: "Not Found"}[status]
        start_response(f"{status} {reason}", headers)
        return [payload]


class DemoUnavailable(Exception):
    """The demo cannot start here (moto is not installed): one line and exit 2."""


class FakeAwsServer:
    """moto's server (plus the layer above) on 127.0.0.1, a free port, a daemon thread."""

    def __init__(self, port: int = 0, layer: Callable | None = None) -> None:
        self._port = port  # 0: a free one
        self._layer = layer  # a WSGI middleware around it all (a test's request recorder)
        self._server = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FakeAwsServer:
        try:
            from moto.moto_server.werkzeug_app import (
                DomainDispatcherApplication,
                MotoRequestHandler,
                create_backend_app,
            )
            from werkzeug.serving import make_server
        except ImportError as exc:  # the demo extra is not installed
            raise DemoUnavailable(
                f"the demo needs moto's server ({exc.name or exc} is not installed), which "
                "a plain `pip install .` leaves out: pip install '.[demo]' (from PyPI: "
                "pip install 'edge-auditor[demo]')") from exc
        # No request log and no server-side tracebacks on stderr: an operation moto lacks
        # (wafv2:ListResourcesForWebACL) answers 500 and moto logs its NotImplementedError;
        # the scanner already handles the failed call (it falls back to per-ALB lookups),
        # so the fake account's own complaint is noise in the user's first command.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        app = MissingApisLayer(DomainDispatcherApplication(create_backend_app))
        if self._layer is not None:
            app = self._layer(app)
        self._server = make_server(
            "127.0.0.1", self._port, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        # moto keeps its accounts in process-wide state: start every demo from an empty one.
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass
        return self

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
