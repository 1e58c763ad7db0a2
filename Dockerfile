# edge-auditor: the scheduled audit job. Runs `edge-audit` as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 auditor \
    && useradd --system --uid 10001 --gid auditor --create-home --home-dir /home/auditor auditor

WORKDIR /opt/edge-auditor
COPY pyproject.toml README.md ./
COPY auditor ./auditor
COPY rules ./rules
RUN pip install --no-cache-dir . \
    && rm -rf /opt/edge-auditor/build

USER 10001:10001
WORKDIR /home/auditor
ENTRYPOINT ["edge-audit"]
CMD ["scan", "--format", "json"]
