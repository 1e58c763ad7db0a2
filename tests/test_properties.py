"""Property-based: secrets never leave, hostile names cannot hurt, evaluation never raises."""

from __future__ import annotations

import json
import logging
import string
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.engine import evaluate
from auditor.inventory import OriginHeader
from auditor.report import renderer
from auditor.report.json_report import validate
from auditor.rules import load_rules
from auditor.scan import Report, ScanInfo, now
from auditor.secrets import Secret
from tests.scenario import ACCOUNT, Scenario, header_condition, rule

RULES = load_rules()
FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
HEADER_NAMES = st.text(string.ascii_letters + "-", min_size=1, max_size=30)
# Distinctive, like real secrets: a value of all zeros would "appear" inside any number.
SECRETS = st.text(string.ascii_letters + string.digits + "-_.~+/=", min_size=8,
                  max_size=64).map(lambda s: "k" + s)


def report_of(inventory) -> Report:
    results = evaluate(inventory, RULES)
    info = ScanInfo("id", now(), now(), (ACCOUNT,), ("us-east-1",), 0, 0, (), tuple(
        r.id for r in RULES))
    return Report(info, tuple(results), tuple(inventory.secrets()))


def outputs(report: Report) -> list[str]:
    texts = [renderer(fmt)(report) for fmt in ("json", "table")]
    validate(json.loads(texts[0]))
    return texts


@FAST
@given(name=HEADER_NAMES, sent=SECRETS, accepted=SECRETS, same=st.booleans())
def test_header_values_never_leave_the_process(caplog, name, sent, accepted, same):
    accepted = sent if same else accepted
    scenario = Scenario().but(
        origin_headers=(OriginHeader(name, Secret(sent)),),
        rules=(rule(headers=(header_condition(accepted, name=name),)),
               rule(default=True, target="")))
    with caplog.at_level(logging.DEBUG):
        texts = outputs(report_of(scenario.build()))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for value in {sent, accepted}:
        assert all(value not in text for text in texts)
        assert value not in logged


HOSTILE = st.one_of(
    st.text(min_size=1, max_size=300),
    st.sampled_from(["\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "<script>alert(1)</script>",
                     "a\rb\nc\td", "名前-🙂-ñ", "x" * 5000, "\u202eevil", "\x00\x07\x08"]))


@FAST
@given(alb_name=HOSTILE, header=HOSTILE, origin_id=HOSTILE)
def test_hostile_names_cannot_drive_the_terminal_or_break_json(alb_name, header, origin_id):
    scenario = Scenario()
    alb = replace(scenario.alb(), name=alb_name)
    dist = scenario.distribution()
    origin = replace(dist.origins[0], origin_id=origin_id,
                     custom_headers=(OriginHeader(header, Secret("s3cr3t-value")),))
    inventory = scenario.but(load_balancers=(alb,), ingress=(),
                             distributions=(replace(dist, origins=(origin,)),)).build()
    json_text, table = outputs(report_of(inventory))
    assert "\x1b" not in table and "\x07" not in table and "\x00" not in table
    assert json.loads(json_text)["results"]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_evaluation_never_raises_on_random_inventories(data):
    draw = data.draw
    scenario = Scenario().but(
        scheme=draw(st.sampled_from(["internet-facing", "internal", "", "weird"])),
        fronted=draw(st.booleans()),
        origin_protocol=draw(st.sampled_from(["https-only", "http-only", "match-viewer", ""])),
        origin_read_timeout=draw(st.integers(0, 10_000)),
        timeout=draw(st.integers(0, 100_000)),
        listener_ports=tuple(draw(st.lists(st.integers(0, 65535), max_size=4))),
        alb_attributes=draw(st.dictionaries(st.sampled_from([
            "idle_timeout.timeout_seconds", "deletion_protection.enabled",
            "routing.http.desync_mitigation_mode"]), st.text(max_size=8))),
        tg_attributes=draw(st.dictionaries(st.just("lambda.multi_value_headers.enabled"),
                                           st.text(max_size=6))),
        target_group_count=draw(st.integers(0, 1000)),
        provisioned=draw(st.one_of(st.none(), st.integers(0, 100))))
    try:
        inventory = scenario.build()
    except ValueError:
        return
    report = report_of(inventory)
    assert all(r.status.value in ("pass", "fail", "error") for r in report.results)
    assert not [r for r in report.results if "internal error" in r.message]
    validate(json.loads(renderer("json")(report)))
