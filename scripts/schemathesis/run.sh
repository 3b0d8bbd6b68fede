#!/usr/bin/env bash
# Fuzzes the real, built service from its own OpenAPI document (/docs-json) with Schemathesis, once per role.
#
#   scripts/schemathesis/run.sh            (after npm run build; npm run test:ci runs it last)
#
# Installs a pinned Schemathesis into a virtualenv of its own (cached in SCHEMATHESIS_VENV, default under the user's
# cache dir, so a fresh clone reuses it), starts dist/apps/ledger/src/main.js on a temporary data dir and a free port
# with one API key per role (the same keys as test/support/ledger-app.ts TEST_KEYS), and runs `schemathesis run
# --checks all` as admin, commands, introspect and audit, then as an OAuth client (client_secret_basic with a secret the
# ledger generated) against RFC 7009 revocation, the one operation that serves clients and no API key.
# ledger_hooks.py adds a per-call check that no rejected (4xx) request appends an event. Fails on any failed check,
# any 5xx, or a role that sent no request.
#
# Excluded check: unsupported_method (ST204) wants 405 with Allow for a method a path does not declare; Fastify answers
# 404 not_found for any method/path pair without a route, and the not-found handler belongs to bootstrap.ts's HTTP
# stack. Everything else in --checks all runs.
#
# Knobs: SCHEMATHESIS_MAX_EXAMPLES (per operation and phase as admin, default 25), SCHEMATHESIS_ROLE_MAX_EXAMPLES
# (as the other roles, default 8), SCHEMATHESIS_SEED.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/scripts/schemathesis"
VERSION=4.32.5
VENV="${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/consent-ledger/schemathesis-$VERSION}"
# admin reaches every operation and gets the most examples; each other role is mostly checking its 403s.
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
ROLE_MAX_EXAMPLES="${SCHEMATHESIS_ROLE_MAX_EXAMPLES:-8}"
SEED="${SCHEMATHESIS_SEED:-20260101}"
started=$SECONDS

