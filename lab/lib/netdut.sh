# shellcheck shell=bash
# netdut.sh: the layer-2/3 DUTs (issue 6): extra tester ports, routing, nftables, a Linux bridge, userspace Open vSwitch, lldpd, the far host and the fragile responder.
#
# Sourced by lab/lab after services.sh (it uses spawn, in_dut and expect). A robustness
# campaign needs a DUT that forwards: the tester injects on port A (tester_if/dut_if, the
# link lab/lab's net_up makes) and keeps a background flow crossing the DUT to port B
# (port_b), with a third port (port_c) on the switches. All tester ports live in dl-tester.
# Port B carries no tester address: a destination local to dl-tester would never leave it.
# Instead lab/bin/far-host.py plays a host behind the DUT on port B (far_ipv4, far_ipv6,
# far_vlan): it answers ARP, neighbour solicitation, ICMP echo and echoes every UDP datagram
# but those to port 9 (discard), so a plain UDP socket in dl-tester can run a flow A -> DUT
# -> B -> DUT -> A and measure loss and round-trip latency (lab/bin/flow.py), and a raw flow
# read back on port B can use port 9. The far host's process lives in the DUT's namespace
# (so `down` stops it with the rest) and opens its packet socket in dl-tester.
# `lab restart NAME` (netdut_restart, at the end) is these DUTs' power cycle.
#
# It reads lab/lab's T_* variables (T_TESTER_IF, T_DUT_IF, T_DUT_V4, T_DUT_V6...).
# shellcheck disable=SC2153
#
# Topology keys (lab/lab's load_topology hands them to netdut_key):
#   port_b=TESTER_IF:DUT_IF, port_c=TESTER_IF:DUT_IF   extra links to dl-tester
#   dut_ipv4_b, dut_ipv6_b    the DUT's address on port B (routers, firewalls)
#   far_ipv4, far_ipv6        the far host's addresses (with the prefix length of the link)
#   far_vlan                  the VLAN the far host sits in on port B (0: untagged)
#   port_vlans                ovs: DUT_IF:access:VLAN or DUT_IF:trunk:VLAN,VLAN... per port;
#                             mgmt_vlan: the VLAN of the switch's own address
#   fragile                   the fragile responder's fatal fields (lab/bin/fragile-responder.py
#                             --die-on), or none (the good variants: same parser, never dies)
#   syslog                    HOST:PORT the DUT sends its syslog to (the responder's lines:
#                             started, and the fault it dies of); empty: no remote syslog

NETDUT_MGMT_PORT=8080     # the fragile responder's management port (HTTP status line)
NETDUT_LLDP_INTERVAL=5    # seconds between lldpd's advertisements
NETDUT_OVS_BRIDGE=br-ovs  # the OVS bridge, and its internal port holding the switch's address
NETDUT_LINUX_BRIDGE=br0

# netdut_defaults: the keys' defaults, before load_topology reads a topology.
netdut_defaults() {
	T_PORT_B="" T_PORT_C="" T_DUT_V4_B="" T_DUT_V6_B="" T_FAR_V4="" T_FAR_V6="" T_FAR_VLAN=0
	T_PORT_VLANS="" T_MGMT_VLAN=0 T_FRAGILE=none T_SYSLOG=""
	T_TESTER_IF_B="" T_DUT_IF_B="" T_TESTER_IF_C="" T_DUT_IF_C=""
}

# netdut_key KEY VALUE: take a key of this library; status 1 if it is none of them.
netdut_key() {
	case $1 in
	port_b) T_PORT_B=$2 ;;
	port_c) T_PORT_C=$2 ;;
	dut_ipv4_b) T_DUT_V4_B=$2 ;;
	dut_ipv6_b) T_DUT_V6_B=$2 ;;
	far_ipv4) T_FAR_V4=$2 ;;
	far_ipv6) T_FAR_V6=$2 ;;
	far_vlan) T_FAR_VLAN=$2 ;;
	port_vlans) T_PORT_VLANS=$2 ;;
	mgmt_vlan) T_MGMT_VLAN=$2 ;;
	fragile) T_FRAGILE=$2 ;;
	syslog) T_SYSLOG=$2 ;;
	*) return 1 ;;
	esac
}

