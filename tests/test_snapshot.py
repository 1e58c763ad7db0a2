"""Snapshots: collect + evaluate equals scan, result for result, and holds no secret."""

from __future__ import annotations

import json

import pytest

from auditor import snapshot
from auditor.demo import collect_demo
from auditor.report.json_report import result_dict
from auditor.rules import load_rules
from auditor.scan import evaluate


@pytest.fixture(scope="module")
def demo_collection():
    return collect_demo()


def test_round_trip_is_exact(demo_collection):
    collection, _ = demo_collection
    assert snapshot.loads(snapshot.dumps(collection)) == collection


def test_evaluate_of_snapshot_equals_scan(demo_collection):
    collection, secrets = demo_collection
    rules = load_rules()
    scanned = evaluate(collection, rules, secrets=secrets)
    offline = evaluate(snapshot.loads(snapshot.dumps(collection)), rules)
    assert [result_dict(r) for r in offline.results] == [result_dict(r) for r in scanned.results]
    assert offline.complete == scanned.complete


def test_snapshot_holds_no_secret_and_no_hash(demo_collection):
    import hashlib

    collection, secrets = demo_collection
    text = snapshot.dumps(collection)
    assert len(secrets) >= 4
    for secret in secrets:
        value = secret.reveal()
        assert value not in text
        assert hashlib.sha256(value.encode()).hexdigest() not in text
    doc = json.loads(text)
    assert doc["collection"]["inventories"][0]["header_matches"]  # verdicts kept instead


def test_unsealed_inventory_cannot_be_saved():
    from dataclasses import replace

    from tests.scenario import Scenario

    collection, _ = collect_demo()
    raw = replace(collection, inventories=(Scenario().build(),))
    with pytest.raises((ValueError, TypeError)):
        snapshot.dumps(raw)


@pytest.mark.parametrize("text", ["not json", "{}", '{"snapshot_version": 1}',
                                  '{"snapshot_version": 1, "collection": {"id": 1}}'])
def test_malformed_snapshots_are_rejected(text):
    with pytest.raises(snapshot.SnapshotError):
        snapshot.loads(text)
