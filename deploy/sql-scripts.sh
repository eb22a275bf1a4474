#!/usr/bin/env bash
# Writes the idempotent SQL migration script of every provider to artifacts/sql/<provider>.sql, for DBAs who apply
# schema changes themselves (Database:MigrateOnStartup=false). SQL Server cannot run on the development machines,
# so this is how its migrations are checked beyond compiling: CI generates the script on every run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-artifacts/sql}
mkdir -p "$out"
dotnet tool restore >/dev/null
for provider in SqlServer PostgreSql Sqlite; do
  # dotnet ef reads the project's restore output: build (and so restore) first, on a fresh clone too.
  dotnet build "src/StockSync.Persistence.$provider" --nologo -v quiet >/dev/null
done
for provider in SqlServer PostgreSql Sqlite; do
  project=src/StockSync.Persistence.$provider
  file=$out/$(echo "$provider" | tr '[:upper:]' '[:lower:]').sql
  # SQLite cannot make idempotent scripts (no procedural SQL): its script applies every migration from scratch.
  idempotent=--idempotent
  [ "$provider" = Sqlite ] && idempotent=
  dotnet ef migrations script $idempotent --no-build --no-color --project "$project" --startup-project "$project" \
    --context StockSyncDbContext --output "$file" >/dev/null
  echo "[sql-scripts] $provider: $file ($(wc -l < "$file") lines)"
done