# netdut_port SPEC FILE WHAT: split TESTER_IF:DUT_IF into NETDUT_TIF and NETDUT_DIF.
netdut_port() {
	NETDUT_TIF=${1%%:*} NETDUT_DIF=${1#*:}
	case $1 in *:*) ;; *) die "$2: $3 must be TESTER_IF:DUT_IF, got '$1'" ;; esac
	if [ -z "$NETDUT_TIF" ] || [ ${#NETDUT_TIF} -gt 15 ] || [ -z "$NETDUT_DIF" ] ||
		[ ${#NETDUT_DIF} -gt 15 ]; then
		die "$2: $3: interface names of 1 to 15 characters, got '$1'"
	fi
}

# netdut_load FILE: after load_topology read FILE: check the keys and the addresses.
netdut_load() {
	local file=$1 a
	if [ -n "$T_PORT_B" ]; then
		netdut_port "$T_PORT_B" "$file" port_b
		T_TESTER_IF_B=$NETDUT_TIF T_DUT_IF_B=$NETDUT_DIF
	fi
	if [ -n "$T_PORT_C" ]; then
		[ -n "$T_PORT_B" ] || die "$file: port_c needs port_b"
		netdut_port "$T_PORT_C" "$file" port_c
		T_TESTER_IF_C=$NETDUT_TIF T_DUT_IF_C=$NETDUT_DIF
	fi
	for a in "$T_DUT_V4_B" "$T_DUT_V6_B" "$T_FAR_V4" "$T_FAR_V6"; do
		[ -z "$a" ] || check_lab_address "$file" "$a"
	done
	case $T_FAR_VLAN$T_MGMT_VLAN in *[!0-9]*) die "$file: far_vlan and mgmt_vlan are numbers" ;; esac
	if [ -n "$T_FAR_V4$T_FAR_V6" ] && [ -z "$T_PORT_B" ]; then
		die "$file: far_ipv4/far_ipv6 need port_b (the far host lives there)"
	fi
	if [ -n "$T_SYSLOG" ]; then
		case $T_SYSLOG in *:[0-9]*) ;; *) die "$file: syslog must be HOST:PORT, got '$T_SYSLOG'" ;; esac
		check_lab_address "$file" "${T_SYSLOG%:*}/32"
	fi
	case " $T_FRAGILE " in
	" none ") ;;
	*[!a-z0-9,\ -]*) die "$file: fragile must be none or a comma-separated list of triggers" ;;
	esac
	return 0
}

# netdut_tester_ifs: the extra tester interfaces of the DUT, one a line.
netdut_tester_ifs() {
	[ -z "$T_TESTER_IF_B" ] || echo "$T_TESTER_IF_B"
	[ -z "$T_TESTER_IF_C" ] || echo "$T_TESTER_IF_C"
}

# netdut_release: what dut_down calls after deleting the DUT namespace: delete the extra
# tester ends (the kernel frees the pairs asynchronously; wait, bounded, until they are gone).
netdut_release() {
	local tif i
	ns_exists "$TESTER_NS" || return 0
	for tif in $(netdut_tester_ifs); do
		for ((i = 0; i < 50; i++)); do
			ip -n "$TESTER_NS" link show "$tif" >/dev/null 2>&1 || break
			ip -n "$TESTER_NS" link del "$tif" 2>/dev/null || true
			sleep 0.1
		done
		if ip -n "$TESTER_NS" link show "$tif" >/dev/null 2>&1; then
			die "cannot delete $tif in $TESTER_NS"
		fi
	done
}

# netdut_network ADDR/LEN: the network of an interface address (198.18.11.2/25 -> 198.18.11.0/25).
netdut_network() {
	"$PYTHON" -c 'import ipaddress, sys; print(ipaddress.ip_interface(sys.argv[1]).network)' "$1"
}

