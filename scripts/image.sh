#!/usr/bin/env bash
# The container image's build and start steps, in one place: the Dockerfile runs
# them, and test/e2e/image.test.ts runs them in a clean copy of the project
# (RUN_IMAGE_TEST=1), so what the image does is tested here without a container
# runtime.
#
#   bash scripts/image.sh build     install from package-lock.json, generate the Prisma clients, build the admin UI
#   bash scripts/image.sh migrate   apply the database migrations (DATABASE_URL) and exit
#   bash scripts/image.sh web       the web process (set WORKER=off when workers run apart)
#   bash scripts/image.sh worker    one worker process
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  build)
    # Exactly the versions of the lock file; postinstall generates both Prisma clients.
    npm ci --no-audit --no-fund
    npm run build
    ;;
  migrate)
    exec node --import tsx scripts/migrate.ts
    ;;
  web)
    exec node --import tsx app/main.ts
    ;;
  worker)
    exec node --import tsx app/worker-main.ts
    ;;
  *)
    echo "usage: bash scripts/image.sh build|migrate|web|worker" >&2
    exit 2
    ;;
esac
