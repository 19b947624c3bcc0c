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
# Base images are pinned by digest: a rebuild gets the same bytes until someone moves the pin on purpose. The
# digests are the multi-platform indexes docker-library/repo-info recorded for these tags (maven: 16 Sep 2026;
# eclipse-temurin: 9 Sep 2026, JDK 17.0.20+8). Move them together, with the tag they came from, to take updates.
FROM maven:3.9-eclipse-temurin-17@sha256:42a3ac393abbc64dae6c96703e5ead2e921fe9103371ac58b5b404b0d6a26502 AS build
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
FROM eclipse-temurin:17-jre@sha256:c6f2875c05ea10f16398bdc5f73405c384991506f2f1ead8bcc6582ae8adea79

ARG VERSION=""
ARG REVISION=""
ARG CREATED=""
LABEL org.opencontainers.image.title="Bulwark" \
      org.opencontainers.image.description="Production-hardened, non-blocking API backend on Vert.x 5" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/eclipse-temurin:17-jre" \
      org.opencontainers.image.base.digest="sha256:c6f2875c05ea10f16398bdc5f73405c384991506f2f1ead8bcc6582ae8adea79"

# 1. No downloader in the runtime image: the Temurin base ships curl and wget, which a compromised process would
#    use to fetch its tools. They are purged here; nothing at run time needs them (the HEALTHCHECK below uses
#    bash, which every Ubuntu image has). purge is offline, and a package already absent is not an error.
# 2. A fixed, non-root UID/GID (10001), so volume permissions and Kubernetes runAsUser/runAsNonRoot are
#    predictable. No home directory, no login shell.
RUN DEBIAN_FRONTEND=noninteractive apt-get purge -y --auto-remove curl wget \
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

# Liveness only (/health never touches PostgreSQL or Redis, and answers whatever the Host, ALLOWED_HOSTS or not).
# bash's /dev/tcp speaks the one request: no HTTP client in the image, and no second JVM started every 15 s next to
# the server (Kubernetes ignores HEALTHCHECK anyway and uses its own probes, see docs/OPERATIONS.md). 127.0.0.1
# works because Bulwark listens on 0.0.0.0 by default (HTTP_HOST); HTTP_PORT is honoured. start-period covers JVM
# start-up and migrations.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${HTTP_PORT:-8080} && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r _ status _ <&3 && [ \"$status\" = 200 ]"]

# SIGTERM starts the graceful drain (/ready turns 503, in-flight requests finish, pools close, exit 0).
# Give the container at least shutdown.drainDelay + shutdown.gracePeriod (25 s in production) to stop:
# docker run --stop-timeout 30, compose stop_grace_period: 30s, Kubernetes terminationGracePeriodSeconds.
STOPSIGNAL SIGTERM

# Exec form: java is PID 1 and receives SIGTERM itself. Heap sized from the container's memory limit;
# an OutOfMemoryError ends the process so the orchestrator restarts it instead of limping on.
# Extra JVM flags: JDK_JAVA_OPTIONS (e.g. -Xmx768m, which takes precedence over MaxRAMPercentage).
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/app/bulwark.jar"]
CMD ["serve"]
