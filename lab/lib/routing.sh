# shellcheck shell=bash
# routing.sh: the routing DUTs (issue 7): FRR (zebra, bgpd, ospfd, ripd), BIRD 2 and the fragile BGP speaker, each speaking BGP, OSPFv2 and RIPv2 to the tester.
#
# Sourced by lab/lab after services.sh and netdut.sh (it uses spawn, expect, netdut_settle
# and netdut_restart). The stateful robustness campaigns (NCC 5.4.3.2: RIP, OSPF, BGP) need
# a DUT that keeps a session with the tester: the DUT (AS bgp_as, router id = its IPv4
# address) peers with the tester's address on port A (AS bgp_peer_as) and announces the
# prefixes of `announce`; OSPFv2 and RIPv2 run on port A. Every daemon runs in the
# foreground inside the DUT namespace with its configuration, pid file, control socket
# (FRR's vty sockets, zebra's zserv socket, BIRD's control socket) under the state dir, so
# nothing of the machine's own /etc/frr, /run/frr or /run/bird is used, and `down` or
# `lab restart` (netdut_restart: every process stopped, every service started again in the
# same namespace) reach them all. FRR's daemons also get private tmpfs mounts over /run/frr
# and /var/tmp/frr (their crash-log folders), so they write nothing outside the state dir.
#
# Inspect them from the host:
#   ip netns exec dl-routing-frr vtysh --vty_socket /run/dutlab-lab/routing-frr/frr -c 'show bgp summary'
#   ip netns exec dl-routing-bird birdc -s /run/dutlab-lab/routing-bird/bird.ctl show protocols all
#
# It reads lab/lab's T_* variables.
# shellcheck disable=SC2153
#
# Topology keys (lab/lab's load_topology hands them to routing_key):
#   bgp_as, bgp_peer_as   the DUT's AS and the tester's (the peer at tester_ipv4's address)
#   bgp_password          TCP-MD5 (RFC 2385) key of the BGP session; empty: none
#   bgp_peer_sources      more tester IPv4 addresses/lengths (BIRD only): each added to the tester's
#                         port and a BGP peer of its own, for sessions at once (bgp.sources)
#   ospf_md5_key          OSPFv2 message-digest key (key id 1) on port A; empty: no authentication
#   ospf_network          port A's OSPF interface type: point-to-point (default) or broadcast
#                         (a DR and a BDR elected, RFC 2328 9.4)
#   rip_md5_key           RIPv2 keyed-MD5 key (key id 1) on port A; empty: no authentication
#   announce              the prefixes the DUT originates (IPv4 and IPv6, space-separated)
# (the fragile BGP speaker's trigger is netdut.sh's `fragile` key: as-path-overrun or none)

ROUTING_FRR=/usr/lib/frr     # FRR's daemons (not on PATH in Debian)
ROUTING_OSPF_HELLO=2         # seconds between OSPF hellos (a lab DUT is seen within seconds)
ROUTING_OSPF_DEAD=8
ROUTING_RIP_UPDATE=5         # seconds between RIP updates (RFC 2453's 30 s is slow for a test)
ROUTING_RIP_TIMEOUT=30
ROUTING_RIP_GARBAGE=20
# Where FRR writes besides its -f/-i/--vty_socket/-z paths: hidden behind private tmpfs mounts.
ROUTING_FRR_MOUNTS=(mkdir:/run/frr tmpfs:/run/frr mkdir:/var/tmp/frr tmpfs:/var/tmp/frr)

# routing_defaults: the keys' defaults, before load_topology reads a topology.
routing_defaults() {
	T_BGP_AS=65000 T_BGP_PEER_AS=65001 T_BGP_PASSWORD="" T_OSPF_KEY="" T_RIP_KEY="" T_ANNOUNCE=""
	T_BGP_SOURCES=""
	T_OSPF_NETWORK=point-to-point
}

# routing_key KEY VALUE: take a key of this library; status 1 if it is none of them.
routing_key() {
	case $1 in
	bgp_as | bgp_peer_as)
		case $2 in '' | *[!0-9]*) die "$1 must be an AS number, got '$2'" ;; esac
		if [ "$1" = bgp_as ]; then T_BGP_AS=$2; else T_BGP_PEER_AS=$2; fi
		;;
	bgp_password) T_BGP_PASSWORD=$2 ;;
	bgp_peer_sources)
		# shellcheck disable=SC2086 # one address a word
		check_lab_address "bgp_peer_sources" $2
		T_BGP_SOURCES=$2
		;;
	ospf_md5_key) T_OSPF_KEY=$2 ;;
	ospf_network)
		case $2 in point-to-point | broadcast) T_OSPF_NETWORK=$2 ;; *) die "$1 must be point-to-point or broadcast, got '$2'" ;; esac
		;;
	rip_md5_key) T_RIP_KEY=$2 ;;
	announce)
		# shellcheck disable=SC2086 # one address a word
		check_lab_address "announce" $2
		T_ANNOUNCE=$2
		;;
	*) return 1 ;;
	esac
}

