#!/usr/bin/env bash
# Runs every Go fuzz target for a short fixed time (FUZZTIME, default 10s each).
# `go test ./...` already replays the seed corpora and the committed ones (testdata/fuzz); this explores beyond
# them. SAVE_CORPUS=1 then copies up to CORPUS_MAX (default 48) of the smallest inputs each target's run found
# interesting into its committed corpus (`make fuzz-corpus`).
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZTIME="${FUZZTIME:-10s}"
SAVE_CORPUS="${SAVE_CORPUS:-0}"
CORPUS_MAX="${CORPUS_MAX:-48}"
module=$(go list -m)
cache="$(go env GOCACHE)/fuzz"
# inputs counts the committed and failing inputs of a target.
inputs() {
	if [[ -d "$1/testdata/fuzz/$2" ]]; then
		find "$1/testdata/fuzz/$2" -type f | wc -l
	else
		echo 0
	fi
}

# fuzz_one runs one target. Go 1.26's fuzz coordinator can fail a run with a bare "context deadline exceeded"
# when -fuzztime ends while a worker is busy (go.dev/issue/75804, fixed in Go 1.27). A real failure always writes
# its input to testdata/fuzz/<target>; such a bare deadline without a new input is retried up to twice.
fuzz_one() {
	local pkg=$1 name=$2 out before after
	for attempt in 1 2 3; do
		before=$(inputs "${pkg}" "${name}")
		if out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "${FUZZTIME}" "${pkg}" 2>&1); then
			echo "${out}" | tail -n 1
			return 0
		fi
		after=$(inputs "${pkg}" "${name}")
		echo "${out}"
		if [[ "${after}" != "${before}" ]] || ! grep -qx '    context deadline exceeded' <<<"${out}" || [[ ${attempt} == 3 ]]; then
			return 1
		fi
		echo "fuzz: ${name}: the fuzz coordinator's deadline race (go.dev/issue/75804), no failing input; running it again"
	done
}

targets=$(grep -rlE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' --include='*_test.go' apis pkg registry || true)
count=0
for file in ${targets}; do
	pkg="./$(dirname "${file}")"
	for name in $(grep -oE '^func Fuzz[A-Za-z0-9_]+' "${file}" | sed 's/^func //'); do
		echo "fuzz: ${pkg} ${name} for ${FUZZTIME}"
		fuzz_one "${pkg}" "${name}"
		if [[ "${SAVE_CORPUS}" == 1 && -d "${cache}/${module}/${pkg#./}/${name}" ]]; then
			mkdir -p "${pkg}/testdata/fuzz/${name}"
			# shellcheck disable=SC2012 # names are hex digests; head closing the pipe early is expected
			smallest=$(ls -S -r "${cache}/${module}/${pkg#./}/${name}" | head -n "${CORPUS_MAX}" || true)
			for f in ${smallest}; do
				cp "${cache}/${module}/${pkg#./}/${name}/${f}" "${pkg}/testdata/fuzz/${name}/${f}"
			done
		fi
		count=$((count + 1))
	done
done
echo "fuzz: ${count} targets passed"
