# shellcheck shell=bash
# update-agent.sh: the camera's firmware update agent (lab/bin/camera-update) and its update CA.
#
# Sourced by lab/lab. The agent is no daemon: `lab/lab update-check NAME` runs it once in the
# DUT namespace, which is what a profile's trigger operation (check_update) calls. The DUT
# reaches its update server by name, update.acme-cam.test, which the agent's configuration
# resolves to the tester's address (curl --resolve: the DUT's "hosts entry"), where dutlab
# plays that server with certificates issued from the update CA made here.

UPDATE_HOST=update.acme-cam.test
UPDATE_PORT=8443

# svc_update: the update CA (state dir, EC P-256, key 0600) and the agent's configuration.
svc_update() {
	local d="$STATE/update-ca" mode=${T_UPDATE_AGENT:-verify}
	mkdir -p "$d" "$STATE/update"
	chmod 0755 "$d"
	# a power cycle (lab restart) keeps the CA the agent pins; up makes a new one
	if [ "${NETDUT_RESTART:-0}" != 1 ] || [ ! -s "$d/ca.pem" ] || [ ! -s "$d/ca.key" ]; then
		(
			umask 077
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
				-subj "/O=$T_VENDOR (lab)/CN=$T_VENDOR $T_MODEL update CA" \
				-addext 'basicConstraints=critical,CA:TRUE' \
				-addext 'keyUsage=critical,keyCertSign,cRLSign' \
				-keyout "$d/ca.key" -out "$d/ca.pem" 2>>"$STATE/log/openssl.log"
		) || die "$T_NAME: cannot make the update CA (see $STATE/log/openssl.log)"
	fi
	chmod 0600 "$d/ca.key"
	chmod 0644 "$d/ca.pem"
	# A hashed CA folder, so curl's --capath holds the pinned CA and nothing else.
	openssl rehash "$d" 2>>"$STATE/log/openssl.log" || die "$T_NAME: openssl rehash $d failed"
	cp "$LAB_DIR/bin/camera-update" "$STATE/bin/camera-update"
	chmod 0755 "$STATE/bin/camera-update"
	cat >"$STATE/etc/update-agent.conf" <<CONF
url=https://$UPDATE_HOST:$UPDATE_PORT/firmware/latest.json
resolve=$UPDATE_HOST:$UPDATE_PORT:${T_TESTER_V4%/*}
mode=$mode
ca=$d/ca.pem
capath=$d
out=$STATE/update/latest.json
CONF
}

# status_update: what `lab/lab status` says of the on-demand agent (it has no process).
status_update() {
	if [ -f "$STATE/etc/update-agent.conf" ] && [ -f "$STATE/update-ca/ca.pem" ]; then
		echo "  update: on demand ($(grep '^mode=' "$STATE/etc/update-agent.conf")," \
			"lab/lab update-check $T_NAME), CA $STATE/update-ca/ca.pem"
		return 0
	fi
	echo "  update: NOT configured (no $STATE/etc/update-agent.conf)"
	return 1
}

# cmd_update_check: run the agent once inside the DUT namespace; its exit status is ours.
cmd_update_check() {
	ns_exists "$T_NS" || die "$T_NAME is down; run 'lab/lab up $T_NAME' first"
	case " $T_SERVICES " in *" update "*) ;; *) die "$T_NAME has no update agent (services=)" ;; esac
	[ -f "$STATE/etc/update-agent.conf" ] ||
		die "$T_NAME was brought up before it had an update agent; run 'lab/lab up $T_NAME'"
	in_dut -- /bin/sh "$STATE/bin/camera-update" "$STATE/etc/update-agent.conf"
}
