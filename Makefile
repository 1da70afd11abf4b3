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

# Real control-plane binaries for tests and `make run`, built from pinned Go modules.
$(BIN)/kube-apiserver $(BIN)/kubectl &: hack/tools/kube/go.mod hack/tools/kube/go.sum
	cd hack/tools/kube && $(GO) build -ldflags '$(KUBE_LDFLAGS)' -o $(BIN)/ \
		k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
	touch $(BIN)/kube-apiserver $(BIN)/kubectl

$(BIN)/etcd: hack/tools/etcd/go.mod hack/tools/etcd/go.sum
	cd hack/tools/etcd && $(GO) build -ldflags '-s -w' -o $@ go.etcd.io/etcd/server/v3
	touch $@

# metrics-server scrapes edge nodes through the syncer in test/e2e/metrics. As its own Makefile does, the
# ldflags stamp its version into client-go's version package.
$(BIN)/metrics-server: hack/tools/metrics-server/go.mod hack/tools/metrics-server/go.sum
	cd hack/tools/metrics-server && v=$$($(GO) list -m -f '{{.Version}}' sigs.k8s.io/metrics-server) && \
		$(GO) build -ldflags "-s -w -X k8s.io/client-go/pkg/version.gitVersion=$$v" -o $@ \
			sigs.k8s.io/metrics-server/cmd/metrics-server
	touch $@

# helm renders artifacts/charts/edgewatcher in the end-to-end tests. As helm's own Makefile does, the
# ldflags stamp its version and make `helm template`'s default Kubernetes version that of its client-go.
$(BIN)/helm: hack/tools/helm/go.mod hack/tools/helm/go.sum
	cd hack/tools/helm && v=$$($(GO) list -m -f '{{.Version}}' helm.sh/helm/v3) && \
		k=$$($(GO) list -m -f '{{.Version}}' k8s.io/client-go) && k=$${k#v0.} && \
		$(GO) build -o $@ -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$$v \
			-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$${k%%.*}" \
			helm.sh/helm/v3/cmd/helm
	touch $@

$(BIN)/golangci-lint: hack/tools/lint/go.mod hack/tools/lint/go.sum
	cd hack/tools/lint && $(GO) build -o $@ github.com/golangci/golangci-lint/v2/cmd/golangci-lint
	touch $@

.PHONY: testbins
testbins: $(BIN)/kube-apiserver $(BIN)/kubectl $(BIN)/etcd $(BIN)/helm $(BIN)/metrics-server ## Build pinned etcd, kube-apiserver, kubectl, helm and metrics-server.

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

.PHONY: run
run: testbins build ## Start etcd, kube-apiserver and EdgeWatcher locally with sample data (Ctrl-C stops).
	$(GO) build -o $(BIN)/edgewatcher-localup ./test/localup
	exec $(BIN)/edgewatcher-localup

##@ Test

.PHONY: test
test: testbins kubeedge-keadm ## Run every test: unit, integration, end to end against a real control plane, and a short fuzz run.
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
test-e2e: testbins kubeedge-keadm ## Run the end-to-end tests only.
	EDGEWATCHER_BIN_DIR=$(BIN) KUBEEDGE_BIN_DIR=$(KUBEEDGE_OUT) $(GO) test $(GO_TEST_FLAGS) $(NO_TEST_CACHE) -timeout $(TEST_TIMEOUT) -v ./test/...

.PHONY: bench
bench: ## Run the benchmarks (figures are ratios against a baseline measured in the same run).
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

##@ Code generation and checks

.PHONY: generate
generate: ## Regenerate deepcopy, conversion, defaults, OpenAPI and clients.
	hack/update-codegen.sh

.PHONY: verify
verify: verify-gofmt verify-vet verify-lint verify-codegen verify-mod ## Run every static check.

.PHONY: verify-gofmt
verify-gofmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: verify-vet
verify-vet:
	$(GO) vet ./...

.PHONY: verify-lint
verify-lint: $(BIN)/golangci-lint
	$(BIN)/golangci-lint run ./...

.PHONY: verify-codegen
verify-codegen:
	hack/verify-codegen.sh

.PHONY: verify-mod
verify-mod:
	hack/verify-mod.sh

.PHONY: clean
clean: ## Remove build output.
	rm -rf $(OUT)
