#!/usr/bin/env bash
# Fails when generated code differs from what `make generate` produces.
set -o errexit -o nounset -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${ROOT}"

GENERATED=(apis pkg/generated)
TMP=$(mktemp -d)
trap 'rm -rf "${TMP}"' EXIT
for d in "${GENERATED[@]}"; do mkdir -p "${TMP}/$(dirname "$d")"; cp -a "$d" "${TMP}/$d"; done

restore() { for d in "${GENERATED[@]}"; do rm -rf "$d"; cp -a "${TMP}/$d" "$d"; done; }
hack/update-codegen.sh >/dev/null
status=0
for d in "${GENERATED[@]}"; do
	diff -Naupr "${TMP}/$d" "$d" || status=1
done
restore
if [ "${status}" -ne 0 ]; then
	echo "Generated code is out of date: run 'make generate'." >&2
fi
exit "${status}"
