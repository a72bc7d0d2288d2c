#!/usr/bin/env bash
# Installs what is missing for netpin on a Debian machine with Node 20: Debian packages
# (redis-server, libvirt-clients + libxml2-utils for virt-xml-validate, chromium for browser tests) and the
# npm packages of package-lock.json. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v virt-xml-validate >/dev/null 2>&1 || missing+=(libvirt-clients)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)   # virt-xml-validate runs xmllint
command -v chromium >/dev/null 2>&1 || missing+=(chromium)         # browser tests of the web UI (playwright-core)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install (or never installed).
stamp=node_modules/.netpin-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
elif [ ! -d libs/db/src/generated/prisma ]; then
  node tools/prisma.cjs generate >/dev/null
fi