# netdut_link TIF DIF: one more veth pair between dl-tester and the DUT, up, no DAD. The
# tester end has no address and answers no ARP or ND (arp_ignore=1, IPv6 off), so only
# the far host speaks there.
netdut_link() {
	local tif=$1 dif=$2
	ip -n "$TESTER_NS" link add "$tif" type veth peer name "$dif" netns "$T_NS"
	ip netns exec "$TESTER_NS" sysctl -qw "net.ipv4.conf.$tif.arp_ignore=1" \
		"net.ipv6.conf.$tif.disable_ipv6=1"
	ip netns exec "$T_NS" sysctl -qw "net.ipv6.conf.$dif.accept_dad=0"
	ip -n "$TESTER_NS" link set "$tif" up
	ip -n "$T_NS" link set "$dif" up
}

# svc_ports: port B (and C) to the tester, port B's DUT addresses, and the far host behind
# port B. List it first in services.
svc_ports() {
	local args=()
	[ -n "$T_PORT_B" ] || die "$T_NAME: services lists ports but the topology has no port_b"
	if [ "${NETDUT_RESTART:-0}" != 1 ]; then # a restart keeps the links and their addresses
		# port A's MAC, stable per DUT as a device's is: the profiles name it (the
		# background flow's next hop through a router or firewall)
		ip -n "$T_NS" link set "$T_DUT_IF" address "$(netdut_port_mac a)"
		netdut_link "$T_TESTER_IF_B" "$T_DUT_IF_B"
		[ -z "$T_PORT_C" ] || netdut_link "$T_TESTER_IF_C" "$T_DUT_IF_C"
		[ -z "$T_DUT_V4_B" ] || ip -n "$T_NS" addr add "$T_DUT_V4_B" dev "$T_DUT_IF_B"
		[ -z "$T_DUT_V6_B" ] || ip -n "$T_NS" addr add "$T_DUT_V6_B" dev "$T_DUT_IF_B" nodad
	fi
	[ -n "$T_FAR_V4$T_FAR_V6" ] || return 0
	rm -f "$STATE/farhost.ready"
	install -m 0755 "$LAB_DIR/bin/far-host.py" "$STATE/bin/"
	[ -z "$T_FAR_V4" ] || args+=(--ipv4 "${T_FAR_V4%/*}")
	[ -z "$T_FAR_V6" ] || args+=(--ipv6 "${T_FAR_V6%/*}")
	spawn farhost -- "$PYTHON" "$STATE/bin/far-host.py" --netns "$TESTER_NS" \
		--interface "$T_TESTER_IF_B" --vlan "$T_FAR_VLAN" --ready "$STATE/farhost.ready" "${args[@]}"
	netdut_settle farhost
	expect farhost file "$STATE/farhost.ready"
}

# status_ports: what `lab status` says of the extra ports (no process of their own) and
# the far host.
status_ports() {
	echo "  ports: A $T_TESTER_IF <-> $T_DUT_IF, B $T_TESTER_IF_B <-> $T_DUT_IF_B" \
		"${T_PORT_C:+, C $T_TESTER_IF_C <-> $T_DUT_IF_C}"
	[ -n "$T_FAR_V4$T_FAR_V6" ] || return 0
	if svc_alive farhost; then
		echo "  farhost: running (pid $(cat "$STATE/pids/farhost.pid")), ${T_FAR_V4%/*} ${T_FAR_V6%/*}" \
			"on $T_TESTER_IF_B$([ "$T_FAR_VLAN" = 0 ] || echo " vlan $T_FAR_VLAN")"
	else
		echo "  farhost: NOT running, log $STATE/log/farhost.log"
		return 1
	fi
}

# netdut_settle SVC: wait (at most 2 s) until SVC's recorded pid is inside the DUT namespace
# or gone. For its first moments the pid is setsid's, still outside (ip netns exec has not
# entered yet), and wait_ready, which asks svc_alive when a probe fails, would call the
# service dead; these services answer their first probe within milliseconds.
netdut_settle() {
	local pid i inode
	pid=$(cat "$STATE/pids/$1.pid") inode=$(cat "$STATE/netns-inode")
	for ((i = 0; i < 200; i++)); do
		pid_in_ns "$pid" "$inode" && return 0
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.01
	done
}

# probe_file PATH: the file exists (a helper writes it once it is ready).
probe_file() {
	[ -e "$1" ]
}

