"""The estate the pack's CASES run on: a moto account (in process, no AWS call leaves the
machine) with one ALB forwarding to two Lambda target groups, one named and tagged the
way the organisation wants and one not, and an instance target group the rules leave
out. Built with boto3 as a real account would be, then read by the real collectors."""

import io
import zipfile

REGION = "us-east-1"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def seed(session) -> None:
    ec2, elbv2 = session.client("ec2"), session.client("elbv2")
    lam, iam = session.client("lambda"), session.client("iam")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                                 AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
               for i, zone in enumerate("ab")]
    group = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
    alb = elbv2.create_load_balancer(Name="orders", Subnets=subnets, SecurityGroups=[group],
                                     Scheme="internet-facing", Type="application")
    alb_arn = alb["LoadBalancers"][0]["LoadBalancerArn"]
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    forwards = []
    for name, tags in (("team-orders", {"owner": "orders", "cost-center": "42"}),
                       ("legacy", {})):
        function = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                       Handler="index.handler", Code={"ZipFile": _zip()})
        tg = elbv2.create_target_group(Name=name, TargetType="lambda")
        tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
        if tags:
            elbv2.add_tags(ResourceArns=[tg_arn],
                           Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        elbv2.register_targets(TargetGroupArn=tg_arn,
                               Targets=[{"Id": function["FunctionArn"]}])
        forwards.append(tg_arn)
    elbv2.create_target_group(Name="legacy-instances", Protocol="HTTP", Port=80, VpcId=vpc,
                              TargetType="instance")
    listener = elbv2.create_listener(
        LoadBalancerArn=alb_arn, Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": forwards[0]}])
    elbv2.create_rule(ListenerArn=listener["Listeners"][0]["ListenerArn"], Priority=10,
                      Conditions=[{"Field": "path-pattern", "Values": ["/legacy/*"]}],
                      Actions=[{"Type": "forward", "TargetGroupArn": forwards[1]}])


def topology(facets=(), deny=()):
    """The seeded estate as the rules see it."""
    import boto3
    from moto import mock_aws

    from auditor.testing import topology_from_moto

    with mock_aws():
        seed(boto3.Session(region_name=REGION))
        return topology_from_moto([REGION], facets=facets, deny=deny)
