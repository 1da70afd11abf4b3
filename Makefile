# EdgeWatcher. `make run` starts a local control plane with EdgeWatcher; `make test` runs every test.
SHELL := /usr/bin/env bash -o errexit -o pipefail -o nounset
.DEFAULT_GOAL := help

ROOT    := $(abspath .)
OUT     := $(ROOT)/_output
BIN     := $(OUT)/bin
GO      ?= go
export GOTOOLCHAIN := local

KUBE_VERSION := v1.37.2
KUBE_LDFLAGS := -s -w \
	-X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/component-base/version.gitMajor=1 \
	-X k8s.io/component-base/version.gitMinor=37 \
	-X k8s.io/client-go/pkg/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/client-go/pkg/version.gitMajor=1 \
	-X k8s.io/client-go/pkg/version.gitMinor=37

GO_TEST_FLAGS ?= -race
TEST_TIMEOUT  ?= 40m
# The end-to-end tests build and run edgewatcher-apiserver and edgewatcher-syncer themselves, which Go's test
# cache does not see: a cached pass could hide a change to those binaries. `make test` never reuses results.
NO_TEST_CACHE := -count=1

.PHONY: help
help: ## Show the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

##@ Build

.PHONY: build
build: ## Build edgewatcher-apiserver into _output/bin.
	$(GO) build -o $(BIN)/ ./cmd/...

# Pinned third-party binaries are built once per machine into a cache outside the clone, keyed by their tool
# module's go.mod and go.sum, the build command with its flags, and the Go version and platform (see
# hack/cached-build.sh); _output/bin/<tool> links to the cache entry. The recipes always run: a cache hit costs
# a checksum of the entry, and a key change (new flags, new Go) rebuilds even when go.mod is older than the link.
CACHED_BUILD := GO=$(GO) hack/cached-build.sh

# Real control-plane binaries for tests and `make run`, built from pinned Go modules.
$(BIN)/kube-apiserver $(BIN)/kubectl &: FORCE
	@$(CACHED_BUILD) kube -l $(BIN) -m "building kube-apiserver and kubectl $(KUBE_VERSION) from source, about 10 minutes the first time" \
		-f hack/tools/kube/go.mod -f hack/tools/kube/go.sum -- bash -c \
		'cd hack/tools/kube && $(GO) build -ldflags "$(KUBE_LDFLAGS)" -o "$$OUT_DIR/" \
			k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl' >/dev/null

$(BIN)/etcd: FORCE
	@$(CACHED_BUILD) etcd -l $(BIN) -m "building etcd from source, about 3 minutes the first time" -f hack/tools/etcd/go.mod -f hack/tools/etcd/go.sum -- bash -c \
		'cd hack/tools/etcd && $(GO) build -ldflags "-s -w" -o "$$OUT_DIR/etcd" go.etcd.io/etcd/server/v3' >/dev/null

# metrics-server scrapes edge nodes through the syncer in test/e2e/metrics. As its own Makefile does, the
# ldflags stamp its version into client-go's version package.
$(BIN)/metrics-server: FORCE
	@$(CACHED_BUILD) metrics-server -l $(BIN) -m "building metrics-server from source, about 4 minutes the first time" \
		-f hack/tools/metrics-server/go.mod -f hack/tools/metrics-server/go.sum -- bash -c \
		'cd hack/tools/metrics-server && v=$$($(GO) list -m -f "{{.Version}}" sigs.k8s.io/metrics-server) && \
			$(GO) build -ldflags "-s -w -X k8s.io/client-go/pkg/version.gitVersion=$$v" -o "$$OUT_DIR/metrics-server" \
				sigs.k8s.io/metrics-server/cmd/metrics-server' >/dev/null

# helm renders artifacts/charts/edgewatcher in the end-to-end tests. As helm's own Makefile does, the
# ldflags stamp its version and make `helm template`'s default Kubernetes version that of its client-go.
$(BIN)/helm: FORCE
	@$(CACHED_BUILD) helm -l $(BIN) -m "building helm from source, about 5 minutes the first time" -f hack/tools/helm/go.mod -f hack/tools/helm/go.sum -- bash -c \
		'cd hack/tools/helm && v=$$($(GO) list -m -f "{{.Version}}" helm.sh/helm/v3) && \
			k=$$($(GO) list -m -f "{{.Version}}" k8s.io/client-go) && k=$${k#v0.} && \
			$(GO) build -o "$$OUT_DIR/helm" -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$$v \
				-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$${k%%.*}" \
				helm.sh/helm/v3/cmd/helm' >/dev/null

$(BIN)/golangci-lint: FORCE
	@$(CACHED_BUILD) golangci-lint -l $(BIN) -m "building golangci-lint from source, about 6 minutes the first time" \
		-f hack/tools/lint/go.mod -f hack/tools/lint/go.sum -- bash -c \
		'cd hack/tools/lint && $(GO) build -o "$$OUT_DIR/golangci-lint" github.com/golangci/golangci-lint/v2/cmd/golangci-lint' >/dev/null

.PHONY: FORCE
FORCE:

RUNBINS   := $(BIN)/kube-apiserver $(BIN)/kubectl $(BIN)/etcd
TESTBINS  := $(RUNBINS) $(BIN)/helm $(BIN)/metrics-server
TOOL_BINS := $(BIN)/golangci-lint $(TESTBINS)

.PHONY: testbins
testbins: $(TESTBINS) ## Build pinned etcd, kube-apiserver, kubectl, helm and metrics-server.

# keadm, cloudcore and edgecore of the tested KubeEdge releases, built from source for tests.
include hack/make/kubeedge.mk

