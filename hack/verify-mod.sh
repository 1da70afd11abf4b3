#!/usr/bin/env bash
# Fails when `go mod tidy` would change go.mod or go.sum of any module in the repository.
set -o errexit -o nounset -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
status=0
for dir in "${ROOT}" "${ROOT}/hack/tools/kube" "${ROOT}/hack/tools/etcd" "${ROOT}/hack/tools/lint" "${ROOT}/hack/tools/helm" "${ROOT}/hack/tools/metrics-server"; do
	(
		cd "${dir}"
		cp go.mod go.mod.orig; cp go.sum go.sum.orig
		go mod tidy
		rc=0
		diff -u go.mod.orig go.mod || rc=1
		diff -u go.sum.orig go.sum || rc=1
		mv go.mod.orig go.mod; mv go.sum.orig go.sum
		if [ "${rc}" -ne 0 ]; then echo "go mod tidy changes ${dir}" >&2; exit 1; fi
	) || status=1
done
exit "${status}"
