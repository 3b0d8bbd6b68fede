#!/usr/bin/env bash
# `npm run test:ci`, the README's test line and the whole of CI: lint, build, every jest suite against a real Kafka
# broker, Schemathesis, mutation testing, and last the count of tests that ran (scripts/ci/summary.mjs says why).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
started=$(date +%s)
step() { echo "=== test:ci: $1 (at $(($(date +%s) - started)) s)"; }
step lint;         npm run lint
step build;        npm run build
# jest writes its JSON report into an existing folder only.
mkdir -p reports/jest
step jest;         scripts/with-kafka.sh npx jest --ci --json --outputFile=reports/jest/results.json
step schemathesis; npm run test:schemathesis
step mutation;     npm run test:mutation
step "done in $(($(date +%s) - started)) s"
node scripts/ci/summary.mjs reports/jest/results.json "$started"
