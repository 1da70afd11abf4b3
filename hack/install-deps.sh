#!/usr/bin/env bash
# Installs the Debian packages the tests and `make run` use, if missing. Everything else comes from the Go module
# proxy.
#
#   hack/install-deps.sh                 install what is missing (with sudo when not root); fail if it cannot
#   hack/install-deps.sh --if-possible   install only as root on Debian or Ubuntu (apt-get present); elsewhere
#                                        print one line naming what is missing and succeed, so `make run` and
#                                        `make test` go on (the tests that need a missing command skip, saying why,
#                                        or fail under CI)
set -o errexit -o nounset -o pipefail

if_possible=false
case "${1:-}" in
--if-possible) if_possible=true ;;
"") ;;
*)
	echo "usage: $0 [--if-possible]" >&2
	exit 2
	;;
esac

# iptables (with iptables-legacy), ipset and iproute2: the dataplane tests program netfilter in network namespaces.
# util-linux (unshare, mount, nsenter) and procps: the real-keadm and real-edgecore tests use private mount
# namespaces. curl: the commands `make run` prints to try the API.
# containerd, runc, containernetworking-plugins (its loopback plugin) and busybox-static: the real-edgecore test
# (test/kubeedge/edge) runs a private containerd for edgecore's pods and builds their images from a Go pause
# program and Debian's static /bin/busybox; nothing is pulled.
PACKAGES=(git make iptables ipset iproute2 util-linux procps curl containerd runc containernetworking-plugins busybox-static)

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps: not a Debian or Ubuntu machine; make sure these are installed: ${PACKAGES[*]}"
	exit 0
fi
missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all of ${PACKAGES[*]} present"
	exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if ${if_possible}; then
		echo "install-deps: missing Debian packages ${missing[*]}; run hack/install-deps.sh (it uses sudo) to install them"
		exit 0
	fi
	SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
${SUDO} apt-get update -qq
DEBIAN_FRONTEND=noninteractive ${SUDO} apt-get install -y -qq --no-install-recommends "${missing[@]}"
