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

## Benchmarks (release build), not part of `make test`: each writes its figures and same-run
## ratios to a results file under server/benches/ (see the README's "Benchmarks").
##   lists     B12, the list pages at 20,000 applications and 2,000 users (RESULTS.md); ARGS="--seconds 10"
##   findings  B4 and B12, the findings engine and /findings (FINDINGS.md); FINDINGS_ARGS="--postgres"
##   matrix    B1, B2, B3, B5 (and B11 with --postgres) at 200, 5,000, 20,000 (MATRIX.md);
##             MATRIX_ARGS="--sizes 200,5000 --seconds 5 --postgres"
##   estate    B6, B9, B10 (and B11 with --postgres) at 20,000 (ESTATE.md); ESTATE_ARGS="--seconds 60"
##   site      B7, B8 in Chromium (SITE.md); PORTAL_BENCH_APPS=5000 PORTAL_BENCH_LOADS=15
## BENCH="matrix estate" runs some of them.
BENCH ?= lists findings matrix estate site
bench: setup-test build
	@for b in $(BENCH); do case $$b in \
	  lists) cargo bench -p server --bench lists -- $(ARGS) ;; \
	  findings) cargo bench -p server --bench findings -- $(FINDINGS_ARGS) ;; \
	  matrix) cargo bench -p server --bench matrix -- $(MATRIX_ARGS) ;; \
	  estate) cargo bench -p server --bench estate -- $(ESTATE_ARGS) ;; \
	  site) (cd end2end && PORTAL_SERVER_BIN=$(SERVER) npx playwright test --config bench.config.ts) ;; \
	  *) echo "unknown benchmark $$b" >&2; exit 2 ;; \
	esac || exit 1; done
