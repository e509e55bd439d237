# ze — BGP observability and testing toolkit.
#   make demo      the main job on an embedded default
#   make test      gofmt + vet + unit tests (-race) + .ci functional tests
#   make fuzz      every fuzz target for FUZZTIME each
#   make bench     benchmarks (ze vs GoBGP decode)
#   make interop   tests against real daemons (installs them from Debian when missing)

GO       ?= go
BIN      := bin
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
FUZZTIME ?= 3s
PKGS     := ./...

.PHONY: all build test unit functional vet fmt-check fuzz bench bench-propagation bench-mrt demo interop clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ze ./cmd/ze
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ze-test ./cmd/ze-test

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 $(PKGS)

# the .ci scenarios under ci/ (docs/ci-format.md), run by ze-test
functional: build
	$(BIN)/ze-test run ci/

test: fmt-check vet build unit functional

fuzz:
	./ci/fuzz.sh $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 -benchtime 3x ./interop/bench/
	$(GO) test -run '^$$' -bench . -benchmem -count 1 -benchtime 1x ./testpeer/
	$(GO) test -run '^$$' -bench CaptureLoad -benchmem -count 1 -benchtime 3x ./speaker/rib/

demo: build
	@echo "== ze bgp decode --pcap testdata/demo/exabgp-gobgp-ibgp-addpath-v4v6.pcapng --format text"
	@$(BIN)/ze bgp decode --pcap testdata/demo/exabgp-gobgp-ibgp-addpath-v4v6.pcapng --format text
	@echo
	@echo "== the same capture as ze JSON (first 6 messages)"
	@$(BIN)/ze bgp decode --pcap testdata/demo/exabgp-gobgp-ibgp-addpath-v4v6.pcapng | head -6
	@echo
	@echo "== encode a route and decode it back"
	@hex=$$($(BIN)/ze bgp encode "route 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [65001 65002] med 10 community [65000:1 no-export] large-community [65000:1:2]") && \
		echo "$$hex" && echo "$$hex" | $(BIN)/ze bgp decode --format text
	@echo
	@./testdata/demo/live.sh $(BIN)

interop: build
	./interop/run.sh

# ze vs BIRD, FRR, GoBGP, OpenBGPD forwarding 1M prefixes (root: network
# namespaces zepb-*); knobs and figures in interop/propagation/README.md
bench-propagation: build
	ZE_BENCH_PROPAGATION=1 ZEPB_BIN=$(CURDIR)/$(BIN) $(GO) test -tags interop -count=1 -v -timeout 60m \
		-run '^TestPropagation$$' ./interop/propagation/

# ze mrt dump -m vs bgpdump -m, ze's MRT iteration vs GoBGP's, reading vs
# decompression alone, on bgpdump's largest test files (interop/mrtbench)
bench-mrt: build
	./interop/mrtbench/run.sh $(BIN)

clean:
	rm -rf $(BIN)
