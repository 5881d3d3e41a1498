GO ?= go
PKGS := ./...

.PHONY: build run test bench bench-compare bench-selftest benchstat lint clean docs-img

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/p53evo ./cmd/p53evo

run:
	$(GO) run ./cmd/p53evo run

test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 30m $(PKGS)
	@# the theory checks must fail on an engine with its former defects put back
	$(GO) test -count=1 -tags p53evo_planted -run Planted ./sim/theory/

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

# staticcheck, pinned, run through the module proxy (not a module dependency)
STATICCHECK_VERSION := v0.8.2

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)

# make docs-img [DOCS_N=100]: the README's figures and analyze example, from
# the default scenario (virtual patients), the reduced-dose arm and, for the
# ctDNA figure, the single lesion with raised shedding (datasets in
# $(DOCS_TMP)).
DOCS_TMP ?= /tmp/p53evo-docs
DOCS_N ?= 100

docs-img:
	$(GO) build -o $(DOCS_TMP)/p53evo ./cmd/p53evo
	$(DOCS_TMP)/p53evo run -n $(DOCS_N) -o $(DOCS_TMP)/full --force -q
	$(DOCS_TMP)/p53evo run -n $(DOCS_N) -s rezatapopt-reduced-dose -o $(DOCS_TMP)/reduced --force -q
	mkdir -p docs/img
	$(DOCS_TMP)/p53evo plot $(DOCS_TMP)/full $(DOCS_TMP)/reduced --kind km --out docs/img/km.png
	$(DOCS_TMP)/p53evo plot $(DOCS_TMP)/full --kind muller --out docs/img/muller.png
	$(DOCS_TMP)/p53evo plot $(DOCS_TMP)/full --kind burden --out docs/img/burden.png
	@# vaf: virtual patients' blood tests read the truncal marker only, and in
	@# the single lesion no resistance lineage is visible in plasma at the
	@# default shedding, so this figure uses the single lesion with 300-fold
	@# shedding and a year of follow-up
	$(DOCS_TMP)/p53evo run -s rezatapopt-continuous-lesion -n 20 -o $(DOCS_TMP)/shed --force -q --set observe.ctdna.shed=0.042 --set stop.follow_up=365
	$(DOCS_TMP)/p53evo plot $(DOCS_TMP)/shed --kind vaf --replicate 0 --out docs/img/vaf.png
	@# section: a small lattice tumour with a raised mutation rate, so that it carries resistance
	$(DOCS_TMP)/p53evo run -s rezatapopt-continuous-lattice -n 4 --seed 3 -o $(DOCS_TMP)/lattice --force -q --set detection.size=2e4 --set mutation.rate=1e-7 --set 'observe.snapshot={at: [treatment_start, 90, progression]}'
	$(DOCS_TMP)/p53evo plot $(DOCS_TMP)/lattice --kind section --replicate 0 --out docs/img/section.png
	cd $(DOCS_TMP) && ./p53evo analyze full reduced > $(CURDIR)/docs/analyze-example.txt
	@ls -l docs/img docs/analyze-example.txt

clean:
	rm -rf bin p53evo-out

# make test-slurm: sweeps as SLURM job arrays on a throwaway local SLURM
# (deploy/slurm/test-slurm.sh: 4-task array vs unsharded, then USR1, scancel
# and resubmission). Needs root; skips (exit 0) where SLURM cannot be set up.
.PHONY: test-slurm
test-slurm:
	GO='$(GO)' bash deploy/slurm/test-slurm.sh

# make test-readers: DuckDB (npm @duckdb/node-api, offline, no extensions)
# and apache-arrow JS read a run and a sweep written by p53evo in Parquet and
# Arrow IPC, and every value is compared with `p53evo export`
# (test/readers/check.mjs; packages pinned by its package-lock.json). Skips
# (exit 0) with a message where node or the npm registry is unavailable.
.PHONY: test-readers
test-readers:
	GO='$(GO)' bash test/readers/run.sh

# make test-readme: every command of README.md's ```sh blocks, as written, in
# a copy of the checkout with p53evo on PATH (make lines skipped), then its
# ```sql blocks in DuckDB when test/readers' npm packages are installed.
.PHONY: test-readme
test-readme:
	GO='$(GO)' bash test/readme/run.sh
