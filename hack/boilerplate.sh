#!/usr/bin/env bash
# Checks or adds the licence header (hack/boilerplate.go.txt) at the top of every Go file in the repository.
#
#   hack/boilerplate.sh verify   list the Go files that do not start with the header; exit 1 if any
#   hack/boilerplate.sh update   add the header (which ends with a blank line) to those files
#
# Generated files carry the header already: code-generator writes it from the same file.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=${1:-}
[[ ${mode} == verify || ${mode} == update ]] || {
	echo "usage: $0 verify|update" >&2
	exit 2
}
header=hack/boilerplate.go.txt
lines=$(wc -l <"${header}")

missing=()
while IFS= read -r -d '' f; do
	# A build constraint may precede the header in generated files; the header must still open the file's comments.
	if ! awk -v n="${lines}" 'started || !/^(\/\/go:build|\/\/ \+build|$)/ { started = 1; print; if (++c == n) exit }' "${f}" | cmp -s - "${header}"; then
		missing+=("${f#./}")
	fi
done < <(git ls-files -z --cached --others --exclude-standard -- '*.go')

if [[ ${mode} == verify ]]; then
	if [[ ${#missing[@]} -gt 0 ]]; then
		printf '%s\n' "${missing[@]}"
		echo "boilerplate: ${#missing[@]} Go files lack the licence header of ${header}; run \`make update-boilerplate\`" >&2
		exit 1
	fi
	exit 0
fi
for f in "${missing[@]}"; do
	# The header file ends with the blank line that separates it from the code.
	cat "${header}" "${f}" >"${f}.boilerplate.tmp"
	mv "${f}.boilerplate.tmp" "${f}"
done
echo "boilerplate: added the header to ${#missing[@]} files"
