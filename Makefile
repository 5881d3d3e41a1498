GO ?= go
PKGS := ./...

.PHONY: build run test bench lint clean

build:
	$(GO) build -o bin/p53evo ./cmd/p53evo

run:
	$(GO) run ./cmd/p53evo run

test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

clean:
	rm -rf bin p53evo-out
