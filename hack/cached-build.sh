#!/usr/bin/env bash
# cached-build.sh: build something once per machine and reuse it from every clone.
#
#   hack/cached-build.sh NAME [-f FILE]... [-k STRING]... [-l DIR] [-c DIR] [-m MESSAGE] -- COMMAND [ARG]...
#
# COMMAND runs from the current directory with two environment variables set:
#   OUT_DIR   an empty directory; everything the build produces goes there (files or directories). It becomes
#             the cache entry, so the command must not write its outputs anywhere else.
#   WORK_DIR  an empty scratch directory (to unpack a tarball, say), deleted afterwards.
#
# The entry is stored under ${EDGEWATCHER_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgewatcher/bin}/NAME/KEY,
# where KEY is a sha256 over:
#   - NAME;
#   - the content of each -f FILE (a go.mod, a go.sum, a source tarball), not its path;
#   - each -k STRING (build flags that are not already in COMMAND);
#   - COMMAND and its arguments, word for word, so flags written in the command are part of the key (keep
#     clone-specific paths out of it: refer to $OUT_DIR and relative paths, e.g. bash -c '... -o "$OUT_DIR/x"');
#   - `go env` GOVERSION GOOS GOARCH GOAMD64 GOARM64 CGO_ENABLED GOEXPERIMENT GOFLAGS, of ${GO:-go}, if present.
# The inputs themselves are kept in the entry's .key file.
#
# A build runs in NAME/.tmp-KEY-*; when COMMAND succeeds, .manifest.sha256 (sha256sum lines for every regular
# file) is written last and the directory renamed to NAME/KEY. An entry is used only if its manifest verifies
# (`sha256sum -c`); a partial or corrupt entry is moved aside and rebuilt. Builds of one NAME/KEY are serialised
# with flock(1) so that clones sharing the cache build it once.
#
# With -m MESSAGE, MESSAGE is printed on stderr when a build starts (not when the entry is cached): say what is
# built and how long it takes the first time. It is not part of the key.
#
# With -l DIR, each top-level output is symlinked into DIR (atomically replacing what is there); with -c DIR it
# is copied instead. The entry's path is printed on stdout; progress goes to stderr. Exit status: COMMAND's if
# it fails, 2 for a usage error, 1 for any other failure.
#
# Each use refreshes the entry's .used file; entries of NAME not used for EDGEWATCHER_BIN_CACHE_DAYS (default 30)
# are deleted (a clone still linking to one rebuilds it on its next use).
#
# Clear the cache with: rm -rf "${XDG_CACHE_HOME:-$HOME/.cache}/edgewatcher/bin" (or `make clean-cache`).
set -o errexit -o nounset -o pipefail
# The braces make bash read the whole script before running it, so editing it does not break a running build.
{
usage() {
	sed -n '4p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2
	exit 2
}
log() { echo "cached-build: $*" >&2; }

[[ $# -ge 1 && "$1" != -* ]] || usage
name=$1
shift
[[ "${name}" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || {
	log "bad NAME ${name}: letters, digits, . _ - only"
	exit 2
}
files=() keys=() link_dir="" copy_dir="" message=""
while [[ $# -gt 0 && "$1" != -- ]]; do
	[[ $# -ge 2 ]] || usage
	case "$1" in
	-f) files+=("$2") ;;
	-k) keys+=("$2") ;;
	-l) link_dir=$2 ;;
	-c) copy_dir=$2 ;;
	-m) message=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[[ $# -ge 2 && "$1" == -- ]] || usage
shift

root=${EDGEWATCHER_BIN_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/edgewatcher/bin}

# key_text prints the inputs of the key, one per line.
key_text() {
	local f
	echo "name ${name}"
	for f in "${files[@]}"; do
		[[ -f "${f}" ]] || {
			log "${name}: key file ${f} not found"
			return 1
		}
		echo "file $(basename "${f}") $(sha256sum <"${f}" | cut -d' ' -f1)"
	done
	for f in "${keys[@]}"; do
		echo "key ${f}"
	done
	# %q keeps the word boundaries: `a "b c"` and `a b c` are different commands.
	echo "command $(printf '%q ' "$@")"
	if command -v "${GO:-go}" >/dev/null 2>&1; then
		echo "go $("${GO:-go}" env GOVERSION GOOS GOARCH GOAMD64 GOARM64 CGO_ENABLED GOEXPERIMENT GOFLAGS | tr '\n' ' ')"
	fi
}
key_text=$(key_text "$@")
key=$(sha256sum <<<"${key_text}" | cut -c1-32)
mkdir -p "${root}/${name}"
dir=$(cd "${root}/${name}" && pwd)
entry="${dir}/${key}"

# verify reports whether the entry is complete and intact.
verify() {
	[[ -s "${entry}/.manifest.sha256" ]] && (cd "${entry}" && sha256sum --quiet --strict -c .manifest.sha256 >/dev/null 2>&1)
}

build() {
	local tmp status=0
	tmp=$(mktemp -d "${dir}/.tmp-${key}-XXXXXX")
	mkdir "${tmp}/out" "${tmp}/work"
	[[ -z "${message}" ]] || log "${message}"
	log "${name}: building into ${entry}"
	local start=${SECONDS}
	OUT_DIR="${tmp}/out" WORK_DIR="${tmp}/work" "$@" || status=$?
	if [[ ${status} -ne 0 ]]; then
		rm -rf "${tmp}"
		log "${name}: build failed (exit ${status})"
		return "${status}"
	fi
	(
		cd "${tmp}/out"
		if [[ -n "$(find . ! -type f ! -type d -print -quit)" ]]; then
			log "${name}: the build left something that is neither a file nor a directory in OUT_DIR"
			exit 1
		fi
		if [[ -z "$(find . -type f -print -quit)" ]]; then
			log "${name}: the build wrote nothing into OUT_DIR"
			exit 1
		fi
		printf '%s\n' "${key_text}" >.key
		find . -type f ! -name .manifest.sha256 -print0 | LC_ALL=C sort -z | xargs -0 sha256sum >"${tmp}/manifest"
		mv "${tmp}/manifest" .manifest.sha256
	) || {
		rm -rf "${tmp}"
		return 1
	}
	# Replace a corrupt entry: move it aside first, as rename(2) will not replace a non-empty directory.
	if [[ -e "${entry}" ]]; then
		mv -T "${entry}" "${tmp}/old"
	fi
	if ! mv -T "${tmp}/out" "${entry}" 2>/dev/null; then
		# Only a process that does not take the lock (no flock(1)) can have put it there meanwhile.
		rm -rf "${tmp}"
		verify || {
			log "${name}: cannot rename the build to ${entry}"
			return 1
		}
		return 0
	fi
	rm -rf "${tmp}"
	log "${name}: built in $((SECONDS - start))s"
}

ensure() {
	if verify; then
		log "${name}: cached ${entry}"
		return 0
	fi
	if [[ -e "${entry}" ]]; then
		log "${name}: ${entry} is incomplete or corrupt; rebuilding"
	fi
	build "$@"
}

if command -v flock >/dev/null 2>&1; then
	exec {lock}>"${dir}/.${key}.lock"
	flock "${lock}"
fi
ensure "$@"
touch "${entry}/.used"

# prune deletes the other entries of NAME not used for EDGEWATCHER_BIN_CACHE_DAYS days, skipping any being built.
prune() {
	local days=${EDGEWATCHER_BIN_CACHE_DAYS:-30} old k
	[[ "${days}" =~ ^[0-9]+$ ]] || return 0
	for old in "${dir}"/*; do
		k=$(basename "${old}")
		[[ -d "${old}" && "${old}" != "${entry}" && "${k}" =~ ^[0-9a-f]{32}$ ]] || continue
		[[ -n "$(find "${old}" -maxdepth 0 -mtime "+${days}")" ]] || continue
		[[ ! -e "${old}/.used" || -n "$(find "${old}/.used" -mtime "+${days}")" ]] || continue
		(
			if command -v flock >/dev/null 2>&1; then
				exec {l}>"${dir}/.${k}.lock"
				flock -n "${l}" || exit 0
			fi
			log "${name}: deleting ${old}, unused for more than ${days} days"
			rm -rf "${dir}/.tmp-${k}-pruned"
			mv -T "${old}" "${dir}/.tmp-${k}-pruned" && rm -rf "${dir}/.tmp-${k}-pruned"
		) || log "${name}: could not delete ${old}"
	done
	# Leftovers of builds killed a day or more ago.
	find "${dir}" -mindepth 1 -maxdepth 1 -name '.tmp-*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
}
prune

# place puts each top-level output of the entry into $1, by symlink ($2 = link) or copy.
place() {
	local dest=$1 how=$2 f tmp
	mkdir -p "${dest}"
	for f in "${entry}"/*; do
		[[ -e "${f}" ]] || continue
		tmp="${dest}/.$(basename "${f}").tmp.$$"
		rm -rf "${tmp}"
		if [[ "${how}" == link ]]; then
			ln -s "${f}" "${tmp}"
		else
			cp -a "${f}" "${tmp}"
		fi
		if [[ -d "${dest}/$(basename "${f}")" && ! -L "${dest}/$(basename "${f}")" ]]; then
			rm -rf "${dest:?}/$(basename "${f}")"
		fi
		mv -T "${tmp}" "${dest}/$(basename "${f}")"
	done
}
if [[ -n "${link_dir}" ]]; then place "${link_dir}" link; fi
if [[ -n "${copy_dir}" ]]; then place "${copy_dir}" copy; fi
echo "${entry}"
exit 0
}
