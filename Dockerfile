# syntax=docker/dockerfile:1
#
# Bulwark container image: build the shaded jar with Maven, run it on a JRE as a non-root user.
#
#   docker build -t bulwark:0.1.0 --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" .
#   docker run --rm -p 8080:8080 --read-only --tmpfs /tmp --stop-timeout 30 \
#     -e DATABASE_URL=... -e REDIS_URL=... -e JWT_SECRET_KEY=... -e PASSWORD_PEPPER=... bulwark:0.1.0
#
# The root filesystem can be read-only: the only path written at run time is /tmp (the JVM's perf data and
# Vert.x's file cache, both under java.io.tmpdir); logs go to stdout. See docs/OPERATIONS.md.

# ---------------------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build

# Dependencies first: this layer is reused until pom.xml changes.
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline

# conf/ is part of the build too (pom.xml copies it into the jar as defaults).
COPY src ./src
COPY conf ./conf
# Readable by everyone whatever the umask of the checkout was: the runtime user is not root.
RUN mvn -B -q -DskipTests package \
 && chmod -R a+rX /build/target/bulwark.jar /build/conf

# ---------------------------------------------------------------------------------------------------------
# glibc-based on purpose (not Alpine): the jar also carries embedded PostgreSQL/Redis binaries for
# development; they are never started in staging/production, but nothing here should depend on musl.
FROM eclipse-temurin:17-jre

ARG VERSION=""
ARG REVISION=""
ARG CREATED=""
LABEL org.opencontainers.image.title="Bulwark" \
      org.opencontainers.image.description="Production-hardened, non-blocking API backend on Vert.x 5" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/eclipse-temurin:17-jre"

# 1. The HEALTHCHECK needs an HTTP client, and a JRE image is not promised to have one (whether the Temurin
#    images ship curl or wget has changed between releases). Install curl explicitly: small, and the apt
#    lists are removed in the same layer. Unpinned on purpose: pinned Ubuntu package versions break the
#    build as soon as the archive moves on; the base image tag decides the release.
# 2. A fixed, non-root UID/GID (10001), so volume permissions and Kubernetes runAsUser/runAsNonRoot are
#    predictable. No home directory, no login shell.
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 bulwark \
 && useradd --uid 10001 --gid bulwark --no-log-init --no-create-home --home-dir /app \
      --shell /usr/sbin/nologin bulwark

WORKDIR /app
# Owned by root, readable (not writable) by the bulwark user: the process cannot change its own code or
# configuration, even without --read-only. Nothing is written under /app at run time.
COPY --from=build --chown=root:root /build/target/bulwark.jar /app/bulwark.jar
COPY --from=build --chown=root:root /build/conf /app/conf

# Production profile by default; conf/ is found wherever the working directory is.
ENV ENVIRONMENT=production \
    BULWARK_CONF_DIR=/app/conf

USER 10001:10001
EXPOSE 8080

# Liveness only (/health never touches PostgreSQL or Redis). 127.0.0.1 works because Bulwark listens on
# 0.0.0.0 by default (HTTP_HOST); HTTP_PORT is honoured. start-period covers JVM start-up and migrations.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:${HTTP_PORT:-8080}/health" || exit 1

# SIGTERM starts the graceful drain (/ready turns 503, in-flight requests finish, pools close, exit 0).
# Give the container at least shutdown.drainDelay + shutdown.gracePeriod (25 s in production) to stop:
# docker run --stop-timeout 30, compose stop_grace_period: 30s, Kubernetes terminationGracePeriodSeconds.
STOPSIGNAL SIGTERM

# Exec form: java is PID 1 and receives SIGTERM itself. Heap sized from the container's memory limit;
# an OutOfMemoryError ends the process so the orchestrator restarts it instead of limping on.
# Extra JVM flags: JDK_JAVA_OPTIONS (e.g. -Xmx768m, which takes precedence over MaxRAMPercentage).
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/app/bulwark.jar"]
CMD ["serve"]
