# shellcheck shell=bash
# units.sh: a second unit of the same model beside the DUT, with its own keys or cloned ones.
#
# Sourced by lab/lab after services.sh and keys.sh (it uses their web_prepare, ssh_host_keys,
# spawn, in_dut, expect and keys_is_web). IoT-1006-1 5.2.1.3 asks that security-sensitive
# data, such as keys, be unique per unit; dutlab's keys.units compares the keys the DUT
# serves with those of the profile's other `units`, which it reaches through the same
# tester interface. So the second unit lives in the DUT's namespace, on the next host
# address of the DUT's /24 and /64, and runs the same firmware: a web UI and an sshd whose
# configurations are the first unit's with the second unit's addresses and paths. The
# topology key second_unit says where its keys come from: `distinct` makes its own (a
# vendor whose units generate their keys on first boot), `cloned` copies the first unit's
# TLS key and certificate and SSH host keys byte for byte (firmware that ships one key in
# every unit). Its files live in $STATE/unit2/; its pid records in $STATE/pids/unit2-*.pid
# (where `down` stops them) and its logs in $STATE/unit2/log/, linked from $STATE/log/ so
# `up` prints them when the unit does not answer. `lab reset` resets the DUT alone: the
# second unit keeps its keys (a cloned unit then shares none with a DUT whose reset
# regenerates them, until the next `up`).

