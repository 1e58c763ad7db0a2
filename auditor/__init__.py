"""edge-auditor: audits the CloudFront -> ALB -> Lambda request path of AWS accounts."""

__version__ = "0.8.0"
TOOL_NAME = "edge-auditor"
