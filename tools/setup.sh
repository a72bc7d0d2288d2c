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
command -v zsh >/dev/null 2>&1 || missing+=(zsh)                   # the CLI's zsh completion is tested in zsh
# The real-host test tier (tools/realhost, docs/testing.md): real libvirtd + QEMU + OpenSSH in
# network namespaces. Only for `npm test` as root: namespaces need root, so elsewhere it skips.
if [ "${1:-}" = "--test" ] && [ "$(id -u)" = "0" ]; then
  command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
  [ -x /usr/sbin/libvirtd ] || missing+=(libvirt-daemon)
  [ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ] || missing+=(libvirt-daemon-driver-qemu)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v ethtool >/dev/null 2>&1 || missing+=(ethtool)
  command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libvirt's QEMU driver resolves its default user and group (libvirt-qemu) at start even when
# qemu.conf says root; Debian's libvirt-daemon-system would create them, it is not needed here.
if [ "${1:-}" = "--test" ] && [ "$(id -u)" = "0" ] && [ -x /usr/sbin/libvirtd ]; then
  getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
  getent group kvm >/dev/null || groupadd -r kvm
  id libvirt-qemu >/dev/null 2>&1 || useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
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

# the compiled CLI that `npx netpin` runs (rebuilt only when its sources changed)
node -e "require('./bin/cli-bundle.cjs').ensure()"
