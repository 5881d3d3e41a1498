GO ?= go
PKGS := ./...

.PHONY: build run test bench bench-compare bench-selftest benchstat lint clean

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/p53evo ./cmd/p53evo

run:
	$(GO) run ./cmd/p53evo run

test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/

# benchstat, pinned, installed into .tools/ (not a module dependency).
BENCHSTAT_VERSION := v0.0.0-20260908200009-22c9c6c9d4da
TOOLS := $(CURDIR)/.tools
BENCHSTAT := $(TOOLS)/benchstat
BENCHSTAT_STAMP := $(TOOLS)/.benchstat-$(BENCHSTAT_VERSION)

benchstat: $(BENCHSTAT_STAMP)

$(BENCHSTAT_STAMP):
	GOBIN=$(TOOLS) $(GO) install golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION)
	@rm -f $(TOOLS)/.benchstat-* && touch $@

# make bench-compare [BASE=<git ref>] [COUNT=10] [BENCH=regex] [BENCHTIME=1s] [GATE=1]
# Base vs working tree, interleaved runs, benchstat table, then the gate
# (GATE=0 or BENCH_GATE=report: report only). See bench/README.md.
BASE ?=
COUNT ?= 10
BENCH ?= .
BENCHTIME ?=
GATE ?= 1

bench-compare: $(BENCHSTAT_STAMP)
	BENCHSTAT='$(BENCHSTAT)' BASE='$(BASE)' COUNT='$(COUNT)' BENCH='$(BENCH)' BENCHTIME='$(BENCHTIME)' GATE='$(GATE)' GO='$(GO)' bash bench/compare.sh

# The gate must pass on a build against itself and fail on -tags p53evo_slow.
bench-selftest: $(BENCHSTAT_STAMP)
	BENCHSTAT='$(BENCHSTAT)' GO='$(GO)' bash bench/selftest.sh

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

clean:
	rm -rf bin p53evo-out
