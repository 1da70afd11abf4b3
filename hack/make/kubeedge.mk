# Real KubeEdge binaries for tests, built from the release source tarballs by hack/build-kubeedge.sh.
# Included from the Makefile, which defines ROOT and OUT. Nothing built here goes into the project.

# KUBEEDGE_SRC_DIR holds kubeedge-<tag>.tar.gz and their SHA256SUMS; by default the nearest shared/thirdparty
# directory beside the checkout or one of its parents.
KUBEEDGE_SRC_DIR ?= $(abspath $(firstword $(wildcard $(foreach up,.. ../.. ../../..,$(ROOT)/$(up)/shared/thirdparty/SHA256SUMS)) \
	$(ROOT)/../shared/thirdparty/SHA256SUMS)/..)
# KUBEEDGE_OUT is what the tests read as KUBEEDGE_BIN_DIR: one <tag>/bin/ directory per release.
KUBEEDGE_OUT := $(OUT)/kubeedge

# Releases whose keadm test/kubeedge/keadm checks the generated commands against.
KUBEEDGE_KEADM_TAGS := v1.23.1 v1.19.2 v1.12.7
# The release whose cloudcore and edgecore the end-to-end tests run.
KUBEEDGE_CORE_TAG := v1.23.1

KUBEEDGE_KEADM     := $(foreach t,$(KUBEEDGE_KEADM_TAGS),$(KUBEEDGE_OUT)/$(t)/bin/keadm)
KUBEEDGE_CLOUDCORE := $(KUBEEDGE_OUT)/$(KUBEEDGE_CORE_TAG)/bin/cloudcore
KUBEEDGE_EDGECORE  := $(KUBEEDGE_OUT)/$(KUBEEDGE_CORE_TAG)/bin/edgecore
# The release's CRDs (build/crds), which cloudcore needs applied before it creates its secrets.
KUBEEDGE_CRDS      := $(KUBEEDGE_OUT)/$(KUBEEDGE_CORE_TAG)/bin/crds
# Everything `make test` needs from KubeEdge (.ci/run builds each as a phase of its own).
KUBEEDGE_BINS      := $(KUBEEDGE_KEADM) $(KUBEEDGE_CLOUDCORE) $(KUBEEDGE_CRDS) $(KUBEEDGE_EDGECORE)

# Each binary is built once per machine into hack/cached-build.sh's cache, keyed by its tarball's content
# and the build script, and linked into $(KUBEEDGE_OUT)/<tag>/bin: a fresh clone relinks instead of
# rebuilding. The script checks the tarball against SHA256SUMS.
# A keadm whose release has no edgecore built beside it is built without cgo (no SQLite to compile); the core
# release builds all three with cgo, so they share every compiled package. CGO_ENABLED is part of the cache key.
$(KUBEEDGE_OUT)/%/bin/keadm: $(KUBEEDGE_SRC_DIR)/kubeedge-%.tar.gz FORCE
	@CGO_ENABLED=$(if $(filter $*,$(KUBEEDGE_CORE_TAG)),1,0) KUBEEDGE_SRC_DIR=$(KUBEEDGE_SRC_DIR) $(CACHED_BUILD) kubeedge-keadm-$* -l $(@D) -m "building keadm $* from the KubeEdge sources, about 5-15 minutes the first time" -f $< -f hack/build-kubeedge.sh \
		-- bash -c 'hack/build-kubeedge.sh $* keadm "$$OUT_DIR"' >/dev/null

$(KUBEEDGE_OUT)/%/bin/cloudcore: $(KUBEEDGE_SRC_DIR)/kubeedge-%.tar.gz FORCE
	@KUBEEDGE_SRC_DIR=$(KUBEEDGE_SRC_DIR) $(CACHED_BUILD) kubeedge-cloudcore-$* -l $(@D) -m "building cloudcore $* from the KubeEdge sources, about 10 minutes the first time" -f $< -f hack/build-kubeedge.sh \
		-- bash -c 'hack/build-kubeedge.sh $* cloudcore "$$OUT_DIR"' >/dev/null

$(KUBEEDGE_OUT)/%/bin/edgecore: $(KUBEEDGE_SRC_DIR)/kubeedge-%.tar.gz FORCE
	@KUBEEDGE_SRC_DIR=$(KUBEEDGE_SRC_DIR) $(CACHED_BUILD) kubeedge-edgecore-$* -l $(@D) -m "building edgecore $* from the KubeEdge sources, about 5 minutes the first time" -f $< -f hack/build-kubeedge.sh \
		-- bash -c 'hack/build-kubeedge.sh $* edgecore "$$OUT_DIR"' >/dev/null

$(KUBEEDGE_OUT)/%/bin/crds: $(KUBEEDGE_SRC_DIR)/kubeedge-%.tar.gz FORCE
	@KUBEEDGE_SRC_DIR=$(KUBEEDGE_SRC_DIR) $(CACHED_BUILD) kubeedge-crds-$* -l $(@D) -f $< -f hack/extract-kubeedge-crds.sh \
		-- bash -c 'hack/extract-kubeedge-crds.sh $* "$$OUT_DIR"' >/dev/null

# Only reached when a tarball is missing. PRECIOUS: make must never treat a tarball as an intermediate
# file and delete it.
.PRECIOUS: $(KUBEEDGE_SRC_DIR)/kubeedge-%.tar.gz
$(KUBEEDGE_SRC_DIR)/kubeedge-%.tar.gz:
	@echo "KubeEdge source tarball $@ not found. Set KUBEEDGE_SRC_DIR to the directory holding kubeedge-$*.tar.gz and SHA256SUMS." >&2
	@exit 1

.PHONY: kubeedge-keadm kubeedge-cloudcore kubeedge-edgecore kubeedge-crds
kubeedge-keadm: $(KUBEEDGE_KEADM) ## Build keadm of every tested KubeEdge release from source into _output/kubeedge.
kubeedge-cloudcore: $(KUBEEDGE_CLOUDCORE) $(KUBEEDGE_CRDS) ## Build cloudcore of the tested KubeEdge release from source, with its CRDs.
kubeedge-edgecore: $(KUBEEDGE_EDGECORE) ## Build edgecore of the tested KubeEdge release from source.
