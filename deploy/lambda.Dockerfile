# edge-auditor as a Lambda container image: the handler runs the same scan as the job image.
#   docker build -f deploy/lambda.Dockerfile -t edge-auditor-lambda .
FROM public.ecr.aws/lambda/python:3.11 AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY auditor ./auditor
RUN pip wheel --wheel-dir /wheels .

FROM public.ecr.aws/lambda/python:3.11
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 EDGE_AUDIT_FORMAT=json
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-index --find-links=/wheels --target "${LAMBDA_TASK_ROOT}" \
        /wheels/edge_auditor-*.whl
CMD ["auditor.lambda_handler.handler"]
