"""Real botocore clients whose calls the estate answers, so the live collectors run
unchanged on a template.

Each call is validated against the service model as botocore validates it, then answered
by `auditor.iac.answers` at ``before-call`` (botocore's hook for a response that needs no
request): nothing is signed, nothing leaves the process, and no call is counted as an AWS
call, because none is made.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from auditor.iac.answers import Answers, ApiError
from auditor.session import AwsContext

PARAMS_KEY = "edge_audit_iac_params"


class _Body:
    def stream(self, **_: Any):
        return iter(())


class TemplateContext(AwsContext):
    """An `AwsContext` whose clients talk to the estate instead of AWS."""

    def __init__(self, answers: Answers, region: str) -> None:
        session = boto3.Session(aws_access_key_id="iac", aws_secret_access_key="iac",
                                region_name=region)
        super().__init__(session, account=answers.account)
        self.answers = answers

    def _instrument(self, client: Any, service: str, region: str) -> None:
        mapping = {v: k for k, v in client.meta.method_to_api_mapping.items()}
        answers = self.answers

        def keep_params(params: dict | None = None, context: dict | None = None,
                        **_: Any) -> None:
            if context is not None:
                context[PARAMS_KEY] = dict(params or {})

        def answer(model: Any = None, context: dict | None = None, **_: Any):
            params = (context or {}).get(PARAMS_KEY, {})
            method = mapping.get(model.name, model.name)
            try:
                parsed = answers.answer(service, method, region, params)
                status = 200
            except ApiError as exc:
                parsed = {"Error": {"Code": exc.code, "Message": exc.message}}
                status = exc.status
            parsed.setdefault("ResponseMetadata", {"HTTPStatusCode": status})
            return AWSResponse("https://edge-audit.iac/", status, {}, _Body()), parsed

        client.meta.events.register("before-parameter-build", keep_params)
        client.meta.events.register("before-call", answer)