# units_load FILE: after load_topology read FILE, check the second_unit knob against the
# services list and set T_UNIT2_{V4,V6} (with prefix lengths) and T_UNIT2_ADDR{4,6}: the
# host addresses after the DUT's, inside the lab's ranges.
units_load() {
	local file=$1 ip len last next
	T_UNIT2_V4="" T_UNIT2_V6="" T_UNIT2_ADDR4="" T_UNIT2_ADDR6=""
	case " $T_SERVICES " in
	*" unit2 "*)
		[ "$T_SECOND_UNIT" != none ] ||
			die "$file: services lists unit2 but second_unit is none (set distinct or cloned)"
		;;
	*)
		[ "$T_SECOND_UNIT" = none ] ||
			die "$file: second_unit=$T_SECOND_UNIT needs unit2 in services (after the web UI and ssh)"
		return 0
		;;
	esac
	ip=${T_DUT_V4%/*} len=${T_DUT_V4#*/} last=${T_DUT_V4%/*}
	last=${last##*.}
	case $last in '' | *[!0-9]*) die "$file: cannot read the last octet of $T_DUT_V4" ;; esac
	next=$((10#$last + 1))
	[ "$next" -le 254 ] || die "$file: no host address after $T_DUT_V4 for the second unit"
	T_UNIT2_V4="${ip%.*}.$next/$len"
	ip=${T_DUT_V6%/*} len=${T_DUT_V6#*/}
	last=${ip##*:}
	[[ $last =~ ^[0-9a-fA-F]{1,4}$ ]] || die "$file: cannot read the last group of $T_DUT_V6"
	next=$((16#$last + 1))
	[ "$next" -le 65535 ] || die "$file: no host address after $T_DUT_V6 for the second unit"
	T_UNIT2_V6=$(printf '%s:%x/%s' "${ip%:*}" "$next" "$len")
	check_lab_address "$file" "$T_UNIT2_V4" "$T_UNIT2_V6"
	T_UNIT2_ADDR4=${T_UNIT2_V4%/*}
	T_UNIT2_ADDR6=${T_UNIT2_V6%/*}
	if [ "$T_UNIT2_ADDR4" = "${T_TESTER_V4%/*}" ] || [ "$T_UNIT2_ADDR6" = "${T_TESTER_V6%/*}" ]; then
		die "$file: the second unit's address ($T_UNIT2_ADDR4, $T_UNIT2_ADDR6) is the tester's"
	fi
	[ -n "$T_UNIT2_SERIAL" ] || T_UNIT2_SERIAL="$T_SERIAL-2"
	[ -n "$T_UNIT2_HOSTNAME" ] || T_UNIT2_HOSTNAME="$T_HOSTNAME-2"
}

# units_replace TEXT OLD NEW: TEXT with every OLD (taken literally) replaced by NEW.
units_replace() {
	printf '%s' "${1//"$2"/"$3"}"
}

# units_derived WHAT TEXT OLD...: die if TEXT, a configuration derived for the second unit,
# still names one of the first unit's addresses or paths.
units_derived() {
	local what=$1 text=$2 old
	shift 2
	for old in "$@"; do
		case $text in *"$old"*)
			die "$T_NAME: the second unit's $what still names '$old' of the first unit;" \
				"lab/lib/units.sh does not know the first unit's configuration format"
			;;
		esac
	done
}

# units_keys WEB: the second unit's web folder (WEB's pages filled in with its identity,
# its own htpasswd) and its keys: fresh ones (second_unit=distinct: a certificate made
# like the first unit's, from the same vendor CA if web_cert=vendor-ca) or byte-identical
# copies of the first unit's (second_unit=cloned).
units_keys() {
	local web=$1 d="$STATE/unit2" f
	# web_prepare and ssh_host_keys read the identity from these (bash's dynamic scope).
	# shellcheck disable=SC2034
	local T_ADDR4=$T_UNIT2_ADDR4 T_ADDR6=$T_UNIT2_ADDR6 T_HOSTNAME=$T_UNIT2_HOSTNAME \
		T_SERIAL=$T_UNIT2_SERIAL
	web_prepare unit2/web
	if [ "$T_SECOND_UNIT" = distinct ]; then
		ssh_host_keys "$d/ssh"
		return 0
	fi
	install -m 0600 "$STATE/$web/key.pem" "$d/web/key.pem"
	install -m 0644 "$STATE/$web/cert.pem" "$d/web/cert.pem"
	mkdir -p "$d/ssh"
	for f in "$STATE"/ssh/ssh_host_*_key; do
		[ -f "$f" ] || die "$T_NAME: no SSH host key in $STATE/ssh to clone"
		install -m 0600 "$f" "$d/ssh/"
		install -m 0644 "$f.pub" "$d/ssh/"
	done
}

# units_web WEB: nginx for the second unit: WEB's configuration with the second unit's
# addresses and files, checked in the DUT namespace, then started.
units_web() {
	local web=$1 d="$STATE/unit2" conf out
	conf=$(<"$STATE/etc/$web.conf")
	conf=$(units_replace "$conf" "listen $T_ADDR4:" "listen $T_UNIT2_ADDR4:")
	conf=$(units_replace "$conf" "listen [$T_ADDR6]:" "listen [$T_UNIT2_ADDR6]:")
	conf=$(units_replace "$conf" "$STATE/$web/" "$d/web/")
	conf=$(units_replace "$conf" "$STATE/log/$web" "$d/log/web")
	units_derived "nginx configuration" "$conf" "$T_ADDR4" "[$T_ADDR6]" "$STATE/$web/" \
		"$STATE/log/"
	{
		echo "# nginx configuration of $T_NAME's second unit $T_UNIT2_SERIAL (generated by lab/lab up"
		echo "# from $STATE/etc/$web.conf: the same firmware on the second unit's addresses)"
		printf '%s\n' "$conf"
	} >"$d/etc/nginx.conf"
	out=$(ip netns exec "$T_NS" nginx -t -q -e /dev/stderr -c "$d/etc/nginx.conf" 2>&1) ||
		die "$T_NAME: nginx rejects $d/etc/nginx.conf: $out"
	spawn unit2-web -- nginx -e "$d/log/web.log" -c "$d/etc/nginx.conf" -g 'daemon off;'
	expect unit2-web unit2 443
	case $conf in *"listen $T_UNIT2_ADDR4:80;"*) expect unit2-web unit2 80 ;; esac
	return 0
}

# units_ssh: sshd for the second unit: the first unit's sshd_config (so the same
# algorithms) listening on the second unit's addresses with its host keys and pid file.
units_ssh() {
	local d="$STATE/unit2" conf
	conf=$(<"$STATE/etc/sshd_config")
	conf=$(units_replace "$conf" "ListenAddress $T_ADDR4"$'\n' "ListenAddress $T_UNIT2_ADDR4"$'\n')
	conf=$(units_replace "$conf" "ListenAddress $T_ADDR6"$'\n' "ListenAddress $T_UNIT2_ADDR6"$'\n')
	conf=$(units_replace "$conf" "$STATE/ssh/" "$d/ssh/")
	units_derived "sshd_config" "$conf" "ListenAddress $T_ADDR4"$'\n' \
		"ListenAddress $T_ADDR6"$'\n' "$STATE/ssh/"
	{
		echo "# sshd_config of $T_NAME's second unit $T_UNIT2_SERIAL (generated by lab/lab up"
		echo "# from $STATE/etc/sshd_config: the same firmware on the second unit's addresses)"
		printf '%s\n' "$conf"
	} >"$d/etc/sshd_config"
	sshd_spawn unit2-ssh "$d/etc/sshd_config"
	expect unit2-ssh unit2 22
}

# svc_unit2: the second unit (see the top of this file). List it in services after the web
# UI and ssh: it derives its configuration from theirs.
svc_unit2() {
	local d="$STATE/unit2" web="" s
	for s in $T_SERVICES; do
		if [ -z "$web" ] && keys_is_web "$s"; then
			web=$s
		fi
	done
	if [ -z "$web" ] || [ ! -f "$STATE/etc/$web.conf" ] || [ ! -f "$STATE/etc/sshd_config" ]; then
		die "$T_NAME: unit2 needs a web UI ($KEYS_WEB_SERVICES) and ssh before it in services="
	fi
	mkdir -p "$d/etc" "$d/log"
	# spawn logs to $STATE/log/SVC.log, where `up` looks when a service does not answer.
	ln -sfn "$d/log/web.log" "$STATE/log/unit2-web.log"
	ln -sfn "$d/log/ssh.log" "$STATE/log/unit2-ssh.log"
	ip -n "$T_NS" addr add "$T_UNIT2_V4" dev "$T_DUT_IF"
	ip -n "$T_NS" addr add "$T_UNIT2_V6" dev "$T_DUT_IF" nodad
	units_keys "$web"
	units_web "$web"
	units_ssh
}

# probe_unit2 PORT: one bounded TCP connect to PORT on both of the second unit's addresses
# (probe's hook for the kind "unit2").
probe_unit2() {
	ip netns exec "$TESTER_NS" nc -z -w 1 "$T_UNIT2_ADDR4" "$1" 2>/dev/null &&
		ip netns exec "$TESTER_NS" nc -z -w 1 "$T_UNIT2_ADDR6" "$1" 2>/dev/null
}

# status_unit2: what `lab/lab status` says of the second unit's two processes.
status_unit2() {
	local s rc=0
	echo "  unit2: second unit $T_UNIT2_SERIAL ($T_SECOND_UNIT keys), $T_UNIT2_ADDR4 $T_UNIT2_ADDR6"
	for s in unit2-web unit2-ssh; do
		if svc_alive "$s"; then
			echo "    $s: running (pid $(cat "$STATE/pids/$s.pid"))"
		else
			echo "    $s: NOT running, log $STATE/log/$s.log"
			rc=1
		fi
	done
	return "$rc"
}
