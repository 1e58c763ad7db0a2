"""A CDK app of the pattern, written for the tests with aws-cdk-lib's L2 constructs:
``python app.py OUTDIR`` synthesizes it (jsii runs the construct library on Node.js).

- ApiStack: a VPC, an internet-facing ALB open to the world on port 80, a function behind
  it through ``LambdaTarget`` (the naive layout); EdgeStack: a Distribution whose origin is
  that ALB (``LoadBalancerV2Origin``), a cross-stack reference CDK writes as an export and
  an ``Fn::ImportValue``.
- HardenedStack: the same, with the ALB's group open only to CloudFront's prefix list, a
  fixed 403 by default, and a listener rule that forwards only with the secret header the
  distribution sends.
"""

import sys

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_elasticloadbalancingv2_targets as targets
from aws_cdk import aws_lambda as lambda_

SECRET = "cdk-origin-secret-" + "k3" * 12
CODE = "def handler(event, context):\n    return {'statusCode': 200}\n"


def function(scope, timeout: int) -> lambda_.Function:
    return lambda_.Function(scope, "Handler", runtime=lambda_.Runtime.PYTHON_3_12,
                            handler="index.handler", code=lambda_.Code.from_inline(CODE),
                            timeout=cdk.Duration.seconds(timeout))


def naive(app: cdk.App, env: cdk.Environment) -> None:
    api = cdk.Stack(app, "ApiStack", env=env)
    vpc = ec2.Vpc(api, "Vpc", max_azs=2, nat_gateways=0)
    alb = elbv2.ApplicationLoadBalancer(api, "Alb", vpc=vpc, internet_facing=True)
    listener = alb.add_listener("Http", port=80, open=True)
    listener.add_targets("Fn", targets=[targets.LambdaTarget(function(api, 60))])
    edge = cdk.Stack(app, "EdgeStack", env=env)
    cloudfront.Distribution(edge, "Cdn", default_behavior=cloudfront.BehaviorOptions(
        origin=origins.LoadBalancerV2Origin(
            alb, protocol_policy=cloudfront.OriginProtocolPolicy.HTTP_ONLY)))


def hardened(app: cdk.App, env: cdk.Environment) -> None:
    stack = cdk.Stack(app, "HardenedStack", env=env)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    group = ec2.SecurityGroup(stack, "AlbGroup", vpc=vpc, allow_all_outbound=True)
    group.add_ingress_rule(ec2.Peer.prefix_list("pl-3b927c52"), ec2.Port.tcp(80),
                           "CloudFront origin-facing")
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc, internet_facing=True,
                                        security_group=group)
    listener = alb.add_listener("Http", port=80, open=False,
                                default_action=elbv2.ListenerAction.fixed_response(403))
    listener.add_targets("Fn", priority=1, targets=[targets.LambdaTarget(function(stack, 20))],
                         conditions=[elbv2.ListenerCondition.http_header("X-Origin-Verify",
                                                                         [SECRET])])
    cloudfront.Distribution(stack, "Cdn", default_behavior=cloudfront.BehaviorOptions(
        origin=origins.LoadBalancerV2Origin(
            alb, protocol_policy=cloudfront.OriginProtocolPolicy.HTTP_ONLY,
            custom_headers={"X-Origin-Verify": SECRET})))


if __name__ == "__main__":
    app = cdk.App(outdir=sys.argv[1])
    env = cdk.Environment(account="123456789012", region="us-east-1")
    naive(app, env)
    hardened(app, env)
    app.synth()
