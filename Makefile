# make run: the playground, the API and the mTLS echo endpoint on loopback, zero config.
# make test: everything CI runs.
SHELL := /bin/bash
GO ?= go
BIN := bin/mtlsplay
# The engine packages must build for the browser: no os, net/http or syscall/js.
WASM_PKGS := ./internal/...
# package:FuzzTarget pairs; `make test` runs each briefly, `make fuzz` for longer.
FUZZ := \
	./internal/certinput:FuzzDecode \
	./internal/certinput:FuzzPEMContent \
	./internal/certinput:FuzzKeyKind \
	./internal/certinput:FuzzWithoutKeys \
	./internal/certinput:FuzzDecodeHeader \
	./internal/forwarded:FuzzParse \
	./internal/engine:FuzzRenumberCertificates \
	./internal/certinfo:FuzzParse \
	./internal/certinfo:FuzzFormatDN \
	./internal/certinfo:FuzzParseSAN \
	./internal/gateway:FuzzView \
	./internal/gateway:FuzzDotnetDecode \
	./internal/export:FuzzExport \
	./internal/export:FuzzDNLiteral \
	./internal/rule:FuzzCompile \
	./internal/dialect:FuzzCompile \
	./internal/workato:FuzzTranslate \
	./internal/trust:FuzzParseBundle \
	./internal/suite:FuzzReadPage \
	./server/config:FuzzParseSuite \
	./server/echo:FuzzAppendJSONString \
	./server/authz:FuzzAuthzHeader \
	./server/reqlog:FuzzRequestLog
# Smoke runs count executions, not seconds: a time budget makes Go's fuzz coordinator
# fail with "context deadline exceeded" when a worker is slow on a loaded machine.
FUZZTIME_TEST ?= 5000x
FUZZTIME ?= 2m

.PHONY: all build run site assets test check unit fuzz-smoke fuzz bench generate templ

all: build

# The front-end packages, pinned by package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# The page's JavaScript and CSS (esbuild's Go API) and the engine compiled to
# WebAssembly, gzip and brotli, into web/site/dist, which the binary embeds.
# Recompressing with brotli -q 11 takes minutes; it is skipped when the .wasm is unchanged.
assets: node_modules/.package-lock.json
	$(GO) run ./web/build

build: assets
	@mkdir -p bin
	$(GO) build -trimpath -o $(BIN) ./server

run: build
	$(BIN) serve $(ARGS)

site: build
	$(BIN) site -o dist/site

TEMPL_DIRS := web/site server

templ:
	@for d in $(TEMPL_DIRS); do $(GO) tool templ generate -path $$d || exit 1; done

# Unit tests run last, so the summary line is the last thing printed.
test: check fuzz-smoke unit

# Static checks: formatting and import grouping, vet, the engine's js/wasm build,
# generated files current. The import rules between packages are a test (server/imports_test.go).
check: node_modules/.package-lock.json
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './node_modules/*')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	@ungrouped=$$($(GO) tool goimports -local github.com/mtlsplay/mtlsplay -l $$(find . -name '*.go' -not -name '*_templ.go' -not -path './node_modules/*')); \
	  if [ -n "$$ungrouped" ]; then echo "imports not grouped as goimports -local github.com/mtlsplay/mtlsplay groups them (stdlib, others, this module): $$ungrouped"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) build $(WASM_PKGS) ./wasm
	GOOS=js GOARCH=wasm $(GO) build -tags inspector -o /dev/null ./wasm
	$(GO) vet -tags inspector ./internal/engine/
	@for d in $(TEMPL_DIRS); do $(GO) tool templ generate -path $$d >/dev/null 2>&1 || exit 1; done; \
	  if ! git diff --quiet -- '*_templ.go' 2>/dev/null; then \
	    echo "generated *_templ.go files are stale: run make templ and commit"; git diff --stat -- '*_templ.go'; exit 1; fi

# The page's inspector (-tags inspector) is package engine built without the rule
# operations: its own tests run once more with the tag.
unit:
	@set -o pipefail; { $(GO) test -count=1 -json ./...; $(GO) test -count=1 -json -tags inspector ./internal/engine/; } | $(GO) run ./.ci/testsum

fuzz-smoke:
	@for t in $(FUZZ); do pkg=$${t%%:*}; fn=$${t##*:}; \
	  echo "fuzz $$fn ($$pkg) for $(FUZZTIME_TEST)"; \
	  $(GO) test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME_TEST) $$pkg >/tmp/mtlsplay-fuzz.log 2>&1 || { cat /tmp/mtlsplay-fuzz.log; exit 1; }; \
	done

fuzz:
	@for t in $(FUZZ); do pkg=$${t%%:*}; fn=$${t##*:}; \
	  echo "fuzz $$fn ($$pkg) for $(FUZZTIME)"; \
	  $(GO) test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	done

# Benchmarks for what a person waits on; compare runs with benchstat.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=$${COUNT:-5} ./internal/... | tee bench.txt

generate:
	$(GO) generate ./internal/pki

# The mTLS echo endpoint against nginx (Debian's, same certificates, TLS 1.3, client
# certificates required): fresh handshakes/s and keep-alive requests/s, interleaved,
# with each server's CPU per operation from /proc. Loopback only, about 2 minutes
# (BENCH_ECHO_FLAGS="-duration 5s -rounds 1" for less; -bare adds a bare Go server).
# Installs nginx if it is missing, so not for CI; on a machine without a
# policy-rc.d that forbids it, installing nginx also starts its system service.
.PHONY: bench-echo
bench-echo: build
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "bench-echo: installing Debian's nginx to compare with"; \
	  if [ "$$(id -u)" = 0 ]; then s=; else s=sudo; fi; \
	  $$s apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$s apt-get install -y -qq nginx; }
	$(GO) run ./server/benchecho -bin $(BIN) $(BENCH_ECHO_FLAGS)