# routing_dut: the DUT runs one of this library's services (lab restart accepts it).
routing_dut() {
	case " $T_SERVICES " in
	*" zebra "* | *" bird "* | *" fragilebgp "*) return 0 ;;
	esac
	return 1
}

# routing_peer: the tester's address on port A, the DUT's BGP neighbour.
routing_peer() {
	echo "${T_TESTER_V4%/*}"
}

# routing_frr_spawn DAEMON ARG...: FRR's DAEMON in the foreground as service DAEMON, with its
# configuration ($STATE/etc/DAEMON.conf), pid file and vty socket (under $STATE/frr), zebra's
# socket there too, logging to stdout (the service log), no vty TCP port (-P 0: FRR opens
# one on every address otherwise). They start as root and drop to the package's user frr
# (FRR refuses root as its user: root is not in its vty group frrvty), so the folder of
# their sockets and pid files belongs to frr and their configurations are readable by it.
routing_frr_spawn() {
	local d=$1 out
	shift
	chown root:frr "$STATE/etc/$d.conf"
	chmod 0640 "$STATE/etc/$d.conf"
	# the check runs behind the same mounts: FRR writes its crash-log folder even then
	out=$(in_dut "${ROUTING_FRR_MOUNTS[@]}" -- "$ROUTING_FRR/$d" -C -f "$STATE/etc/$d.conf" 2>&1) ||
		die "$T_NAME: $d rejects $STATE/etc/$d.conf: $out"
	spawn "$d" "${ROUTING_FRR_MOUNTS[@]}" -- "$ROUTING_FRR/$d" -f "$STATE/etc/$d.conf" \
		-i "$STATE/frr/$d.pid" --vty_socket "$STATE/frr" -z "$STATE/frr/zserv.api" -P 0 \
		--log stdout "$@"
	netdut_settle "$d"
	expect "$d" frr "$d"
}

# probe_frr DAEMON: the daemon answers on its vty socket.
probe_frr() {
	[ -S "$STATE/frr/$1.vty" ] &&
		ip netns exec "$T_NS" vtysh --vty_socket "$STATE/frr" -d "$1" -c 'show version' >/dev/null 2>&1
}

# probe_listen PROTO/PORT: something listens on PORT (tcp or udp) in the DUT namespace. A
# TCP-MD5 listener drops a SYN without the key, so a connect from the tester proves nothing.
probe_listen() {
	local opt=-Hltn
	[ "${1%/*}" = udp ] && opt=-Hlun
	ip netns exec "$T_NS" ss "$opt" "sport = :${1#*/}" | grep -q .
}

# routing_frr_head DAEMON: the lines every FRR configuration starts with.
routing_frr_head() {
	printf '! %s.conf for %s (generated by lab/lab up)\nhostname %s\nlog stdout informational\n' \
		"$1" "$T_NAME" "$T_HOSTNAME"
}

# svc_zebra: FRR's zebra (interfaces and routes for bgpd, ospfd and ripd, over $STATE/frr/zserv.api).
svc_zebra() {
	mkdir -p "$STATE/frr"
	chown frr:frr "$STATE/frr"
	{
		routing_frr_head zebra
		printf 'interface %s\n description port A (tester)\n' "$T_DUT_IF"
	} >"$STATE/etc/zebra.conf"
	rm -f "$STATE/frr/zserv.api"
	routing_frr_spawn zebra
}

# svc_bgpd: FRR's bgpd: the eBGP session with the tester (TCP-MD5 with bgp_password), IPv4 and
# IPv6 unicast, announcing `announce` (network statements without import check: no route is
# needed in the DUT). eBGP without a policy would send nothing (FRR's ebgp-requires-policy).
# It listens on the DUT's addresses only (-l; which also keeps bgpd's routes out of the
# kernel, -n: the DUT forwards nothing).
svc_bgpd() {
	local peer p v4="" v6="" f="$STATE/etc/bgpd.conf"
	peer=$(routing_peer)
	for p in $T_ANNOUNCE; do
		case $p in
		*:*) v6="$v6  network $p
" ;;
		*) v4="$v4  network $p