# svc_forward: IPv4 and IPv6 forwarding in the DUT, and dl-tester's routes to port B's
# networks through the DUT's port A address (they go with the tester interface).
svc_forward() {
	ip netns exec "$T_NS" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	if [ -n "$T_DUT_V4_B" ]; then
		ip -n "$TESTER_NS" route replace "$(netdut_network "$T_DUT_V4_B")" via "$T_ADDR4" dev "$T_TESTER_IF"
	fi
	if [ -n "$T_DUT_V6_B" ]; then
		ip -n "$TESTER_NS" -6 route replace "$(netdut_network "$T_DUT_V6_B")" via "$T_ADDR6" dev "$T_TESTER_IF"
	fi
}

# status_forward: the forwarding switches.
status_forward() {
	echo "  forward: ipv4 $(ip netns exec "$T_NS" sysctl -n net.ipv4.ip_forward)," \
		"ipv6 $(ip netns exec "$T_NS" sysctl -n net.ipv6.conf.all.forwarding)"
}

# svc_nft: the firewall's policy (nftables, table inet dutlab): the DUT accepts management
# (the management port), ICMP/ICMPv6 and nothing else; it forwards from port A's
# network to the far host the background flow (UDP to port 7, echo, or 9, discard) and ICMP
# echo, their replies, and drops every other forwarded packet. Counters: forward_flow (the
# flow's packets that open a connection; the rest pass as established) and forward_dropped.
svc_nft() {
	local a4 a6 far4 far6 f="$STATE/etc/nftables.nft"
	a4=$(netdut_network "$T_DUT_V4")
	a6=$(netdut_network "$T_DUT_V6")
	far4=${T_FAR_V4%/*} far6=${T_FAR_V6%/*}
	if [ -z "$far4" ] || [ -z "$far6" ]; then
		die "$T_NAME: nft needs far_ipv4 and far_ipv6 (the flow's far end)"
	fi
	cat >"$f" <<EOF
# nftables policy of $T_NAME (generated by lab/lab up)
flush ruleset
table inet dutlab {
	counter forward_flow { }
	counter forward_dropped { }
	chain input {
		type filter hook input priority filter; policy drop;
		iif lo accept
		ct state established,related accept
		ct state invalid drop
		meta l4proto { icmp, ipv6-icmp } accept
		tcp dport $NETDUT_MGMT_PORT accept comment "management"
		counter
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ip saddr $a4 ip daddr $far4 udp dport { 7, 9 } counter name forward_flow accept comment "background flow"
		ip6 saddr $a6 ip6 daddr $far6 udp dport { 7, 9 } counter name forward_flow accept comment "background flow"
		ip saddr $a4 ip daddr $far4 icmp type echo-request accept
		ip6 saddr $a6 ip6 daddr $far6 icmpv6 type echo-request accept
		counter name forward_dropped drop
	}
	chain output {
		type filter hook output priority filter; policy accept;
	}
}
EOF
	ip netns exec "$T_NS" nft -f "$f" || die "$T_NAME: nft rejects $f"
}

# status_nft: the firewall's counters.
status_nft() {
	echo "  nft: table inet dutlab;" \
		"$(ip netns exec "$T_NS" nft list counters table inet dutlab 2>/dev/null |
			awk '/counter/ {n=$2} /packets/ {printf "%s %s packets; ", n, $2}')"
}

# netdut_dut_ifs: the DUT's tester-facing ports, space-separated.
netdut_dut_ifs() {
	echo "$T_DUT_IF${T_DUT_IF_B:+ $T_DUT_IF_B}${T_DUT_IF_C:+ $T_DUT_IF_C}"
}

# netdut_move_address DEV: the DUT's management addresses from port A to DEV (a switch's
# own interface); its ports keep no address and answer no ARP or ND of their own.
netdut_move_address() {
	local dev=$1 i
	ip -n "$T_NS" addr flush dev "$T_DUT_IF"
	for i in $(netdut_dut_ifs); do
		ip netns exec "$T_NS" sysctl -qw "net.ipv4.conf.$i.arp_ignore=1" "net.ipv6.conf.$i.disable_ipv6=1"
	done
	ip netns exec "$T_NS" sysctl -qw "net.ipv6.conf.$dev.accept_dad=0"
	ip -n "$T_NS" addr add "$T_DUT_V4" dev "$dev"
	ip -n "$T_NS" addr add "$T_DUT_V6" dev "$dev" nodad
	ip -n "$T_NS" link set "$dev" up
}

# svc_bridge: a Linux bridge (br0, no STP, no VLAN filtering) over every port; the switch's
# address moves to br0. List it right after ports.
svc_bridge() {
	local i
	# a restart rebuilds it: a power cycle forgets the forwarding table
	ip -n "$T_NS" link del "$NETDUT_LINUX_BRIDGE" 2>/dev/null || true
	ip -n "$T_NS" link add "$NETDUT_LINUX_BRIDGE" type bridge stp_state 0
	for i in $(netdut_dut_ifs); do
		ip -n "$T_NS" link set "$i" master "$NETDUT_LINUX_BRIDGE"
	done
	netdut_move_address "$NETDUT_LINUX_BRIDGE"
}

# status_bridge: the bridge's ports.
status_bridge() {
	echo "  bridge: $NETDUT_LINUX_BRIDGE ports $(ip -n "$T_NS" -o link show master "$NETDUT_LINUX_BRIDGE" |
		awk -F': ' '{sub(/@.*/, "", $2); printf "%s ", $2}')"
}