if [ ! -x "$VENV/bin/schemathesis" ] || [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$VERSION" ]; then
  echo "schemathesis: installing schemathesis==$VERSION into $VENV" >&2
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" </dev/null
  echo "$VERSION" >"$VENV/.installed"
fi

[ -f "$ROOT/dist/apps/ledger/src/main.js" ] || (cd "$ROOT" && npm run build)

work="$(mktemp -d "${TMPDIR:-/tmp}/ledger-schemathesis-XXXXXX")"
service=""
cleanup() {
  local rc=$?
  [ -n "$service" ] && kill "$service" 2>/dev/null && wait "$service" 2>/dev/null
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

declare -A SECRETS=(
  [admin]=test-admin-secret-0123456789
  [commands]=test-commands-secret-0123456789
  [introspect]=test-introspect-secret-0123456789
  [audit]=test-audit-secret-0123456789
)
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
(
  cd "$ROOT"
  export TS_NODE_BASEURL=./dist LEDGER_DATA_DIR="$work/data" LEDGER_SECRETS_DIR="$work/secrets" PORT="$port" HOST=127.0.0.1 LOG_LEVEL=warn
  # RFC 8936 polls without returnImmediately wait this long for a SET: short, so that no generated poll nears a timeout.
  export LEDGER_SSF_LONG_POLL_MS=200
  export LEDGER_API_KEYS="test-admin:admin:${SECRETS[admin]},test-frontend:commands:${SECRETS[commands]},test-resource:introspect:${SECRETS[introspect]},test-auditor:audit:${SECRETS[audit]}"
  exec node -r tsconfig-paths/register dist/apps/ledger/src/main.js
) >"$work/service.log" 2>&1 </dev/null &
service=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/health/live" >/dev/null 2>&1 && break
  kill -0 "$service" 2>/dev/null || { cat "$work/service.log" >&2; echo "schemathesis: the service did not start" >&2; exit 1; }
  sleep 0.2
done

# Something in the log before the fuzzing starts: a client, a consent and its revocation, so the stateful phase and
# the revocation feed have data to work on.
seed() { curl -fsS -o /dev/null -X POST -H "Authorization: Bearer ${SECRETS[commands]}" -H 'content-type: application/json' "$base$1" -d "$2"; }
seed /v1/clients '{"clientId":"transfer-web","name":"Globus Transfer web app"}'
consent="$(curl -fsS -X POST -H "Authorization: Bearer ${SECRETS[commands]}" -H 'content-type: application/json' "$base/v1/consents" \
  -d '{"userId":"user-42","clientId":"transfer-web","scopes":["openid"]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
seed "/v1/consents/$consent/revoke" '{"reason":"seed"}'
# An OAuth client with a secret of its own, for the run against /v1/oauth2/revoke. Registered just before that run:
# the runs before it list, disable and delete the clients they find.
oauth_client_basic() {
  seed /v1/clients '{"clientId":"schemathesis-oauth-client","name":"Schemathesis as an OAuth client"}'
  local secret
  secret="$(curl -fsS -X POST -H "Authorization: Bearer ${SECRETS[commands]}" "$base/v1/clients/schemathesis-oauth-client/secrets" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')"
  printf 'Basic %s' "$(printf '%s:%s' schemathesis-oauth-client "$secret" | base64 -w0)"
}

# Everything of Schemathesis's own output that this script prints goes through plain-banners.mjs (it says why).
plain_banners() { node "$HERE/plain-banners.mjs"; }

failed=0
summary=()
for role in admin commands introspect audit client; do
  examples=$([ "$role" = admin ] && echo "$MAX_EXAMPLES" || echo "$ROLE_MAX_EXAMPLES")
  # API keys are bearer tokens; the OAuth client authenticates with client_secret_basic, at revocation only.
  if [ "$role" = client ]; then auth="$(oauth_client_basic)"; only=(--include-path /v1/oauth2/revoke); else auth="Bearer ${SECRETS[$role]}"; only=(); fi
  echo "=== schemathesis as $role (max $examples examples per operation and phase, seed $SEED)" >&2
  stats="$work/stats-$role.json"
  set +e
  (
    cd "$work"
    PYTHONPATH="$HERE" SCHEMATHESIS_HOOKS=ledger_hooks LEDGER_ST_BASE_URL="$base" LEDGER_ST_AUDIT_SECRET="${SECRETS[audit]}" LEDGER_ST_STATS="$stats" \
      "$VENV/bin/schemathesis" --no-color --config-file "$HERE/schemathesis.toml" run "$base/docs-json" \
      --checks all --exclude-checks unsupported_method --workers 1 --max-examples "$examples" --seed "$SEED" --no-shrink \
      ${only[@]+"${only[@]}"} --header "Authorization: $auth" --request-timeout 10 --wait-for-schema 30 </dev/null
  ) >"$work/schemathesis-$role.txt" 2>&1
  rc=$?
  set -e
  requests="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$stats" 2>/dev/null || echo 0)"
  statuses="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(f"{k}:{v}" for k,v in d["statuses"].items()), "| 4xx head-checked:", d["rejections_checked"])' "$stats" 2>/dev/null || echo '?')"
  fivexx="$(python3 -c 'import json,sys; print(sum(v for k,v in json.load(open(sys.argv[1]))["statuses"].items() if k.startswith("5")))' "$stats" 2>/dev/null || echo '?')"
  result="$(grep -E '^=+ .* in [0-9.]+s =+$' "$work/schemathesis-$role.txt" | tail -n 1 | sed -E 's/^=+ (.*) =+$/\1/')"
  if [ "$rc" -ne 0 ] || [ "$requests" = 0 ] || [ "$fivexx" != 0 ]; then
    failed=1
    plain_banners <"$work/schemathesis-$role.txt"
  else
    sed -n '/^=* SUMMARY/,$p' "$work/schemathesis-$role.txt" | plain_banners
  fi
  summary+=("$role: $requests requests ($statuses); 5xx: $fivexx; $result; exit $rc")
done

echo "=== schemathesis $VERSION summary ($((SECONDS - started)) s)"
printf '  %s\n' "${summary[@]}"
if grep -qE '"level":(50|60)' "$work/service.log"; then
  echo "schemathesis: the service logged errors:" >&2
  grep -E '"level":(50|60)' "$work/service.log" | head -n 20 >&2
  failed=1
fi
exit "$failed"
