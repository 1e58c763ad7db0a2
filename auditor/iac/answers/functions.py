"""Lambda from ``AWS::Lambda::*`` resources: configuration, the resource policy AWS builds
from the ``AWS::Lambda::Permission`` resources, function URLs, concurrency.

A permission or URL belongs to the qualifier its ``FunctionName`` (or ``Qualifier``)
names, as in AWS: the policy of ``fn:live`` is not the policy of ``fn``.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.iac.answers import Answers, known, not_found, number, text
from auditor.iac.estate import Resource
from auditor.iac.identities import function_arn

FUNCTION = "AWS::Lambda::Function"
ALIAS = "AWS::Lambda::Alias"
VERSION = "AWS::Lambda::Version"
PERMISSION = "AWS::Lambda::Permission"
URL = "AWS::Lambda::Url"


def _split(value: Any) -> tuple[str, str | None]:
    """(function name, qualifier) of a name, ``name:qualifier``, partial or full ARN."""
    parts = text(value).split(":")
    if parts[0] == "arn" and len(parts) >= 7:
        return parts[6], parts[7] if len(parts) > 7 else None
    if len(parts) >= 3 and parts[1] == "function":
        return parts[2], parts[3] if len(parts) > 3 else None
    return parts[0], parts[1] if len(parts) > 1 else None


class Functions:
    def __init__(self, answers: Answers) -> None:
        self.a = answers

    def _function(self, region: str, name: str) -> Resource:
        name = _split(name)[0]
        found = next((f for f in self.a.of_type(FUNCTION, region) if text(f.ref()) == name),
                     None)
        if found is None:
            raise not_found("ResourceNotFoundException", f"function {name}")
        return found

    def _arn(self, function: Resource) -> str:
        return function_arn(text(function.ref()), function.place)

    def get_function(self, region: str, FunctionName: str, Qualifier: str | None = None,
                     **_: Any) -> dict:
        return {"Configuration": self.get_function_configuration(region, FunctionName,
                                                                 Qualifier)}

    def get_function_configuration(self, region: str, FunctionName: str,
                                   Qualifier: str | None = None, **_: Any) -> dict:
        function = self._function(region, FunctionName)
        qualifier = Qualifier or _split(FunctionName)[1]
        arn = self._arn(function) + (f":{qualifier}" if qualifier else "")
        return {"FunctionName": text(function.ref()), "FunctionArn": arn,
                "Timeout": number(function.props.get("Timeout"),
                                  f"{function.logical}.Timeout", 3),
                "Runtime": text(function.props.get("Runtime"))}

    def get_policy(self, region: str, FunctionName: str, Qualifier: str | None = None,
                   **_: Any) -> dict:
        function = self._function(region, FunctionName)
        name, qualifier = text(function.ref()), Qualifier or _split(FunctionName)[1]
        statements = []
        for permission in self.a.of_type(PERMISSION, region):
            props = permission.props
            target = known(props.get("FunctionName"), f"{permission.logical}.FunctionName")
            if _split(target) != (name, qualifier):
                continue
            statements.append(self._statement(permission, function, qualifier))
        if not statements:
            raise not_found("ResourceNotFoundException", f"a resource policy of {name}")
        return {"Policy": json.dumps({"Version": "2012-10-17", "Id": "default",
                                      "Statement": statements})}

    def _statement(self, permission: Resource, function: Resource,
                   qualifier: str | None) -> dict:
        """The statement ``AddPermission`` writes for the resource's properties."""
        props = permission.props
        principal = text(known(props.get("Principal"), f"{permission.logical}.Principal"))
        if principal == "*":
            who: Any = "*"
        elif principal.endswith(".amazonaws.com"):
            who = {"Service": principal}
        else:
            who = {"AWS": principal}
        conditions: dict[str, dict[str, str]] = {}
        if props.get("SourceArn") is not None:
            conditions.setdefault("ArnLike", {})["AWS:SourceArn"] = text(
                known(props["SourceArn"], f"{permission.logical}.SourceArn"))
        for key, condition in (("SourceAccount", "AWS:SourceAccount"),
                               ("PrincipalOrgID", "aws:PrincipalOrgID"),
                               ("FunctionUrlAuthType", "lambda:FunctionUrlAuthType")):
            if props.get(key) is not None:
                conditions.setdefault("StringEquals", {})[condition] = text(
                    known(props[key], f"{permission.logical}.{key}"))
        statement = {"Sid": permission.logical, "Effect": "Allow", "Principal": who,
                     "Action": text(props.get("Action") or "lambda:InvokeFunction"),
                     "Resource": self._arn(function) + (f":{qualifier}" if qualifier else "")}
        if conditions:
            statement["Condition"] = conditions
        return statement

    def list_function_url_configs(self, region: str, FunctionName: str, **_: Any) -> dict:
        function = self._function(region, FunctionName)
        name = text(function.ref())
        found = []
        for url in self.a.of_type(URL, region):
            props = url.props
            target, qualifier = _split(known(props.get("TargetFunctionArn"),
                                             f"{url.logical}.TargetFunctionArn"))
            if target != name:
                continue
            qualifier = text(props["Qualifier"]) if props.get("Qualifier") else qualifier
            found.append({"FunctionUrl": text(url.attr("FunctionUrl")),
                          "FunctionArn": self._arn(function) + (
                              f":{qualifier}" if qualifier else ""),
                          "AuthType": text(known(props.get("AuthType"),
                                                 f"{url.logical}.AuthType")),
                          "InvokeMode": text(props.get("InvokeMode") or "BUFFERED"),
                          "CreationTime": "", "LastModifiedTime": ""})
        return {"FunctionUrlConfigs": found}

    def get_provisioned_concurrency_config(self, region: str, FunctionName: str,
                                           Qualifier: str, **_: Any) -> dict:
        function = self._function(region, FunctionName)
        name = text(function.ref())
        for kind in (ALIAS, VERSION):
            for item in self.a.of_type(kind, region):
                if _split(text(item.props.get("FunctionName")))[0] != name:
                    continue
                own = text(item.props.get("Name")) if kind == ALIAS else \
                    text(item.attr("Version"))
                config = item.props.get("ProvisionedConcurrencyConfig")
                if own == Qualifier and config:
                    count = number((config or {}).get("ProvisionedConcurrentExecutions"),
                                   f"{item.logical}.ProvisionedConcurrencyConfig", 0)
                    return {"RequestedProvisionedConcurrentExecutions": count,
                            "Status": "READY"}
        raise not_found("ProvisionedConcurrencyConfigNotFoundException",
                        f"provisioned concurrency of {name}:{Qualifier}")

    def get_function_concurrency(self, region: str, FunctionName: str, **_: Any) -> dict:
        function = self._function(region, FunctionName)
        reserved = number(function.props.get("ReservedConcurrentExecutions"),
                          f"{function.logical}.ReservedConcurrentExecutions")
        return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}


def register(answers: Answers) -> None:
    functions = Functions(answers)
    for name in ("get_function", "get_function_configuration", "get_policy",
                 "list_function_url_configs", "get_provisioned_concurrency_config",
                 "get_function_concurrency"):
        answers.handlers[("lambda", name)] = getattr(functions, name)
