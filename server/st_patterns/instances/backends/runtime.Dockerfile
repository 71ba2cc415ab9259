# The instance runtime for st-patterns' docker sandbox: Python and the runtime dependencies, nothing else.
# st-patterns builds it itself (`st-patterns sandbox image`); the app, st-patterns' own code and a control socket
# are bind-mounted read-only at run time, so one image serves every app.
ARG BASE=python:3.11-slim
FROM ${BASE}
# A Debian base without Python (a debootstrap image) gets Debian's python3; python:*-slim already has one.
RUN if ! command -v python3 >/dev/null 2>&1; then \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
      && rm -rf /var/lib/apt/lists/*; \
    fi
# ca.crt is empty unless the build host sits behind an intercepting proxy; then pip must trust its CA.
COPY ca.crt requirements.txt /tmp/build/
RUN if [ -s /tmp/build/ca.crt ]; then export PIP_CERT=/tmp/build/ca.crt; fi \
    && python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check -r /tmp/build/requirements.txt \
    && rm -rf /tmp/build
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOME=/tmp TMPDIR=/tmp
USER 10001:10001
WORKDIR /tmp
