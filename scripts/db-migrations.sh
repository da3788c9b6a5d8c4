#!/usr/bin/env bash
# Regenerates the checked-in SQL after prisma/schema.prisma changed:
#   bash scripts/db-migrations.sh <migration_name>
# SQLite gets a new folder under prisma/migrations (diffed against the previous
# migrations applied to a scratch database), PostgreSQL the same under
# prisma/postgres/migrations. `prisma migrate dev` does not run on the JS engine.
set -euo pipefail
name=${1:?migration name}
stamp=$(date -u +%Y%m%d%H%M%S)
npx tsx scripts/generate-pg-schema.ts
tmp=$(mktemp -d)
DATABASE_URL="file:$tmp/scratch.db" npx prisma migrate deploy >/dev/null
mkdir -p "prisma/migrations/${stamp}_$name" "prisma/postgres/migrations/${stamp}_$name"
npx prisma migrate diff --from-url "file:$tmp/scratch.db" --to-schema-datamodel prisma/schema.prisma --script \
  > "prisma/migrations/${stamp}_$name/migration.sql"
echo "wrote prisma/migrations/${stamp}_$name; write the PostgreSQL step into prisma/postgres/migrations/${stamp}_$name by hand or with migrate diff against a scratch PostgreSQL database"
