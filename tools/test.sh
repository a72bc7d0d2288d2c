#!/usr/bin/env bash
# Every check CI runs: types, lint (module boundaries), committed API documents, then all
# test projects (unit and integration) with the Nx cache off so integration tests really run.
set -euo pipefail
cd "$(dirname "$0")/.."
export SWC_NODE_PROJECT=tsconfig.json
start=$(date +%s)

echo "== typecheck"; npx tsc -p tsconfig.json; npx tsc -p apps/web/tsconfig.json --noEmit
echo "== format"; npx prettier --check . >/dev/null || { npx prettier --list-different .; echo "files above are not formatted: run npm run format"; exit 1; }
echo "== lint"; npx nx show projects >/dev/null; npx eslint . --max-warnings 0
echo "== committed GraphQL SDL and OpenAPI match the code"
node -r @swc-node/register tools/gen-schema.ts
(cd libs/client && npx graphql-codegen --config codegen.mts >/dev/null)
if git rev-parse --git-dir >/dev/null 2>&1; then
  git diff --exit-code -- docs/api libs/client/src/generated || { echo "docs/api or the generated client operations are stale: run npm run gen:schema and commit"; exit 1; }
fi
echo "== tests"
node -r @swc-node/register tools/stack/with-services.ts -- \
  npx nx run-many -t test --skip-nx-cache --outputStyle=stream --parallel=1
echo "== all checks passed in $(( $(date +%s) - start )) s"
