"""ORG-002: every Lambda target group carries the tags the organisation requires.

The built-in collectors do not read target group tags, so this pack declares a facet: the
one IAM action it needs and a collector that reads the tags of the scanned region's Lambda
target groups only (20 ARNs a call, DescribeTags' limit).
"""

from auditor.api import Facet, Rule, Severity, SubjectKind, Verdict

TAGS_FACET = "org.target-group-tags"


def collect_target_group_tags(clients, scope):
    """{target group ARN: {tag key: value}} for the region's Lambda target groups."""
    elbv2 = clients("elbv2")
    tags = {}
    arns = list(scope.target_groups)
    for start in range(0, len(arns), 20):
        answer = elbv2.describe_tags(ResourceArns=arns[start:start + 20])
        for description in answer["TagDescriptions"]:
            tags[description["ResourceArn"]] = {t["Key"]: t.get("Value", "")
                                                for t in description.get("Tags", [])}
    return tags


FACETS = [Facet(name=TAGS_FACET, actions=("elasticloadbalancing:DescribeTags",),
                collect=collect_target_group_tags,
                description="the tags of the Lambda target groups")]


def check_required_tags(topology, tg, params):
    tags = topology.facet(TAGS_FACET, tg).get(tg.arn, {})
    missing = [key for key in params["required"] if not tags.get(key)]
    if missing:
        return Verdict.fail(f"{tg.name} lacks the tag(s) {', '.join(missing)}", [tg.arn],
                            missing=missing)
    return Verdict.ok(f"{tg.name} has {', '.join(params['required'])}", [tg.arn])


RULES = [Rule(id="ORG-002", slug="tg-required-tags", severity=Severity.MEDIUM,
              title="Target group lacks the organisation's tags", cites="org policy",
              recommendation="Tag every Lambda target group with its owner and cost centre",
              rationale="Cost and on-call routing are read from these tags.",
              remediation="Add the missing tags (aws elbv2 add-tags).",
              subject=SubjectKind.LAMBDA_TARGET_GROUP, check=check_required_tags,
              params={"required": ["owner", "cost-center"]}, needs=(TAGS_FACET,))]
