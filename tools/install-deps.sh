#!/bin/sh
# install-deps: install the Debian packages dutlab needs to build, test and run its lab (idempotent).
set -eu

build="meson ninja-build pkg-config gcc clang libclang-rt-14-dev clang-format cppcheck
 libfyaml-dev libsqlite3-dev libcmocka-dev libssl-dev libcurl4-openssl-dev libpcap-dev
 libjson-c-dev libssh-dev sqlite3 openssl ent
 squashfs-tools unzip zip xz-utils bzip2"
# cracklib-runtime: the dictionary pam_pwquality checks passwords against (only a Recommends of
# libcrack2, which --no-install-recommends leaves out: mgmt-good then refuses every new password)
lab="iproute2 procps psmisc nginx-light openssh-server openssh-client snmpd snmp
 avahi-daemon miniupnpd-nftables busybox-static python3 python3-gi gir1.2-gst-rtsp-server-1.0 glib-networking
 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-tools
 lighttpd lighttpd-mod-openssl dropbear-bin
 tshark nmap sslscan testssl.sh ssh-audit netcat-openbsd gdbserver iputils-ping curl util-linux
 strace time
 cockpit-ws cockpit-bridge libpam-pwquality cracklib-runtime hydra
 nftables openvswitch-switch lldpd netsniff-ng dsniff python3-scapy
 frr bird2"

want="$build"
case "${1:-all}" in
build) ;;
all | lab) want="$build $lab" ;;
*) echo "usage: $0 [build|lab|all]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run 'make deps' as root, or install them with apt-get" >&2
	exit 1
fi

# The lab starts its daemons inside network namespaces itself; keep the package
# scripts from starting them in the host namespace while they install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	created_policy=1
fi
trap '[ "$created_policy" -eq 1 ] && rm -f "$policy"' EXIT

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing:$missing"
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