# netdut_ovs_env: the environment every OVS command of this DUT runs with: its run, log and
# database folders under the state dir, never the system's.
netdut_ovs_env() {
	local d="$STATE/ovs"
	echo "OVS_RUNDIR=$d OVS_LOGDIR=$STATE/log OVS_DBDIR=$d OVS_SYSCONFDIR=$d/etc"
}

# NETDUT_OVS_MOUNTS: the system's OVS folders hidden behind private tmpfs mounts, so no OVS
# process of the lab can reach the machine's own database or sockets.
NETDUT_OVS_MOUNTS=(tmpfs:/etc/openvswitch mkdir:/run/openvswitch tmpfs:/run/openvswitch)

# ovs_vsctl ARG...: ovs-vsctl on this DUT's database, inside its namespace.
ovs_vsctl() {
	# shellcheck disable=SC2046
	in_dut "${NETDUT_OVS_MOUNTS[@]}" -- env $(netdut_ovs_env) \
		ovs-vsctl --db="unix:$STATE/ovs/db.sock" --timeout=20 "$@"
}

# svc_ovs: Open vSwitch in userspace (ovs-vswitchd --disable-system, datapath_type=netdev:
# no kernel module) with its own ovsdb-server under $STATE/ovs. Bridge br-ovs over the
# ports as port_vlans says (access: tag=VLAN; trunk: trunks=VLANS); its internal port (a
# tap device) holds the switch's address in mgmt_vlan. Two processes: ovsdb and ovs.
svc_ovs() {
	local d="$STATE/ovs" spec dif mode vlans i args=()
	rm -rf "$d" # a restart starts from an empty database, as the first boot did
	# OVS makes its tap devices persistent: a restart finds the last run's still there
	ip -n "$T_NS" link del "$NETDUT_OVS_BRIDGE" 2>/dev/null || true
	ip -n "$T_NS" link del ovs-netdev 2>/dev/null || true
	mkdir -p "$d/etc"
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema ||
		die "$T_NAME: ovsdb-tool cannot create $d/conf.db"
	# shellcheck disable=SC2046
	spawn ovsdb "${NETDUT_OVS_MOUNTS[@]}" -- env $(netdut_ovs_env) ovsdb-server "$d/conf.db" \
		--remote="punix:$d/db.sock" --unixctl="$d/ovsdb-server.ctl" --no-chdir \
		-vconsole:warn -vfile:info --log-file="$STATE/log/ovsdb-server.file.log"
	for ((i = 0; i < 100; i++)); do
		[ -S "$d/db.sock" ] && break
		# kill -0, not svc_alive: for its first moments the pid is still setsid's, outside
		# the DUT namespace
		kill -0 "$(cat "$STATE/pids/ovsdb.pid")" 2>/dev/null ||
			die "$T_NAME: ovsdb-server exited: $(tail -n 3 "$STATE/log/ovsdb.log")"
		sleep 0.05
	done
	ovs_vsctl --no-wait init >/dev/null || die "$T_NAME: ovs-vsctl init failed"
	# shellcheck disable=SC2046
	spawn ovs "${NETDUT_OVS_MOUNTS[@]}" -- env $(netdut_ovs_env) ovs-vswitchd \
		"unix:$d/db.sock" --disable-system --unixctl="$d/ovs-vswitchd.ctl" --no-chdir \
		-vconsole:warn -vfile:info --log-file="$STATE/log/ovs-vswitchd.file.log"
	netdut_settle ovs
	args=(-- add-br "$NETDUT_OVS_BRIDGE" -- set bridge "$NETDUT_OVS_BRIDGE" datapath_type=netdev
		other_config:hwaddr="$(netdut_mac)")
	for spec in $T_PORT_VLANS; do
		dif=${spec%%:*} mode=${spec#*:} vlans=${mode#*:} mode=${mode%%:*}
		case $mode in
		access) args+=(-- add-port "$NETDUT_OVS_BRIDGE" "$dif" "tag=$vlans") ;;
		trunk) args+=(-- add-port "$NETDUT_OVS_BRIDGE" "$dif" "trunks=$vlans") ;;
		*) die "$T_NAME: port_vlans entry '$spec': expected DUT_IF:access:VLAN or DUT_IF:trunk:VLANS" ;;
		esac
	done
	[ "$T_MGMT_VLAN" = 0 ] || args+=(-- set port "$NETDUT_OVS_BRIDGE" "tag=$T_MGMT_VLAN")
	ovs_vsctl "${args[@]}" >>"$STATE/log/ovs-vsctl.log" 2>&1 ||
		die "$T_NAME: ovs-vsctl could not build $NETDUT_OVS_BRIDGE (see $STATE/log/ovs-vsctl.log, ovs.log)"
	for ((i = 0; i < 100; i++)); do
		ip -n "$T_NS" link show "$NETDUT_OVS_BRIDGE" >/dev/null 2>&1 && break
		sleep 0.05
	done
	netdut_move_address "$NETDUT_OVS_BRIDGE"
	# shellcheck disable=SC2046
	netdut_no_tx_checksum "$TESTER_NS" "$T_TESTER_IF" $(netdut_tester_ifs)
}

