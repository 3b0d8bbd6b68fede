#!/usr/bin/env bash
# `npm run test:mutation`: StrykerJS over libs/domain (floor 90 %) and libs/audit (floor 85 %), docs/testing.md.
#
# libs/domain reuses the results of the mutants and specs that have not changed since the run recorded in
# test/mutation/domain.incremental.json, which is committed: a full run of its ~2,000 mutants takes 30 to 50 minutes
# on two cores, more than CI's whole budget. Stryker's reuse check compares the mutated files and the spec files with
# the ones the record holds; what it cannot see are the other inputs of a spec's outcome, the domain's test fixtures
# (libs/domain/src/testing, not mutated and not specs), the configs and the tool versions. Those are hashed here, and
# when the hash differs from the one recorded beside the file (or there is no record), the run is a full one.
# libs/domain imports nothing outside itself, so nothing else can change its specs' outcome.
#
# libs/audit makes a full run in CI (a few minutes; stryker.audit.config.mjs reuses nothing when CI is set): its
# specs run code of other libs (libs/projections' viewChanges, the event store), whose changes the reuse check would
# not see.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mkdir -p test/mutation
record=test/mutation/domain.incremental.json
inputs=test/mutation/domain.inputs.sha256
# The tools' versions, not the whole lock: a dependency of the service does not change what a domain spec decides.
tools=$(node -e 'const l = require("./package-lock.json").packages; for (const p of ["@stryker-mutator/core", "@stryker-mutator/jest-runner", "jest", "ts-jest", "typescript"]) console.log(p, l["node_modules/" + p]?.version)')
current=$( (cat libs/domain/src/testing/*.ts stryker.config.mjs jest.config.js tsconfig.json; echo "$tools") | sha256sum | cut -d' ' -f1)
if [ -f "$record" ] && [ "$(cat "$inputs" 2>/dev/null)" = "$current" ]; then
  echo "mutation: libs/domain reuses $record where mutants and specs are unchanged"
  npx stryker run stryker.config.mjs
else
  echo "mutation: libs/domain makes a full run (no record, or its fixtures, configs or tool versions changed)"
  npx stryker run stryker.config.mjs --force
fi
echo "$current" >"$inputs"
npx stryker run stryker.audit.config.mjs
