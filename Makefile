# riskreg — the two commands a newcomer needs are `make run` and `make test`.
.DEFAULT_GOAL := help
SHELL := /bin/bash
GO ?= go
BIN := bin/riskreg
TEST_FLAGS ?=

## help: list the targets
help:
	@sed -n 's/^## \([a-z-]*\): /\1\t/p' $(MAKEFILE_LIST) | expand -t 16

# apt_install PACKAGES: install Debian/Ubuntu packages as root or with sudo,
# or print the exact command and fail.
define apt_install
	if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	else echo "missing: $(1). Install it with: sudo apt-get install -y $(1)" >&2; exit 1; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then echo "missing: $(1) (no apt-get here; install it with your package manager)" >&2; exit 1; fi; \
	echo "installing $(1) with apt-get…"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(1) >/dev/null
endef

## deps-postgres: install the PostgreSQL server binaries when missing
deps-postgres:
	@if [ -n "$$PG_BINDIR" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then :; \
	else $(call apt_install,postgresql); fi

## deps-chromium: install headless Chromium for the browser tests when missing
deps-chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then :; \
	else $(call apt_install,chromium); fi

## deps-pdf: install pdftotext (poppler-utils) for the committee pack's PDF tests when missing
deps-pdf:
	@if command -v pdftotext >/dev/null 2>&1; then :; \
	else $(call apt_install,poppler-utils); fi

# The npm packages (Tailwind, and the OpenAPI linters Redocly and Spectral that the tests run) are
# pinned in package-lock.json; npm ci reinstalls them whenever that file changes.
NODE_STAMP := node_modules/.riskreg-lock.sha256

## deps-node: install Node and npm when missing, and the pinned npm packages when missing or stale
deps-node:
	@command -v npm >/dev/null 2>&1 || { $(call apt_install,nodejs npm); }
	@want="$$(sha256sum package-lock.json | cut -d' ' -f1)"; \
	if [ ! -d node_modules ] || [ "$$(cat $(NODE_STAMP) 2>/dev/null)" != "$$want" ]; then \
		echo "installing the npm packages of package-lock.json…"; \
		SCARF_ANALYTICS=false npm ci --no-audit --no-fund --loglevel=error && echo "$$want" > $(NODE_STAMP); \
	fi

## run: serve on http://127.0.0.1:8080 with an embedded PostgreSQL and demo data
run: deps-postgres
	$(GO) run ./app/cmd/riskreg serve

## build: compile the binary to bin/riskreg
build:
	$(GO) build -trimpath -o $(BIN) ./app/cmd/riskreg

## test: go vet, then every test under the race detector against throwaway PostgreSQL clusters and headless Chromium
test: deps-postgres deps-chromium deps-node deps-pdf
	$(GO) vet ./...
	set -o pipefail; $(GO) test -race -count=1 -timeout 20m $(TEST_FLAGS) ./... 2>&1 | tee /tmp/riskreg-test.log | grep -v '^=== \|^--- PASS\|^PASS$$'

## bench: issue 13's table at 100,000 risks (BENCH_RISKS=1000000 for a million); data set cached under /tmp
bench: deps-postgres build
	$(GO) run ./app/cmd/riskbench $(BIN)

## bench-go: the Go benchmarks (go test -bench)
bench-go: deps-postgres
	$(GO) test -run '^$$' -bench . -benchmem ./...

## generate: regenerate templ files
generate:
	$(GO) tool templ generate

# templ fmt hands <script> and <style> bodies to prettier when one is on PATH; "cat" keeps them as
# written, so the result does not depend on what a machine has installed.
TEMPL_FMT := $(GO) tool templ fmt -prettier-command cat

## fmt: format the Go and templ sources
fmt:
	gofmt -w app db views migrations static
	$(TEMPL_FMT) views

## css: rebuild static/css/app.css with Tailwind (needs Node and npm)
css: deps-node
	npx tailwindcss -c tailwind.config.js -i static/css/input.css -o static/css/app.css --minify

## check: gofmt, templ fmt, go vet, staticcheck, generated templ files and built CSS up to date, go mod tidy
check: generate
	@test -z "$$(gofmt -l app db views migrations static)" || { gofmt -l app db views migrations static; echo "gofmt: files above need formatting"; exit 1; }
	@$(TEMPL_FMT) -fail views || { echo "templ fmt: .templ files were not formatted (now rewritten in place): run make generate and commit them"; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) mod tidy -diff
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory css >/dev/null; else echo "npm not found: skipping the CSS rebuild check"; fi
	git diff --stat --exit-code -- views static go.mod go.sum

.PHONY: help deps-postgres deps-chromium deps-pdf deps-node run build test bench bench-go generate fmt css check
