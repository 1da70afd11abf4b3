#!/usr/bin/env bash
# Regenerates deepcopy, conversion, defaults, OpenAPI, clientset, listers and informers
# with the generators pinned as `tool` lines in go.mod.
set -o errexit -o nounset -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${ROOT}"

MODULE=github.com/edgewatcher/edgewatcher
BOILERPLATE=hack/boilerplate.go.txt
API_PKGS=("${MODULE}/apis/kubeedge" "${MODULE}/apis/kubeedge/v1alpha1")
VERSIONED="${MODULE}/apis/kubeedge/v1alpha1"

rm -f apis/kubeedge/zz_generated.*.go apis/kubeedge/v1alpha1/zz_generated.*.go
rm -rf pkg/generated

echo "deepcopy-gen"
go tool deepcopy-gen --go-header-file "${BOILERPLATE}" --output-file zz_generated.deepcopy.go "${API_PKGS[@]}"
echo "defaulter-gen"
go tool defaulter-gen --go-header-file "${BOILERPLATE}" --output-file zz_generated.defaults.go "${VERSIONED}"
echo "conversion-gen"
go tool conversion-gen --go-header-file "${BOILERPLATE}" --output-file zz_generated.conversion.go "${VERSIONED}"
echo "openapi-gen"
go tool openapi-gen --go-header-file "${BOILERPLATE}" --output-file zz_generated.openapi.go \
	--output-dir pkg/generated/openapi --output-pkg "${MODULE}/pkg/generated/openapi" \
	--report-filename /dev/null --output-model-name-file zz_generated.model_name.go \
	k8s.io/apimachinery/pkg/apis/meta/v1 k8s.io/apimachinery/pkg/runtime k8s.io/apimachinery/pkg/version \
	"${VERSIONED}"
echo "client-gen"
go tool client-gen --go-header-file "${BOILERPLATE}" --clientset-name versioned \
	--input-base "" --input "${VERSIONED}" \
	--output-dir pkg/generated/clientset --output-pkg "${MODULE}/pkg/generated/clientset"
echo "lister-gen"
go tool lister-gen --go-header-file "${BOILERPLATE}" \
	--output-dir pkg/generated/listers --output-pkg "${MODULE}/pkg/generated/listers" "${VERSIONED}"
echo "informer-gen"
go tool informer-gen --go-header-file "${BOILERPLATE}" \
	--versioned-clientset-package "${MODULE}/pkg/generated/clientset/versioned" \
	--listers-package "${MODULE}/pkg/generated/listers" \
	--output-dir pkg/generated/informers --output-pkg "${MODULE}/pkg/generated/informers" "${VERSIONED}"
