# Not from the public repository: edge-auditor's addition to the Armageddon lab (see
# PROVENANCE.md). It puts a Lambda function behind the lab's ALB, so the lab's CloudFront
# distribution, origin cloaking and web ACL front this pattern. The route checks the same
# header the lab's own rule checks, with the same random_password.

resource "aws_iam_role" "kandagawa_api_role01" {
  name               = "${var.project_name}-api-role01"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}

resource "aws_lambda_function" "kandagawa_api01" {
  function_name = "${var.project_name}-api01"
  role          = aws_iam_role.kandagawa_api_role01.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "app.zip"
  timeout       = 10
}

resource "aws_lambda_alias" "kandagawa_api_live01" {
  name             = "live"
  function_name    = aws_lambda_function.kandagawa_api01.function_name
  function_version = "1"
}

resource "aws_lb_target_group" "kandagawa_api_tg01" {
  name                               = "${var.project_name}-api-tg01"
  target_type                        = "lambda"
  lambda_multi_value_headers_enabled = true
}

resource "aws_lambda_permission" "kandagawa_api_from_alb01" {
  statement_id  = "AllowALB"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.kandagawa_api01.function_name
  qualifier     = aws_lambda_alias.kandagawa_api_live01.name
  principal     = "elasticloadbalancing.amazonaws.com"
  source_arn    = aws_lb_target_group.kandagawa_api_tg01.arn
}

resource "aws_lb_target_group_attachment" "kandagawa_api01" {
  target_group_arn = aws_lb_target_group.kandagawa_api_tg01.arn
  target_id        = aws_lambda_alias.kandagawa_api_live01.arn
  depends_on       = [aws_lambda_permission.kandagawa_api_from_alb01]
}

# The lab's "https" listener is HTTP on port 80 (its HTTPS one is commented out), so
# CloudFront's https-only origin reaches nothing; the route gets a 443 listener of its own.
resource "aws_lb_listener" "kandagawa_api_https01" {
  load_balancer_arn = aws_lb.kandagawa_alb01.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate.kandagawa_acm_cert01.arn

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "Forbidden"
      status_code  = "403"
    }
  }
}

resource "aws_lb_listener_rule" "kandagawa_api_route01" {
  listener_arn = aws_lb_listener.kandagawa_api_https01.arn
  priority     = var.api_route_priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.kandagawa_api_tg01.arn
  }

  condition {
    path_pattern { values = ["/api/*"] }
  }

  dynamic "condition" {
    for_each = var.api_route_checks_header ? [1] : []
    content {
      http_header {
        http_header_name = "kandagawa-is-kandagawa"
        values           = [random_password.kandagawa_origin_header_value01.result]
      }
    }
  }
}

variable "api_route_priority" {
  type    = number
  default = 5
}

variable "api_route_checks_header" {
  type    = bool
  default = true
}
