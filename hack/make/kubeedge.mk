# Real KubeEdge binaries for tests, built from the release source tarballs by hack/build-kubeedge.sh.
# Included from the Makefile, which defines ROOT and OUT. Nothing built here goes into the project.

# KUBEEDGE_SRC_DIR holds kubeedge-<tag>.tar.gz and their SHA256SUMS; by default the shared/thirdparty
# directory next to the checkout.
KUBEEDGE_SRC_DIR ?= $(ROOT)/../shared/thirdparty
# KUBEEDGE_OUT is what the tests read as KUBEEDGE_BIN_DIR: one <tag>/bin/ directory per release.
KUBEEDGE_OUT := $(OUT)/kubeedge

# Releases whose keadm test/kubeedge/keadm checks the generated commands against.
KUBEEDGE_KEADM_TAGS := v1.23.1 v1.19.2 v1.12.7
# The release whose cloudcore and edgecore the end-to-end tests run.
KUBEEDGE_CORE_TAG := v1.23.1

KUBEEDGE_KEADM     := $(foreach t,$(KUBEEDGE_KEADM_TAGS),$(KUBEEDGE_OUT)/$(t)/bin/keadm)
KUBEEDGE_CLOUDCORE := $(KUBEEDGE_OUT)/$(KUBEEDGE_CORE_TAG)/bin/cloudcore
KUBEEDGE_EDGECORE  := $(KUBEEDGE_OUT)/$(KUBEEDGE_CORE_TAG)/bin/edgecore

# Each binary depends on its tarball only: it is rebuilt when the tarball changes. The script checks
# the tarball against SHA256SUMS. The Go build cache stays the default one, so a rebuild is quick.
$(KUBEEDGE_OUT)/%/bin/keadm: $(KUBEEDGE_SRC_DIR)/kubeedge-%.tar.gz
	KUBEEDGE_SRC_DIR=$(KUBEEDGE_SRC_DIR) GO=$(GO) hack/build-kubeedge.sh $* keadm $(@D)

$(KUBEEDGE_OUT)/%/bin/cloudcore: $(KUBEEDGE_SRC_DIR)/kubeedge-%.tar.gz
	KUBEEDGE_SRC_DIR=$(KUBEEDGE_SRC_DIR) GO=$(GO) hack/build-kubeedge.sh $* cloudcore $(@D)

$(KUBEEDGE_OUT)/%/bin/edgecore: $(KUBEEDGE_SRC_DIR)/kubeedge-%.tar.gz
	KUBEEDGE_SRC_DIR=$(KUBEEDGE_SRC_DIR) GO=$(GO) hack/build-kubeedge.sh $* edgecore $(@D)

# Only reached when a tarball is missing. PRECIOUS: make must never treat a tarball as an intermediate
# file and delete it.
.PRECIOUS: $(KUBEEDGE_SRC_DIR)/kubeedge-%.tar.gz
$(KUBEEDGE_SRC_DIR)/kubeedge-%.tar.gz:
	@echo "KubeEdge source tarball $@ not found. Set KUBEEDGE_SRC_DIR to the directory holding kubeedge-$*.tar.gz and SHA256SUMS." >&2
	@exit 1

.PHONY: kubeedge-keadm kubeedge-cloudcore kubeedge-edgecore
kubeedge-keadm: $(KUBEEDGE_KEADM) ## Build keadm of every tested KubeEdge release from source into _output/kubeedge.
kubeedge-cloudcore: $(KUBEEDGE_CLOUDCORE) ## Build cloudcore of the tested KubeEdge release from source.
kubeedge-edgecore: $(KUBEEDGE_EDGECORE) ## Build edgecore of the tested KubeEdge release from source.
