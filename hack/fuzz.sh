#!/usr/bin/env bash
# Runs every Go fuzz target for a short fixed time (FUZZTIME, default 10s each).
# `go test ./...` already replays the seed corpora and the committed ones (testdata/fuzz); this explores beyond
# them. SAVE_CORPUS=1 then copies up to CORPUS_MAX (default 48) of the smallest inputs each target's run found
# interesting into its committed corpus (`make fuzz-corpus`).
#
# Each package's test binary is compiled once, with coverage instrumentation as `go test -fuzz` builds it, and
# runs each of the package's targets in turn with the arguments `go test -fuzz` would pass, from the package's
# directory (where testdata/fuzz is read and a failing input written). It prints one line per package and per
# target with the time taken ("fuzz: compiled ./pkg/x in 12s", "fuzz: ./pkg/x FuzzY passed in 10s"); .ci/run
# reads them for its table.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZTIME="${FUZZTIME:-10s}"
SAVE_CORPUS="${SAVE_CORPUS:-0}"
CORPUS_MAX="${CORPUS_MAX:-48}"
module=$(go list -m)
cache="$(go env GOCACHE)/fuzz"
bindir=$(mktemp -d)
trap 'rm -rf "${bindir}"' EXIT

# inputs counts the committed and failing inputs of a target.
inputs() {
	if [[ -d "$1/testdata/fuzz/$2" ]]; then
		find "$1/testdata/fuzz/$2" -type f | wc -l
	else
		echo 0
	fi
}

# fuzz_one runs one target of a package ($1) with its compiled test binary ($3). Go 1.26's fuzz coordinator can
# fail a run with a bare "context deadline exceeded" when -fuzztime ends while a worker is busy
# (go.dev/issue/75804, fixed in Go 1.27). A real failure always writes its input to testdata/fuzz/<target>; such
# a bare deadline without a new input is retried up to twice.
fuzz_one() {
	local pkg=$1 name=$2 bin=$3 out before after start=${SECONDS}
	for attempt in 1 2 3; do
		before=$(inputs "${pkg}" "${name}")
		# -test.paniconexit0 and the 10m -test.timeout are what `go test` adds; -test.fuzzcachedir is where
		# `go test -fuzz` keeps the interesting inputs (SAVE_CORPUS reads them there).
		if out=$(cd "${pkg}" && "${bin}" -test.paniconexit0 -test.timeout=10m0s \
			-test.fuzzcachedir="${cache}/${module}/${pkg#./}" \
			-test.run '^$' -test.fuzz "^${name}\$" -test.fuzztime "${FUZZTIME}" 2>&1); then
			if grep -q 'not built with coverage instrumentation' <<<"${out}"; then
				echo "${out}"
				echo "fuzz: ${pkg} ${name} FAILED in $((SECONDS - start))s: the test binary fuzzed without coverage guidance"
				return 1
			fi
			echo "fuzz: ${pkg} ${name} passed in $((SECONDS - start))s: $(grep -E '^fuzz: elapsed' <<<"${out}" | tail -n 1)"
			return 0
		fi
		after=$(inputs "${pkg}" "${name}")
		echo "${out}"
		if [[ "${after}" != "${before}" ]] || ! grep -qx '    context deadline exceeded' <<<"${out}" || [[ ${attempt} == 3 ]]; then
			echo "fuzz: ${pkg} ${name} FAILED in $((SECONDS - start))s"
			return 1
		fi
		echo "fuzz: ${name}: the fuzz coordinator's deadline race (go.dev/issue/75804), no failing input; running it again"
	done
}

files=$(grep -rlE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' --include='*_test.go' apis pkg registry || true)
pkgs=$(for file in ${files}; do dirname "${file}"; done | sort -u)
count=0
for dir in ${pkgs}; do
	pkg="./${dir}"
	names=$(grep -ohE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' "${dir}"/*_test.go | sed -E 's/^func (Fuzz[A-Za-z0-9_]+).*/\1/')
	start=${SECONDS}
	bin="${bindir}/${dir//\//_}.test"
	# -fuzz makes the build instrument the code for coverage guidance, as `go test -fuzz` does; the
	# pattern only needs to name one target, the binary fuzzes whichever -test.fuzz names.
	go test -c -o "${bin}" -fuzz "^$(head -n 1 <<<"${names}")\$" "${pkg}"
	echo "fuzz: compiled ${pkg} in $((SECONDS - start))s"
	for name in ${names}; do
		echo "fuzz: ${pkg} ${name} for ${FUZZTIME}"
		fuzz_one "${pkg}" "${name}" "${bin}"
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
echo "fuzz: all ${count} targets passed in ${SECONDS}s"
