"""One account's inventory: global services once, then each region."""

from __future__ import annotations

from collections.abc import Mapping

from auditor.collect import awslambda, cloudfront, cloudwatch, ec2, elbv2, wafv2
from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.inventory import Inventory, RegionInventory
from auditor.session import AwsContext

OPERATIONS = ("sts:GetCallerIdentity",)
ALL_OPERATIONS = tuple(
    sorted(
        {
            *OPERATIONS,
            *elbv2.OPERATIONS,
            *ec2.OPERATIONS,
            *awslambda.OPERATIONS,
            *cloudfront.OPERATIONS,
            *wafv2.OPERATIONS,
            *cloudwatch.OPERATIONS,
        }
    )
)
PAYLOAD_WINDOW_DAYS = 14
CONFIGURATION_CODES = (
    "NoCredentialsError",
    "PartialCredentialsError",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
)


class IdentityError(Exception):
    """The credentials do not resolve to an account: nothing can be scanned."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code

    @property
    def is_configuration(self) -> bool:
        """No usable credentials: the user's setup, not AWS, is at fault."""
        return self.code in CONFIGURATION_CODES


def identify(ctx: AwsContext) -> tuple[str, str]:
    """(account id, partition) of the credentials."""
    calls = Calls(ctx, "")
    response = calls.call("sts", ctx.default_region, "get_caller_identity")
    if isinstance(response, Unavailable):
        raise IdentityError(response.reason, response.code)
    return response["Account"], response["Arn"].split(":")[1]


def collect_region(
    calls: Calls, region: str, account: str, window_days: int = PAYLOAD_WINDOW_DAYS
) -> RegionInventory:
    lbs, tgs = elbv2.collect(calls, region, account)
    if isinstance(lbs, Unavailable) or isinstance(tgs, Unavailable):
        return RegionInventory(region, lbs, tgs)
    group_ids = [g for lb in lbs for g in lb.security_group_ids]
    targets = dict.fromkeys(
        t for tg in tgs if not isinstance(tg.targets, Unavailable) for t in tg.targets
    )
    return RegionInventory(
        region=region,
        load_balancers=lbs,
        target_groups=tgs,
        security_groups=ec2.security_groups(calls, region, group_ids) if group_ids else {},
        cloudfront_prefix_list_id=ec2.cloudfront_prefix_list_id(calls, region) if lbs else None,
        functions={arn: awslambda.collect_function(calls, region, account, arn) for arn in targets},
        alb_web_acls={lb.arn: wafv2.alb_web_acl(calls, region, lb.arn) for lb in lbs},
        payload_metrics=cloudwatch.payload_errors(calls, region, list(lbs), list(tgs), window_days),
    )


def collect_inventory(
    ctx: AwsContext,
    regions: list[str],
    account: str,
    partition: str = "aws",
    params: Mapping | None = None,
) -> Inventory:
    calls = Calls(ctx, account)
    distributions = cloudfront.collect(calls, account)
    edge_acls = {}
    if not isinstance(distributions, Unavailable):
        for acl_id in dict.fromkeys(d.web_acl_id for d in distributions if d.web_acl_id):
            edge_acls[acl_id] = wafv2.edge_web_acl(calls, acl_id)
    region_inventories = tuple(collect_region(calls, r, account) for r in regions)
    return Inventory(
        account=account,
        partition=partition,
        regions=region_inventories,
        distributions=distributions,
        edge_web_acls=edge_acls,
        failures=tuple(calls.failures),
    )
