# syntax=docker/dockerfile:1
# trakt-scrobblerd as a container, e.g. beside Plex (docker-compose.example.yml). Multi-arch:
#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 -t trakt-scrobblerd .
# Node 22: Node 24 has no 32-bit ARM (arm/v7) builds. No native module is installed (the keychain stays optional
# and is left out: tokens go to a 0600 file in /config).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=optional --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM to the daemon (clean shutdown, outbox flushed) and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config ./config
COPY web ./web
RUN ln -s /app/bin/trakt-scrobblerd.js /usr/local/bin/trakt-scrobblerd \
  && mkdir -p /config && chown 1000:1000 /config

# Configuration by environment alone works; /config/config.yaml is read when present. State (tokens, outbox,
# caches) lives in /config. Inside a container the server must listen on all interfaces to be reachable.
ENV NODE_ENV=production \
    TRAKT_SCROBBLERD_STATE_DIR=/config \
    TRAKT_SCROBBLERD_HOST=0.0.0.0 \
    TRAKT_SCROBBLERD_PORT=7788 \
    TRAKT_SCROBBLERD_LOG_PRETTY=false \
    TRAKT_SCROBBLERD_SECRETS_STORE=file

# The base image's unprivileged `node` user.
USER 1000:1000
VOLUME /config
EXPOSE 7788
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["trakt-scrobblerd", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "trakt-scrobblerd"]
CMD ["run"]
