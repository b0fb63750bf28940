# ecs-operator: docker build -t ecs-operator:dev . && kind load docker-image ecs-operator:dev --name ecs
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
COPY requirements.lock ./
COPY pyproject.toml README.md ./
COPY operator ./operator
# The lock pins every version; only the package's runtime dependencies are installed from it.
RUN /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/venv/bin/pip install --no-cache-dir --constraint requirements.lock .

FROM python:3.11-slim
RUN groupadd --gid 10001 ecs-operator \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin ecs-operator
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["ecs-operator"]
CMD ["run", "--all-namespaces", "--liveness=http://0.0.0.0:8080/healthz"]
