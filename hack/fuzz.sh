#!/usr/bin/env bash
# Runs every Go fuzz target for a short fixed time (FUZZTIME, default 10s each).
# `go test ./...` already replays the seed corpora; this explores beyond them.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZTIME="${FUZZTIME:-10s}"
targets=$(grep -rlE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' --include='*_test.go' apis pkg registry || true)
count=0
for file in ${targets}; do
	pkg="./$(dirname "${file}")"
	for name in $(grep -oE '^func Fuzz[A-Za-z0-9_]+' "${file}" | sed 's/^func //'); do
		echo "fuzz: ${pkg} ${name} for ${FUZZTIME}"
		go test -run '^$' -fuzz "^${name}\$" -fuzztime "${FUZZTIME}" "${pkg}"
		count=$((count + 1))
	done
done
echo "fuzz: ${count} targets passed"