# netdut_no_tx_checksum NS IF...: turn off transmit checksum offload (ethtool -K IF tx off,
# through the SIOCETHTOOL ioctl: no ethtool here) on the interfaces IF of namespace NS. The
# kernel hands a veth's frames to the peer with their TCP/UDP checksums left to the
# "hardware"; OVS's netdev datapath reads them from a packet socket and forwards them as they
# are, so the receiver drops them (TcpInCsumErrors). Software checksums make them whole.
netdut_no_tx_checksum() {
	local ns=$1
	shift
	ip netns exec "$ns" "$PYTHON" -c '
import ctypes, fcntl, socket, struct, sys
value = ctypes.create_string_buffer(struct.pack("II", 0x17, 0))  # ETHTOOL_STXCSUM, off
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for name in sys.argv[1:]:
    ifr = struct.pack("16sP", name.encode(), ctypes.addressof(value)).ljust(40, b"\0")
    fcntl.ioctl(s, 0x8946, ifr)  # SIOCETHTOOL
' "$@" || die "$T_NAME: cannot turn off transmit checksum offload on $* in $ns"
}

# netdut_port_mac PORT: the DUT's MAC on port PORT (a), locally administered, stable per DUT
# name: `lab/lab up firewall-good` gives eth0 the same address every time.
netdut_port_mac() {
	printf '%s-%s' "$T_NAME" "$1" | sha256sum | sed 's/^\(..\)\(..\)\(..\)\(..\)\(..\).*/02:\1:\2:\3:\4:\5/'
}

# netdut_mac: a locally administered MAC for the switch's own interface, stable per DUT name.
netdut_mac() {
	printf '%s' "$T_NAME" | sha256sum | sed 's/^\(..\)\(..\)\(..\)\(..\)\(..\).*/02:\1:\2:\3:\4:\5/'
}

