# shellcheck shell=bash
# keys.sh: a lab DUT's factory reset and certificate installation (`lab reset`, `lab install-cert`).
#
# Sourced by lab/lab after services.sh. What a factory reset does to the DUT's keys comes
# from the topology key reset_keys: `regenerate` makes a new web TLS key and certificate and
# new SSH host keys, as a vendor whose firmware creates them on first boot; `keep` only
# restarts the services, as a vendor whose firmware ships fixed keys. Either way the
# services are restarted and `reset` returns once they answer again: what dutlab's
# keys.factory-reset collector needs from the profile's factory_reset operation.

KEYS_WEB_SERVICES="nginx ctlweb" # the services whose TLS key web_prepare makes

# keys_need_up: refuse a DUT that is not up (a reset of nothing must not look like success).
keys_need_up() {
	if ! ns_exists "$T_NS" || [ ! -d "$STATE/pids" ]; then
		die "$T_NAME is not up; run 'lab/lab up $T_NAME'"
	fi
}

# keys_hup SVC: SIGHUP the service's process: nginx re-reads its configuration and
# certificate, sshd re-executes itself and reads its host keys again.
keys_hup() {
	local svc=$1 pid
	svc_alive "$svc" || die "$T_NAME: service $svc is not running; run 'lab/lab up $T_NAME'"
	pid=$(cat "$STATE/pids/$svc.pid")
	kill -HUP "$pid" || die "$T_NAME: cannot signal $svc (pid $pid)"
}

# keys_cert_sha256 FILE: SHA-256 of the certificate's DER, as dutlab prints it (lowercase hex).
keys_cert_sha256() {
	openssl x509 -in "$1" -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1
}

# keys_served_sha256 PORT: SHA-256 of the leaf certificate the DUT serves on PORT now,
# read from the tester namespace; empty when no handshake completed.
keys_served_sha256() {
	ip netns exec "$TESTER_NS" timeout 3 openssl s_client -connect "$T_ADDR4:$1" \
		-cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>/dev/null |
		openssl x509 -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1
}

# keys_wait_served FILE [PORT]: wait (bounded by UP_DEADLINE) until PORT (443 unless
# given) serves the certificate in FILE: nginx's old workers finish their connections
# after a reload.
keys_wait_served() {
	local want deadline empty port=${2:-443}
	want=$(keys_cert_sha256 "$1")
	empty=$(printf '' | sha256sum | cut -d' ' -f1)
	if [ -z "$want" ] || [ "$want" = "$empty" ]; then
		die "$T_NAME: $1 is not a PEM certificate"
	fi
	deadline=$(($(date +%s) + UP_DEADLINE))
	until [ "$(keys_served_sha256 "$port")" = "$want" ]; do
		[ "$(date +%s)" -lt "$deadline" ] ||
			die "$T_NAME: port $port does not serve $1 ${UP_DEADLINE} s after the reload" \
				"(see $STATE/log/)"
		sleep 0.1
	done
}

# keys_rtsp_follow: with rtsp_tls=yes, RTSPS serves the web UI's certificate again after
# it changed: copied, the server signalled (it re-reads the files on SIGHUP), then waited for.
keys_rtsp_follow() {
	case " $T_SERVICES " in *" rtsp "*) ;; *) return 0 ;; esac
	[ "$T_RTSP_TLS" = yes ] || return 0
	rtsp_tls_copy
	keys_hup rtsp
	keys_wait_served "$STATE/rtsp/tls/cert.pem" 322
}

# keys_is_web SVC: SVC is a web UI whose certificate web_prepare makes.
keys_is_web() {
	case " $KEYS_WEB_SERVICES " in *" $1 "*) return 0 ;; esac
	return 1
}

cmd_reset() {
	local svc t0 t1
	t0=$(date +%s%N)
	lab_lock
	keys_need_up
	for svc in $T_SERVICES; do
		if keys_is_web "$svc"; then
			[ "$T_RESET_KEYS" = regenerate ] && web_prepare "$svc"
			keys_hup "$svc"
		elif [ "$svc" = ssh ]; then
			[ "$T_RESET_KEYS" = regenerate ] && ssh_host_keys "$STATE/ssh"
			keys_hup ssh
		elif declare -F "reset_$svc" >/dev/null; then # a service's own reset (mgmt.sh)
			"reset_$svc"
		fi
	done
	# sshd closes its listener while it re-executes: wait until everything answers again.
	wait_ready || die "$T_NAME: not every service came back after the reset"
	for svc in $T_SERVICES; do
		keys_is_web "$svc" && keys_wait_served "$STATE/$svc/cert.pem"
	done
	[ "$T_RESET_KEYS" = regenerate ] && keys_rtsp_follow
	t1=$(date +%s%N)
	say "$T_NAME reset in $(((t1 - t0) / 1000000)) ms (reset_keys=$T_RESET_KEYS)"
}

# cmd_install_cert CERT KEY: the certificate and key the web UI serves from now on, as an
# administrator would install them through the UI. Copied into the state dir: the caller's
# files may lie where the web server cannot read them, and may go away.
cmd_install_cert() {
	local cert=$1 key=$2 svc="" s cert_pub key_pub
	[ -r "$cert" ] || die "cannot read certificate $cert"
	[ -r "$key" ] || die "cannot read key $key"
	cert_pub=$(openssl x509 -in "$cert" -noout -pubkey 2>/dev/null) ||
		die "$cert is not a PEM certificate"
	key_pub=$(openssl pkey -in "$key" -pubout 2>/dev/null) || die "$key is not a PEM private key"
	[ "$cert_pub" = "$key_pub" ] || die "$key is not the key of $cert"
	lab_lock
	keys_need_up
	for s in $T_SERVICES; do
		keys_is_web "$s" && svc=$s && break
	done
	[ -n "$svc" ] || die "$T_NAME has no web UI ($KEYS_WEB_SERVICES) to install a certificate on"
	if [ "$T_INSTALL_CERT" = ignore ]; then
		# The firmware that takes the upload, says it worked and keeps serving its own
		# certificate (topology install_cert=ignore): what TS-0014-1 5.4.1.3 must catch.
		install -m 0600 "$cert" "$STATE/$svc/uploaded-cert.pem"
		say "$T_NAME accepted the certificate upload (install_cert=ignore: not applied)"
		return 0
	fi
	install -m 0644 "$cert" "$STATE/$svc/cert.pem"
	install -m 0600 "$key" "$STATE/$svc/key.pem"
	keys_hup "$svc"
	keys_wait_served "$STATE/$svc/cert.pem"
	keys_rtsp_follow
	say "$T_NAME serves $(keys_cert_sha256 "$STATE/$svc/cert.pem") on 443"
}