IMAGE_REPO ?= ghcr.io/edgewatcher
IMAGE_TAG  ?= v0.1.0

.PHONY: image
image: ## Build the apiserver and syncer images with docker (needs a docker engine; CI does not run it).
	@command -v docker >/dev/null || { echo "make image needs docker"; exit 1; }
	docker build -f artifacts/images/apiserver.Dockerfile -t $(IMAGE_REPO)/edgewatcher-apiserver:$(IMAGE_TAG) .
	docker build -f artifacts/images/syncer.Dockerfile -t $(IMAGE_REPO)/edgewatcher-syncer:$(IMAGE_TAG) .

PLUGIN_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

.PHONY: install
install: ## Install the kubectl plugin kubectl-edgenode into GOBIN (default GOPATH/bin), which must be on PATH.
	$(GO) install -ldflags '-X github.com/edgewatcher/edgewatcher/pkg/plugin.version=$(PLUGIN_VERSION)' ./cmd/kubectl-edgenode
	@dir=$$($(GO) env GOBIN); echo "installed $${dir:-$$($(GO) env GOPATH)/bin}/kubectl-edgenode; check: kubectl plugin list"

##@ Run

.PHONY: deps
deps: ## Install the OS packages the tests and the demo use, as root on Debian or Ubuntu; elsewhere name what is missing.
	@hack/install-deps.sh --if-possible

.PHONY: run
run: deps $(RUNBINS) build ## Start etcd, kube-apiserver and EdgeWatcher locally with sample data (Ctrl-C stops).
	$(GO) build -o $(BIN)/edgewatcher-localup ./test/localup
	exec $(BIN)/edgewatcher-localup

##@ Test

.PHONY: test
test: deps testbins kubeedge-keadm kubeedge-cloudcore kubeedge-edgecore ## Run every test: unit, integration, end to end against a real control plane, and a short fuzz run.
	TIMEFORMAT='go test ./... took %0Rs'; time \
		EDGEWATCHER_BIN_DIR=$(BIN) KUBEEDGE_BIN_DIR=$(KUBEEDGE_OUT) $(GO) test $(GO_TEST_FLAGS) $(NO_TEST_CACHE) -timeout $(TEST_TIMEOUT) ./...
	FUZZTIME=$(FUZZTIME) hack/fuzz.sh

FUZZTIME ?= 10s

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME (default 10s) each.
	FUZZTIME=$(FUZZTIME) hack/fuzz.sh

.PHONY: fuzz-corpus
fuzz-corpus: ## Run every fuzz target and save the smallest interesting inputs to testdata/fuzz, to commit.
	FUZZTIME=$(FUZZTIME) SAVE_CORPUS=1 hack/fuzz.sh

.PHONY: test-unit
test-unit: ## Run unit tests only.
	$(GO) test $(GO_TEST_FLAGS) ./apis/... ./pkg/... ./registry/... ./cmd/...

.PHONY: test-e2e
test-e2e: deps testbins kubeedge-keadm kubeedge-cloudcore kubeedge-edgecore ## Run the end-to-end tests only.
	EDGEWATCHER_BIN_DIR=$(BIN) KUBEEDGE_BIN_DIR=$(KUBEEDGE_OUT) $(GO) test $(GO_TEST_FLAGS) $(NO_TEST_CACHE) -timeout $(TEST_TIMEOUT) -v ./test/...

.PHONY: bench
bench: ## Run the benchmarks (figures are ratios against a baseline measured in the same run).
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

##@ Code generation and checks

.PHONY: generate
generate: ## Regenerate deepcopy, conversion, defaults, OpenAPI and clients.
	hack/update-codegen.sh

.PHONY: update-docs
update-docs: ## Regenerate docs/command-line-flags.md from the binaries' --help output.
	$(GO) run ./hack/flagdocs -o docs/command-line-flags.md

VERIFY_CHECKS := verify-gofmt verify-boilerplate verify-vet verify-lint verify-codegen verify-mod verify-docs

.PHONY: verify
verify: $(VERIFY_CHECKS) ## Run every static check.

.PHONY: verify-gofmt
verify-gofmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: verify-boilerplate update-boilerplate
verify-boilerplate: ## Check that every Go file starts with the licence header of hack/boilerplate.go.txt.
	hack/boilerplate.sh verify

update-boilerplate: ## Add the licence header to every Go file that lacks it.
	hack/boilerplate.sh update

.PHONY: verify-vet
verify-vet:
	$(GO) vet ./...

.PHONY: verify-lint
verify-lint: $(BIN)/golangci-lint
	$(BIN)/golangci-lint run --allow-serial-runners ./...

.PHONY: verify-codegen
verify-codegen:
	hack/verify-codegen.sh

.PHONY: verify-mod
verify-mod:
	hack/verify-mod.sh

# docs/command-line-flags.md matches the binaries' --help (hack/flagdocs builds them), and every relative link in
# README.md and docs/ points at an existing file and heading. `make test` runs the same tests.
.PHONY: verify-docs
verify-docs:
	$(GO) test -count=1 ./hack/flagdocs ./test/docs

# `make -s print-VAR` prints a variable (.ci/run reads TOOL_BINS and VERIFY_CHECKS).
print-%:
	@echo $($*)

.PHONY: clean
clean: ## Remove build output (not the cache of pinned tool binaries: see clean-cache).
	rm -rf $(OUT)

BIN_CACHE = $(or $(EDGEWATCHER_BIN_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/edgewatcher/bin)

.PHONY: clean-cache
clean-cache: ## Remove the cache of pinned tool binaries shared by every clone (the next build rebuilds them).
	rm -rf $(BIN_CACHE)
