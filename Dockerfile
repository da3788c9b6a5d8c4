# syntax=docker/dockerfile:1
# Multi-stage: build with the dev dependencies (Vite for the admin UI), run
# without them, as the unprivileged `node` user. The steps themselves live in
# scripts/image.sh, which test/e2e/image.test.ts runs in a clean directory.
FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY app ./app
COPY web ./web
COPY tsconfig.json shopify.app.toml ./
RUN bash scripts/image.sh build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The web process; workers run the same image with `bash scripts/image.sh worker`.
CMD ["bash", "scripts/image.sh", "web"]
