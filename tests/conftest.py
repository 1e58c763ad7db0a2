"""Shared fixtures: fake credentials, a moto account in process, a moto server on loopback."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from bench.server import moto_server as bench_moto_server

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(autouse=True, scope="session")
def record_every_operation():
    """Every client a scanner builds reports each call it sends, and every rule pack loaded
    the actions its facets declare (tests/readonly.py)."""
    from auditor import packs
    from auditor.session import AwsContext
    from tests import readonly

    original, load_pack = AwsContext._instrument, packs.load_pack

    def instrument(self, client, service, region):
        original(self, client, service, region)
        client.meta.events.register("before-call", readonly.record)

    AwsContext._instrument = instrument
    packs.load_pack = lambda *a, **k: readonly.record_pack(load_pack(*a, **k))
    yield
    AwsContext._instrument, packs.load_pack = original, load_pack


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if any scanner call was outside the policy or not a read."""
    from tests import readonly

    problems = readonly.violations(readonly.RECORDED)
    if problems:
        print("\nREAD-ONLY PROOF FAILED:\n  " + "\n  ".join(problems))
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch):
    """No test may reach a real account: fake keys, no profile, no endpoint override."""
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in FAKE_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def ctx():
    """A scanner context for Stubber tests: no endpoint, fake credentials."""
    from auditor.session import AwsContext

    return AwsContext.from_options()


@pytest.fixture
def moto_session():
    from tests.moto_gaps import answer_unserved

    with mock_aws():
        yield answer_unserved(boto3.Session(region_name="us-east-1"))


@pytest.fixture(scope="module")
def moto_server():
    """A real moto server, in its own process, on a free 127.0.0.1 port."""
    with bench_moto_server() as url:
        yield url
