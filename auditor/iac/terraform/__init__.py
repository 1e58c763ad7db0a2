"""Terraform as a source of the estate: a plan (``terraform show -json``) or a folder of
``.tf`` source, turned into CloudFormation-shaped resources (`convert`) so the virtual
account answers the collectors' calls for Terraform exactly as it does for templates.

A reference is kept as a reference (`model.Reference`) until the resources are converted,
then becomes ``Ref``/``Fn::GetAtt`` of the resource it names: ``aws_lb.api.dns_name``
fronts that ALB because it gets that ALB's DNS name, not because a string looks like one.
"""
