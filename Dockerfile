# edge-auditor: the scheduled audit job.
#
#   docker build -t edge-auditor .
#   docker run --rm -e AWS_REGION=eu-west-1 -e EDGE_AUDIT_OUTPUT=s3://bucket/edge-audit/ \
#       -e EDGE_AUDIT_PUBLISH=securityhub edge-auditor            # the scan, from variables
#   docker run --rm edge-auditor scan --region us-east-1 --format json   # or from arguments
#
# Stage 1 builds wheels of the tool and every dependency; stage 2 installs them with no
# index, then removes pip itself: the final image has no compiler, no package manager
# for Python and no build files, and runs as an unprivileged user.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY auditor ./auditor
RUN pip wheel --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    EDGE_AUDIT_FORMAT=json
RUN groupadd --system --gid 10001 auditor \
    && useradd --system --uid 10001 --gid auditor --create-home --home-dir /home/auditor auditor
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-index --find-links=/wheels /wheels/edge_auditor-*.whl \
    && python -m pip uninstall --yes pip setuptools wheel
USER 10001:10001
WORKDIR /home/auditor
ENTRYPOINT ["edge-audit"]
CMD ["scan"]
