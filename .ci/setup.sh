#!/usr/bin/env bash
# Idempotent set-up: installs only what is missing, from the package registries only.
#   Debian: build tools, OpenSSL headers, Chromium   rustup: wasm32-unknown-unknown
#   crates.io: cargo-leptos 0.3.10, wasm-bindgen-cli at the lockfile's version, leptosfmt (checks)
#   npm (end2end/package-lock.json): Playwright and binaryen's wasm-opt
# Usage: .ci/setup.sh [--checks]   (--checks also installs the formatter used by `make check`)
set -euo pipefail
cd "$(dirname "$0")/.."
checks=false
[ "${1:-}" = "--checks" ] && checks=true
say() { printf 'setup: %s\n' "$*" >&2; }

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists openssl 2>/dev/null || missing+=(libssl-dev)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  say "Rust is missing: install it with rustup (https://rustup.rs), then run this again"
  exit 1
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (about 12 minutes, once)"
  cargo install cargo-leptos --locked --version 0.3.10
fi

wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$"; then
  say "installing wasm-bindgen-cli $wbg (matches Cargo.lock)"
  cargo install wasm-bindgen-cli --version "$wbg"
fi

if $checks && ! leptosfmt --version 2>/dev/null | grep -q '0\.1\.33'; then
  say "installing leptosfmt 0.1.33"
  cargo install leptosfmt --locked --version 0.1.33
fi

# npm packages from the committed lockfile; reinstalled only when the lockfile changes.
stamp=end2end/node_modules/.lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s end2end/package-lock.json "$stamp"; then
  say "installing end2end npm packages (Playwright, binaryen)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  cp end2end/package-lock.json "$stamp"
fi
say "ready"