" ;;
		esac
	done
	{
		routing_frr_head bgpd
		cat <<EOF
router bgp $T_BGP_AS
 bgp router-id $T_ADDR4
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 neighbor $peer remote-as $T_BGP_PEER_AS
 neighbor $peer description tester (lab)
 neighbor $peer timers connect 5
EOF
		[ -z "$T_BGP_PASSWORD" ] || echo " neighbor $peer password $T_BGP_PASSWORD"
		printf ' address-family ipv4 unicast\n%s  neighbor %s activate\n exit-address-family\n' "$v4" "$peer"
		printf ' address-family ipv6 unicast\n%s  neighbor %s activate\n exit-address-family\n' "$v6" "$peer"
	} >"$f"
	routing_frr_spawn bgpd -l "$T_ADDR4" -l "$T_ADDR6"
	expect bgpd listen tcp/179
}

# svc_ospfd: FRR's ospfd: OSPFv2 area 0 on port A, point-to-point or broadcast (ospf_network), hellos every
# ROUTING_OSPF_HELLO s; with ospf_md5_key message-digest authentication (RFC 2328 D.3).
svc_ospfd() {
	local f="$STATE/etc/ospfd.conf"
	{
		routing_frr_head ospfd
		printf 'interface %s\n ip ospf network %s\n' "$T_DUT_IF" "$T_OSPF_NETWORK"
		printf ' ip ospf hello-interval %s\n ip ospf dead-interval %s\n' "$ROUTING_OSPF_HELLO" "$ROUTING_OSPF_DEAD"
		if [ -n "$T_OSPF_KEY" ]; then
			printf ' ip ospf authentication message-digest\n ip ospf message-digest-key 1 md5 %s\n' "$T_OSPF_KEY"
		fi
		printf 'router ospf\n ospf router-id %s\n network %s area 0\n' "$T_ADDR4" "$(netdut_network "$T_DUT_V4")"
	} >"$f"
	routing_frr_spawn ospfd
}

# svc_ripd: FRR's ripd: RIPv2 on port A, updates every ROUTING_RIP_UPDATE s carrying the IPv4
# prefixes of `announce` (static RIP routes); with rip_md5_key keyed-MD5 authentication
# (RFC 2082/4822, key chain key 1): unauthenticated packets are dropped.
svc_ripd() {
	local f="$STATE/etc/ripd.conf" p
	{
		routing_frr_head ripd
		if [ -n "$T_RIP_KEY" ]; then
			printf 'key chain dutlab-rip\n key 1\n  key-string %s\n' "$T_RIP_KEY"
			printf 'interface %s\n ip rip authentication mode md5\n' "$T_DUT_IF"
			printf ' ip rip authentication key-chain dutlab-rip\n'
		fi
		printf 'router rip\n version 2\n network %s\n' "$T_DUT_IF"
		printf ' timers basic %s %s %s\n' "$ROUTING_RIP_UPDATE" "$ROUTING_RIP_TIMEOUT" "$ROUTING_RIP_GARBAGE"
		for p in $T_ANNOUNCE; do
			case $p in *:*) ;; *) echo " route $p" ;; esac
		done
	} >"$f"
	routing_frr_spawn ripd
	expect ripd listen udp/520
}

# svc_bird: BIRD 2, one daemon for all three protocols: BGP with the tester (IPv4 and IPv6
# unicast over one IPv4 session; bgp_password as its TCP-MD5 key when set), OSPFv2 and RIPv2
# on port A (timers as ospfd's and ripd's), announcing `announce` (static blackhole routes
# exported to BGP and RIP). Control socket $STATE/bird.ctl (birdc -s).
svc_bird() {
	local f="$STATE/etc/bird.conf" p s4="" s6="" pw="" ospf_auth="" ospf_type rip_auth="" peer out
	peer=$(routing_peer)
	for p in $T_ANNOUNCE; do
		case $p in
		*:*) s6="$s6	route $p blackhole;
" ;;
		*) s4="$s4	route $p blackhole;
" ;;
		esac
	done
	[ -z "$T_BGP_PASSWORD" ] || pw="	password \"$T_BGP_PASSWORD\";"
	ospf_type=ptp
	[ "$T_OSPF_NETWORK" = point-to-point ] || ospf_type=broadcast
	[ -z "$T_OSPF_KEY" ] || ospf_auth="authentication cryptographic; password \"$T_OSPF_KEY\" { id 1; algorithm keyed md5; };"
	[ -z "$T_RIP_KEY" ] || rip_auth="authentication cryptographic; password \"$T_RIP_KEY\" { id 1; algorithm keyed md5; };"
	cat >"$f" <<EOF
