#!/usr/bin/env bash
# Idempotent set-up: installs only what the command needs and is missing, from package registries.
#   .ci/setup.sh         for `make serve` (release build):
#                        Debian: build tools, OpenSSL headers, Node/npm   rustup: wasm32 target
#                        npm: end2end's dependencies only (binaryen, for wasm-opt)
#   .ci/setup.sh --test  for `make test`, in addition:
#                        Debian: Chromium   rustup: clippy, rustfmt   crates.io: leptosfmt 0.1.33
#                        npm: end2end's devDependencies too (Playwright)
#                        PyPI: the OSCAL schema check's packages, in a venv under ~/.cache
# No wasm-bindgen CLI: the build step (server/build-site) links wasm-bindgen as a library, pinned
# in Cargo.toml to the lockfile's wasm-bindgen; this checks the two agree.
set -euo pipefail
cd "$(dirname "$0")/.."
testing=false
case "${1:-}" in
  --test) testing=true ;;
  "") ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac
say() { printf 'setup: %s\n' "$*" >&2; }

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists openssl 2>/dev/null || missing+=(libssl-dev)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if $testing; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
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

# wasm-bindgen generates the JS glue for the exact wasm-bindgen the islands were compiled with.
lock_wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
pin_wbg=$(sed -n 's/^wasm-bindgen-cli-support = "=\(.*\)"$/\1/p' Cargo.toml)
if [ "$lock_wbg" != "$pin_wbg" ]; then
  say "Cargo.lock has wasm-bindgen $lock_wbg but Cargo.toml pins wasm-bindgen-cli-support =$pin_wbg;"
  say "set the pin to =$lock_wbg (they move together)"
  exit 1
fi

if $testing; then
  for component in clippy rustfmt; do
    if ! rustup component list --installed | grep -q "^$component"; then
      say "adding the $component component"
      rustup component add "$component"
    fi
  done
  if ! leptosfmt --version 2>/dev/null | grep -q '0\.1\.33'; then
    say "installing leptosfmt 0.1.33 (a few minutes, once)"
    cargo install leptosfmt --locked --version 0.1.33
  fi
fi

# npm packages from the committed lockfile, reinstalled only when it changes: dependencies only
# (binaryen) for the build, devDependencies too (Playwright) for the tests. A full install also
# serves the build, so a later build never removes Playwright.
stamp_dir=end2end/node_modules
full_stamp=$stamp_dir/.lock-stamp-full
build_stamp=$stamp_dir/.lock-stamp-build
fresh() { [ -f "$1" ] && cmp -s end2end/package-lock.json "$1"; }
if $testing; then
  if ! fresh "$full_stamp"; then
    say "installing end2end npm packages (binaryen, Playwright; Chromium comes from Debian)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    cp end2end/package-lock.json "$full_stamp"
  fi
elif ! fresh "$full_stamp" && ! fresh "$build_stamp"; then
  say "installing end2end npm dependencies (binaryen, for wasm-opt)"
  (cd end2end && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
  cp end2end/package-lock.json "$build_stamp"
fi
# The OSCAL schema check's Python packages (NIST's schemas come in the `oscal` package from
# PyPI), in a virtual environment outside the clone, reinstalled when the pins change.
if $testing; then
  venv="$HOME/.cache/passwordless-portal/oscal-venv"
  if ! cmp -s server/tests/oscal/requirements.txt "$venv/.requirements" 2>/dev/null; then
    say "installing the OSCAL schema check (Python packages from PyPI)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r server/tests/oscal/requirements.txt
    cp server/tests/oscal/requirements.txt "$venv/.requirements"
  fi
fi
say "ready"
