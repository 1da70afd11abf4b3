#!/usr/bin/env bash
# Copies a KubeEdge release's CRDs (build/crds) out of its source tarball, for tests only.
#
#   hack/extract-kubeedge-crds.sh <tag> <outdir>
#
# Writes <outdir>/crds. cloudcore creates its secrets only once these CRDs are served. The tarball comes from
# KUBEEDGE_SRC_DIR (default: ../shared/thirdparty next to the checkout) and is checked against SHA256SUMS there.
set -o errexit -o nounset -o pipefail

[ $# -eq 2 ] || { echo "usage: $0 <tag> <outdir>" >&2; exit 2; }
tag=$1 out=$2
[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "extract-kubeedge-crds: bad tag ${tag@Q}, want vX.Y.Z" >&2; exit 2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src_dir=${KUBEEDGE_SRC_DIR:-$root/../shared/thirdparty}
tarball=$src_dir/kubeedge-$tag.tar.gz
want=$(awk -v f="kubeedge-$tag.tar.gz" '$2 == f || $2 == "*" f {print $1}' "$src_dir/SHA256SUMS" 2>/dev/null || true)
[ -n "$want" ] || { echo "extract-kubeedge-crds: no checksum for kubeedge-$tag.tar.gz in $src_dir/SHA256SUMS" >&2; exit 1; }
got=$(sha256sum "$tarball" | awk '{print $1}')
[ "$got" = "$want" ] || { echo "extract-kubeedge-crds: $tarball has sha256 $got, SHA256SUMS says $want" >&2; exit 1; }

mkdir -p "$out"
work=$(mktemp -d "$out/.crds.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work" "kubeedge-$tag/build/crds"
rm -rf "$out/crds"
mv "$work/kubeedge-$tag/build/crds" "$out/crds"