# bird.conf for $T_NAME (generated by lab/lab up)
router id $T_ADDR4;
log stderr all;
protocol device { scan time 10; }
protocol static announce4 {
	ipv4;
$s4}
protocol static announce6 {
	ipv6;
$s6}
protocol bgp tester {
	description "tester (lab)";
	local $T_ADDR4 as $T_BGP_AS;
	neighbor $peer as $T_BGP_PEER_AS;
	connect retry time 5;
	# the session fuzzer (robustness.sessions) opens a new session after every NOTIFICATION:
	# BIRD's default wait after an error (60 s, doubling to 300 s) is past its 20 s bound
	error wait time 0, 0;
$pw
	ipv4 { import all; export where source = RTS_STATIC; };
	ipv6 { import all; export where source = RTS_STATIC; next hop address ${T_ADDR6}; };
}
$(bird_source_peers "$pw")
protocol ospf v2 ospf4 {
	ipv4 { import all; export none; };
	area 0 {
		interface "$T_DUT_IF" {
			type $ospf_type; hello $ROUTING_OSPF_HELLO; dead $ROUTING_OSPF_DEAD;
			$ospf_auth
		};
	};
}
protocol rip rip4 {
	ipv4 { import all; export where source = RTS_STATIC; };
	interface "$T_DUT_IF" {
		version 2; update time $ROUTING_RIP_UPDATE; timeout time $ROUTING_RIP_TIMEOUT;
		$rip_auth
	};
}
EOF
	chmod 0600 "$f"
	out=$(ip netns exec "$T_NS" bird -p -c "$f" 2>&1) || die "$T_NAME: bird rejects $f: $out"
	rm -f "$STATE/bird.ctl"
	spawn bird mkdir:/run/bird tmpfs:/run/bird -- bird -f -c "$f" -s "$STATE/bird.ctl" -P "$STATE/bird.pid"
	netdut_settle bird
	expect bird bird up
	expect bird listen tcp/179
	expect bird listen udp/520
}

# bird_source_peers PASSWORD_LINE: one BGP protocol more per bgp_peer_sources address (as the
# tester's: BIRD keeps one session per peer address, so a tester holding sessions at once
# speaks from several), each address (with its prefix length) added to the tester's port (the
# veth pair, and so the address, goes at lab down).
bird_source_peers() {
	local s n=1
	for s in $T_BGP_SOURCES; do
		ip -n "$TESTER_NS" addr add "$s" dev "$T_TESTER_IF" 2>/dev/null || true
		n=$((n + 1))
		cat <<EOF
protocol bgp tester$n {
	description "tester (lab), source $n";
	local $T_ADDR4 as $T_BGP_AS;
	neighbor ${s%/*} as $T_BGP_PEER_AS;
	connect retry time 5;
	error wait time 0, 0;
$1
	ipv4 { import all; export where source = RTS_STATIC; };
	ipv6 { import all; export where source = RTS_STATIC; next hop address ${T_ADDR6}; };
}
EOF
	done
}

# probe_bird: BIRD answers on its control socket.
probe_bird() {
	ip netns exec "$T_NS" birdc -s "$STATE/bird.ctl" show status 2>/dev/null | grep -q 'Daemon is up and running'
}

# status_bird: what `lab status` says of BIRD: its process, then each protocol's state.
status_bird() {
	if ! svc_alive bird; then
		echo "  bird: NOT running (pid $(cat "$STATE/pids/bird.pid" 2>/dev/null || echo -)), log $STATE/log/bird.log"
		return 1
	fi
	echo "  bird: running (pid $(cat "$STATE/pids/bird.pid"))"
	ip netns exec "$T_NS" birdc -s "$STATE/bird.ctl" show protocols 2>/dev/null |
		awk 'NR > 2 && NF >= 4 {printf "    %s (%s): %s %s\n", $1, $2, $4, $6}'
}

# svc_fragilebgp: the fragile BGP speaker (a lab fixture, lab/bin/fragile-bgp.py) in place of
# bgpd on tcp/179 of the DUT's addresses: it keeps a session with any peer, announces the
# IPv4 prefixes of `announce`, serves a status line on tcp/NETDUT_MGMT_PORT and, with
# fragile=as-path-overrun, exits on exactly that malformed AS_PATH (see its docstring).
svc_fragilebgp() {
	local args=() p
	install -m 0755 "$LAB_DIR/bin/fragile-bgp.py" "$LAB_DIR/bin/fixture.py" "$STATE/bin/"
	for p in $T_ANNOUNCE; do
		case $p in *:*) ;; *) args+=(--announce "$p") ;; esac
	done
	[ "$T_FRAGILE" = none ] || args+=(--die-on "$T_FRAGILE")
	spawn fragilebgp -- "$PYTHON" "$STATE/bin/fragile-bgp.py" --name "$T_NAME" \
		--address "$T_ADDR4" --address "$T_ADDR6" --as "$T_BGP_AS" --router-id "$T_ADDR4" \
		--mgmt-port "$NETDUT_MGMT_PORT" "${args[@]}"
	netdut_settle fragilebgp
	expect fragilebgp tcp 179
	expect fragilebgp tcp "$NETDUT_MGMT_PORT"
}
