#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser test (test/docs-ui.e2e-spec.ts), installing it
# with apt when it is missing. CI runs as root on a fresh machine, so it installs itself there; a developer's machine
# that already has it skips straight through.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "ensure-chromium: $CHROMIUM is missing and this is not root; install Debian's chromium package" >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core </dev/null >/dev/null
[ -x "$CHROMIUM" ]
