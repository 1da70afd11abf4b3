#!/usr/bin/env bash
# Builds KubeEdge components from a release source tarball, for tests only.
#
#   hack/build-kubeedge.sh <tag> <component>... <outdir>
#
# <tag> is a KubeEdge release tag such as v1.23.1; each <component> is keadm, cloudcore or edgecore. The
# script reads kubeedge-<tag>.tar.gz from KUBEEDGE_SRC_DIR (default: ../shared/thirdparty next to the
# checkout), checks it against SHA256SUMS in that directory, unpacks it into a temporary directory and
# writes <outdir>/<component>. It exits non-zero if anything fails and leaves no partial binary behind.
#
# The build follows upstream's hack/make-rules/build.sh (kubeedge/kubeedge@v1.23.1): vendored modules,
# GOWORK=off (v1.23.1 has a go.work), the tag stamped into pkg/version and `-s -w`. CGO_ENABLED is taken from
# the environment, default 1: edgecore needs cgo (its metadata store is SQLite through mattn/go-sqlite3), and
# the Makefile turns it off for a keadm whose release has no edgecore built beside it, which then skips
# compiling SQLite. These binaries only serve tests, so they are compiled without optimisation or inlining
# (`-gcflags=all=-N -l`, as upstream's `make test` does). keadm v1.12.7 from an empty build cache on 2 idle
# cores: 328 s as upstream builds it, 251 s so (0.77x). -trimpath keeps the Go build cache independent of
# the temporary directory, so a second build of the same tag, or another component of it, is quick.
set -o errexit -o nounset -o pipefail

usage() {
	echo "usage: $0 <tag> <component>... <outdir>   (component: keadm, cloudcore, edgecore)" >&2
	exit 2
}
[ $# -ge 3 ] || usage

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src_dir=${KUBEEDGE_SRC_DIR:-$root/../shared/thirdparty}
go=${GO:-go}

args=("$@")
tag=${args[0]}
out=${args[${#args[@]}-1]}
components=("${args[@]:1:${#args[@]}-2}")

[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "build-kubeedge: bad tag ${tag@Q}, want vX.Y.Z" >&2; exit 2; }

pkg_of() {
	case $1 in
	keadm) echo ./keadm/cmd/keadm ;;
	cloudcore) echo ./cloud/cmd/cloudcore ;;
	edgecore) echo ./edge/cmd/edgecore ;;
	*) echo "build-kubeedge: unknown component ${1@Q} (keadm, cloudcore, edgecore)" >&2; return 1 ;;
	esac
}

# Cold-cache build times measured on 2 busy cores, for the notice below.
minutes_of() {
	case $1/$2 in
	keadm/v1.23.*) echo 15 ;;
	keadm/v1.19.*) echo 12 ;;
	keadm/v1.12.*) echo 5 ;;
	cloudcore/*) echo 10 ;;
	edgecore/*) echo 5 ;;
	*) echo 20 ;;
	esac
}

for c in "${components[@]}"; do pkg_of "$c" >/dev/null; done

tarball=$src_dir/kubeedge-$tag.tar.gz
if [ ! -f "$tarball" ]; then
	echo "build-kubeedge: $tarball not found; set KUBEEDGE_SRC_DIR to the directory holding kubeedge-$tag.tar.gz and SHA256SUMS" >&2
	exit 1
fi
sums=$src_dir/SHA256SUMS
want=$(awk -v f="kubeedge-$tag.tar.gz" '$2 == f || $2 == "*" f {print $1}' "$sums" 2>/dev/null || true)
if [ -z "$want" ]; then
	echo "build-kubeedge: no checksum for kubeedge-$tag.tar.gz in $sums" >&2
	exit 1
fi
got=$(sha256sum "$tarball" | awk '{print $1}')
if [ "$got" != "$want" ]; then
	echo "build-kubeedge: $tarball has sha256 $got, SHA256SUMS says $want" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/build-kubeedge.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
tree=$work/kubeedge-$tag
[ -d "$tree" ] || { echo "build-kubeedge: $tarball does not unpack into kubeedge-$tag/" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
for c in "${components[@]}"; do
	echo "building $c $tag from source, about $(minutes_of "$c" "$tag") minutes the first time"
	(
		cd "$tree"
		GOWORK=off GOFLAGS="-mod=vendor -buildvcs=false" GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=${CGO_ENABLED:-1} \
			"$go" build -trimpath -gcflags="all=-N -l" -ldflags "-s -w -X github.com/kubeedge/kubeedge/pkg/version.gitVersion=$tag" \
			-o "$out/.$c.tmp" "$(pkg_of "$c")"
	)
	mv -f "$out/.$c.tmp" "$out/$c"
done