# svc_lldpd: lldpd advertising on every port of the DUT (LLDP only, every
# NETDUT_LLDP_INTERVAL s), with the DUT's host name, description and management address;
# its control socket is $STATE/lldpd.socket (lldpcli -u). Its privilege-separated child
# chroots to /run/lldpd, a private tmpfs here.
svc_lldpd() {
	local conf="$STATE/etc/lldpd.conf"
	cat >"$conf" <<EOF
# lldpd.conf for $T_NAME (generated by lab/lab up)
configure system hostname $T_HOSTNAME
configure system description "$T_VENDOR $T_MODEL, firmware $T_FIRMWARE"
configure system ip management pattern $T_ADDR4,$T_ADDR6
configure lldp tx-interval $NETDUT_LLDP_INTERVAL
EOF
	spawn lldpd mkdir:/run/lldpd tmpfs:/run/lldpd -- lldpd -d -u "$STATE/lldpd.socket" \
		-I "$(netdut_dut_ifs | tr ' ' ',')" -L /usr/sbin/lldpcli -O "$conf"
	netdut_settle lldpd
	expect lldpd lldpd 0
}

# probe_lldpd: lldpd answers on its control socket and sends on every port.
probe_lldpd() {
	local n
	n=$(ip netns exec "$T_NS" lldpcli -u "$STATE/lldpd.socket" show interfaces 2>/dev/null |
		grep -c '^Interface:') || return 1
	[ "$n" -eq "$(netdut_dut_ifs | wc -w)" ]
}

# svc_responder: the fragile responder (a lab fixture, lab/bin/fragile-responder.py): the
# management port (tcp/NETDUT_MGMT_PORT, a one-line HTTP status) on the DUT's addresses, and
# a packet socket on every port parsing LLDP and IPv4 options. fragile= names the malformed
# fields it dies on; none (the good variants) runs the same parser, which never dies.
svc_responder() {
	local args=() i
	install -m 0755 "$LAB_DIR/bin/fragile-responder.py" "$LAB_DIR/bin/fixture.py" "$STATE/bin/"
	for i in $(netdut_dut_ifs); do
		args+=(--interface "$i")
	done
	[ "$T_FRAGILE" = none ] || args+=(--die-on "$T_FRAGILE")
	[ -z "$T_SYSLOG" ] || args+=(--syslog "$T_SYSLOG")
	spawn responder -- "$PYTHON" "$STATE/bin/fragile-responder.py" --name "$T_NAME" \
		--port "$NETDUT_MGMT_PORT" --address "$T_ADDR4" --address "$T_ADDR6" "${args[@]}"
	netdut_settle responder
	expect responder tcp "$NETDUT_MGMT_PORT"
}

# netdut_restart: `lab restart NAME`, the layer-2/3 DUTs' power cycle: every process of the
# DUT stops (SIGTERM, then SIGKILL) and every service starts again from its configuration,
# inside the same namespace and on the same links. The tester's interfaces keep their
# indexes, so a dutlab running in dl-tester keeps its sockets; and no namespace is made,
# which from inside `ip netns exec dl-tester` (where dutlab runs the profile's power_cycle)
# would be mounted in that command's mount namespace only.
netdut_restart() {
	local inode f pid pids="" svc
	lab_lock
	ns_exists "$T_NS" || die "$T_NAME is down; bring it up with 'lab/lab up $T_NAME'"
	[ -n "$T_PORT_B" ] || routing_dut || stream_dut || fragile_tls_dut ||
		die "$T_NAME: restart is for the layer-2/3, routing and streaming DUTs, camera-bad and tlslab-fragile (lib/netdut.sh, lib/routing.sh, lib/stream.sh, lib/tls-servers.sh); use up"
	inode=$(ns_inode "$T_NS")
	for f in "$STATE"/pids/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		case $pid in '' | *[!0-9]*) continue ;; esac
		pids="$pids $pid"
	done
	# shellcheck disable=SC2086
	stop_pids "$inode" $pids
	# shellcheck disable=SC2046
	stop_pids "$inode" $(ns_pids "$inode")
	rm -f "$STATE"/pids/*.pid
	: >"$STATE/probes"
	NETDUT_RESTART=1
	for svc in $T_SERVICES; do
		"svc_$svc"
	done
	wait_ready || die "$T_NAME: restart failed; 'lab/lab up $T_NAME' rebuilds it"
	say "$T_NAME restarted (same namespace and links)"
}
