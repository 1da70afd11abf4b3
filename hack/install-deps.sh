#!/usr/bin/env bash
# Installs the Debian packages the tests use, if missing. Everything else comes from the Go module proxy.
set -o errexit -o nounset -o pipefail

# iptables (with iptables-legacy), ipset and iproute2: the dataplane tests program netfilter in network namespaces.
# containerd, runc, containernetworking-plugins (its loopback plugin) and busybox-static: the real-edgecore test
# (test/kubeedge/edge) runs a private containerd for edgecore's pods and builds their images from a Go pause
# program and Debian's static /bin/busybox; nothing is pulled.
PACKAGES=(git make iptables ipset iproute2 curl containerd runc containernetworking-plugins busybox-static)
missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all of ${PACKAGES[*]} present"
	exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
echo "install-deps: installing ${missing[*]}"
${SUDO} apt-get update -qq
DEBIAN_FRONTEND=noninteractive ${SUDO} apt-get install -y -qq --no-install-recommends "${missing[@]}"
