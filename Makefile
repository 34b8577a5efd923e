# The two commands a newcomer needs (see README):
#   make serve   set up, build and serve the portal on SQLite at http://localhost:3000
#   make test    set up and run the whole test suite (lints, Rust tests, browser tests)
SHELL := /bin/bash
.DEFAULT_GOAL := serve

# Build outputs live outside the clone so every clone (and CI) reuses one warm cache.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/passwordless-portal/target
# Tools `cargo install` puts in place (leptosfmt) come first.
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)
export LEPTOS_SITE_ROOT ?= $(CURDIR)/target/site
SERVER := $(CARGO_TARGET_DIR)/release/server

.PHONY: setup setup-test build serve test check unit e2e fmt bench

## What `make serve` needs (compilers, wasm32 target, binaryen's wasm-opt).
setup:
	@bash .ci/setup.sh

## What `make test` needs as well (Chromium, Playwright, clippy, rustfmt, leptosfmt).
setup-test:
	@bash .ci/setup.sh --test

## Release build without cargo-leptos (server/build-site): WASM islands (wasm-bindgen, wasm-opt),
## stylesheet, server binary. `cargo leptos build --release` builds the same site.
build: setup
	cargo run --quiet -p build-site

## Set up, build and serve on the embedded SQLite database (./data/portal.db).
serve: build
	$(SERVER) serve

## The whole suite: formatting and lints, unit and integration tests, browser tests.
test: setup-test check unit e2e

check:
	cargo fmt --all -- --check
	leptosfmt --check app/src
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

## Rust unit and integration tests (PostgreSQL too when PORTAL_TEST_POSTGRES_URL is set).
## build-site has no tests: built with the whole workspace its dependencies get other features and
## would compile once more for nothing (clippy still checks it).
unit:
	cargo test --workspace --exclude build-site

## Browser tests against the release server in Debian's Chromium, JavaScript on and off.
e2e: setup-test build
	cd end2end && PORTAL_SERVER_BIN=$(SERVER) npx playwright test

## Benchmarks (release build; figures and same-run ratios in server/benches/RESULTS.md and
## server/benches/FINDINGS.md).
## B12, the list pages at 20,000 applications and 2,000 users; pass options with ARGS="--seconds 10".
## B4 and B12, the findings engine (the pure function at 5,000 and 20,000 applications, the full
## recomputation after a policy change, the /findings page); options with FINDINGS_ARGS="--postgres".
## B1, B2, B3, B5, the matrix, journeys and overview at 200, 5,000 and 20,000 applications (results
## in server/benches/MATRIX.md); options with MATRIX_ARGS="--sizes 200,5000 --seconds 5".
bench: setup
	cargo bench -p server --bench lists -- $(ARGS)
	cargo bench -p server --bench findings -- $(FINDINGS_ARGS)
	cargo bench -p server --bench matrix -- $(MATRIX_ARGS)

fmt:
	cargo fmt --all
	leptosfmt app/src
