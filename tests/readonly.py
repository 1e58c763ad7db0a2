"""The read-only proof: every AWS operation a scanner sends, recorded across the whole test
session by botocore event hooks, must be in the shipped IAM policy and must only read."""

from __future__ import annotations

RECORDED: set[str] = set()
# IAM actions declared by the rule packs' facets loaded in this session (auditor.packs):
# ``edge-audit iam-policy`` adds them to the shipped policy, so the proof allows them too
PACK_ACTIONS: set[str] = set()
READ_VERBS = ("Describe", "Get", "List")
CREDENTIALS = {"sts:AssumeRole"}  # obtains credentials; changes nothing


def record_pack(pack):
    """Wraps auditor.packs.load_pack: the loaded pack's declared facet actions."""
    PACK_ACTIONS.update(a for facet in pack.facets for a in facet.actions)
    return pack


def record(model=None, **_) -> None:
    if model is not None:
        RECORDED.add(f"{model.service_model.service_name}:{model.name}")


def violations(operations: set[str]) -> list[str]:
    from tests.test_iam_policy import iam_action, policy_actions

    allowed = policy_actions() | PACK_ACTIONS
    found = []
    for op in sorted(operations):
        name = op.split(":", 1)[1]
        if iam_action(op) not in allowed:
            found.append(f"{op}: not in the shipped IAM policy")
        if not name.startswith(READ_VERBS) and op not in CREDENTIALS:
            found.append(f"{op}: not a read operation")
    return found
