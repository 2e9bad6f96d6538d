# shellcheck shell=bash
# services.sh: how the lab starts each DUT service in its namespace and how it knows it answers.
#
# Sourced by lab/lab. Each svc_NAME function writes its configuration under $STATE,
# starts one process with spawn (which records its pid) and registers with expect the
# ports that must answer from the tester before `lab up` returns. Every service reads
# the T_* variables that load_topology set from the DUT's topology file.

ADMIN_UID=64100 # the DUT's admin account, visible only to the DUT's own sshd and telnetd
PYTHON=/usr/bin/python3

# The shell that applies mount OPs, then execs the command after "--" (see spawn).
# shellcheck disable=SC2016
MOUNT_OPS_SH='
	while [ "$1" != -- ]; do
		case $1 in
		tmpfs:*) mount -t tmpfs -o mode=0755 tmpfs "${1#tmpfs:}" || exit 1 ;;
		mkdir:*) mkdir -p "${1#mkdir:}" || exit 1 ;;
		bind:*) op=${1#bind:}; mount --bind "${op%%:*}" "${op#*:}" || exit 1 ;;
		*) echo "spawn: bad mount op $1" >&2; exit 1 ;;
		esac
		shift
	done
	shift
	exec "$@"'

# in_dut [OP...] -- COMMAND...: run COMMAND in the DUT namespace (network and a private
# mount namespace) after the mount OPs: tmpfs:DIR (an empty tmpfs over DIR), mkdir:DIR,
# bind:SRC:DST (SRC mounted over DST). Mounts stay private to COMMAND; mkdir only makes
# the empty mount point a package would make itself (/run/sshd, /run/avahi-daemon), which
# then gets a private tmpfs, so nothing is written outside $STATE. Every step execs, so
# the pid is COMMAND's.
in_dut() {
	ip netns exec "$T_NS" unshare --mount --propagation private /bin/sh -c "$MOUNT_OPS_SH" sh "$@"
}

# spawn SVC [OP...] -- COMMAND...: in_dut, detached from the caller (own session, no
# inherited descriptors), logging to $STATE/log/SVC.log; records COMMAND's pid.
spawn() {
	local svc=$1
	shift
	setsid ip netns exec "$T_NS" unshare --mount --propagation private \
		/bin/sh -c "$MOUNT_OPS_SH" sh "$@" </dev/null >>"$STATE/log/$svc.log" 2>&1 9>&- &
	echo $! >"$STATE/pids/$svc.pid"
}

# expect SVC KIND PORT: `lab up` waits until KIND (tcp, snmp, ssdp, mdns, or K of a
# function probe_K) answers on PORT.
expect() {
	echo "$1 $2 $3" >>"$STATE/probes"
}

# probe KIND PORT: one bounded attempt from the tester namespace.
probe() {
	local kind=$1 port=$2
	case $kind in
	tcp)
		ip netns exec "$TESTER_NS" nc -z -w 1 "$T_ADDR4" "$port" 2>/dev/null &&
			ip netns exec "$TESTER_NS" nc -z -w 1 "$T_ADDR6" "$port" 2>/dev/null
		;;
	snmp | ssdp | mdns)
		ip netns exec "$TESTER_NS" "$PYTHON" "$LAB_DIR/bin/udp-probe.py" --timeout 0.5 \
			"$kind" "$T_ADDR4" >/dev/null
		;;
	*) # another library's kind (probe_unit2 in units.sh)
		declare -F "probe_$kind" >/dev/null || return 1
		"probe_$kind" "$port"
		;;
	esac
}

# svc_alive SVC: the process spawn started for SVC still runs in the DUT namespace.
svc_alive() {
	local pid
	pid=$(cat "$STATE/pids/$1.pid" 2>/dev/null) || return 1
	pid_in_ns "$pid" "$(cat "$STATE/netns-inode" 2>/dev/null)"
}

# fill FILE: replace the @KEY@ placeholders of a template with the DUT's identity.
fill() {
	sed -e "s|@NAME@|$T_NAME|g" -e "s|@HOSTNAME@|$T_HOSTNAME|g" -e "s|@VENDOR@|$T_VENDOR|g" \
		-e "s|@MODEL@|$T_MODEL|g" -e "s|@FIRMWARE@|$T_FIRMWARE|g" -e "s|@SERIAL@|$T_SERIAL|g" \
		-e "s|@ADDR4@|$T_ADDR4|g" -e "s|@ADDR6@|$T_ADDR6|g" "$1"
}

# make_identity: the DUT's identity file and its admin account (a private passwd/shadow
# that only the DUT's sshd sees, bind-mounted over /etc in its own mount namespace).
make_identity() {
	local hash
	cat >"$STATE/dut.info" <<EOF
name=$T_NAME
hostname=$T_HOSTNAME
vendor=$T_VENDOR
model=$T_MODEL
firmware=$T_FIRMWARE
serial=$T_SERIAL
ipv4=$T_ADDR4
ipv6=$T_ADDR6
EOF
	if getent passwd "$ADMIN_UID" >/dev/null; then
		die "uid $ADMIN_UID is taken on this machine; the lab's admin account needs it"
	fi
	install -m 0755 "$LAB_DIR/bin/camera-cli" "$LAB_DIR/bin/camera-login" "$STATE/bin/"
	mkdir -p "$STATE/home/admin"
	chown "$ADMIN_UID:$ADMIN_UID" "$STATE/home/admin"
	chmod 0700 "$STATE/home/admin"
	hash=$(printf '%s\n' "$T_ADMIN_PASSWORD" | openssl passwd -6 -stdin)
	grep -v '^admin:' /etc/passwd >"$STATE/etc/passwd"
	echo "admin:x:$ADMIN_UID:$ADMIN_UID:DUT administrator:$STATE/home/admin:$STATE/bin/camera-cli" \
		>>"$STATE/etc/passwd"
	grep -v '^admin:' /etc/group >"$STATE/etc/group"
	echo "admin:x:$ADMIN_UID:" >>"$STATE/etc/group"
	printf 'admin:%s:20000:0:99999:7:::\n' "$hash" >"$STATE/etc/shadow"
	chmod 0644 "$STATE/etc/passwd" "$STATE/etc/group"
	chmod 0600 "$STATE/etc/shadow"
}

# web_vendor_ca: the vendor's device CA of this DUT ($STATE/vendor-ca.pem, its key
# vendor-ca.key 0600, EC P-256), made once per `lab up`: a factory reset re-issues the
# device certificate from the same CA, as the vendor's CA outlives a reset.
web_vendor_ca() {
	[ -s "$STATE/vendor-ca.pem" ] && [ -s "$STATE/vendor-ca.key" ] && return 0
	(
		umask 077
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
			-sha256 -subj "/O=$T_VENDOR (lab)/CN=$T_VENDOR $T_MODEL device CA" \
			-addext 'basicConstraints=critical,CA:TRUE' \
			-addext 'keyUsage=critical,keyCertSign,cRLSign' \
			-keyout "$STATE/vendor-ca.key" -out "$STATE/vendor-ca.pem" \
			2>>"$STATE/log/openssl.log"
	) || die "$T_NAME: cannot make the vendor CA (see $STATE/log/openssl.log)"
	chmod 0600 "$STATE/vendor-ca.key"
	chmod 0644 "$STATE/vendor-ca.pem"
}

# web_prepare NAME: the web UI's folder under the state dir: the DUT's www/ templates
# filled in, a fresh certificate (P-256; RSA-2048 for web_tls=legacy, whose static-RSA
# suites need an RSA key) and the admin's htpasswd. web_cert=vendor-ca issues it from the
# vendor CA (SAN: host name and both addresses, CA:FALSE, serverAuth, SHA-256);
# web_cert=self-signed (the default) signs it with its own key (`req -x509`, which also
# marks it CA:TRUE). The vendor CA is made either way: it is what the profile's
# tls.ca_bundle declares, so a self-signed certificate is one that does not chain to it.
web_prepare() {
	local d="$STATE/$1" f san usage=digitalSignature key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
	if [ "$T_WEB_TLS" = legacy ]; then
		key=(-newkey rsa:2048)
		usage=digitalSignature,keyEncipherment # static RSA encrypts the premaster to it
	fi
	san="subjectAltName=DNS:$T_HOSTNAME,IP:$T_ADDR4,IP:$T_ADDR6"
	mkdir -p "$d/www" "$d/tmp"
	chown www-data "$d/tmp"
	for f in "$T_DUT_DIR"/www/*; do
		fill "$f" >"$d/www/$(basename "$f")"
	done
	web_vendor_ca
	# A power cycle (lab restart: NETDUT_RESTART=1) keeps the certificate and key the
	# device has, as flash does; only up and a factory reset make new ones.
	if [ "${NETDUT_RESTART:-0}" = 1 ] && [ -s "$d/key.pem" ] && [ -s "$d/cert.pem" ]; then
		web_htpasswd "$d"
		return 0
	fi
	rm -f "$d/key.pem" "$d/cert.pem" "$d/cert.csr"
	if [ "$T_WEB_CERT" = vendor-ca ]; then
		(
			umask 077
			openssl req -new "${key[@]}" -nodes -subj "/O=$T_VENDOR/CN=$T_HOSTNAME" \
				-keyout "$d/key.pem" -out "$d/cert.csr" 2>>"$STATE/log/openssl.log" &&
				openssl x509 -req -in "$d/cert.csr" -sha256 -days 825 \
					-CA "$STATE/vendor-ca.pem" -CAkey "$STATE/vendor-ca.key" \
					-set_serial "0x$(openssl rand -hex 16)" -extfile <(printf '%s\n' \
					"$san" 'basicConstraints=critical,CA:FALSE' \
					"keyUsage=critical,$usage" \
					'extendedKeyUsage=serverAuth' 'subjectKeyIdentifier=hash' \
					'authorityKeyIdentifier=keyid') \
					-out "$d/cert.pem" 2>>"$STATE/log/openssl.log"
		) || die "$T_NAME: the vendor CA could not issue the web certificate" \
			"(see $STATE/log/openssl.log)"
		rm -f "$d/cert.csr"
	else
		openssl req -x509 "${key[@]}" -nodes -days 825 \
			-subj "/O=$T_VENDOR/CN=$T_HOSTNAME" -addext "$san" \
			-keyout "$d/key.pem" -out "$d/cert.pem" 2>>"$STATE/log/openssl.log" ||
			die "$T_NAME: cannot make the web certificate (see $STATE/log/openssl.log)"
	fi
	chmod 0600 "$d/key.pem"
	chmod 0644 "$d/cert.pem"
	web_htpasswd "$d"
}

# web_htpasswd DIR: the admin's htpasswd of the web UI in DIR.
web_htpasswd() {
	printf 'admin:%s\n' "$(printf '%s\n' "$T_ADMIN_PASSWORD" | openssl passwd -6 -stdin)" \
		>"$1/htpasswd"
	chgrp www-data "$1/htpasswd"
	chmod 0640 "$1/htpasswd"
}

# web_http_server ROOT PAGES: the plain-HTTP server block on port 80 (PAGES: index and
# location lines).
web_http_server() {
	printf '\n\tserver {\n\t\tlisten %s:80;\n\t\tlisten [%s]:80;\n\t\tserver_name _;\n\t\troot %s;%s\n\t}' \
		"$T_ADDR4" "$T_ADDR6" "$1" "$2"
}

# web_start NAME TLS_PAGES HTTP_SERVER: write NAME.conf (nginx: HTTPS on 443 serving
# TLS_PAGES, its index and location lines; HTTP_SERVER, a whole plain server block or ""),
# check it inside the DUT namespace, start nginx and wait for its ports. web_tls=modern:
# TLS 1.2/1.3, ECDHE-ECDSA AEAD suites only (ChaCha20 among them); web_tls=legacy: TLS
# 1.0-1.2, static RSA and no AES-256 suite (OpenSSL 3 refuses TLS 1.0/1.1 above security
# level 0); web_tls=approved: TLS 1.2/1.3 with only NIST SP 800-140C r1 algorithms, AES-GCM
# suites and ECDHE on P-256/P-384 (no ChaCha20-Poly1305, no X25519).
web_start() {
	local name=$1 tls_pages=$2 http=$3 d="$STATE/$1" out
	local protocols="TLSv1.2 TLSv1.3" extra=""
	local ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305
	if [ "$T_WEB_TLS" = legacy ]; then
		protocols="TLSv1 TLSv1.1 TLSv1.2"
		ciphers=AES128-SHA:AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0
	elif [ "$T_WEB_TLS" = approved ]; then
		ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384
		# ssl_ciphers does not reach TLS 1.3's suites; OpenSSL's Ciphersuites does.
		extra="
		ssl_conf_command Ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256;
		ssl_ecdh_curve prime256v1:secp384r1;"
	fi
	cat >"$STATE/etc/$name.conf" <<CONF
# nginx configuration of the web UI of $T_NAME (generated by lab/lab up)
user www-data;
worker_processes 1;
pid $d/nginx.pid;
error_log $STATE/log/$name.log warn;
events { worker_connections 128; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log $STATE/log/$name-access.log;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	server_tokens $T_WEB_SERVER_TOKENS;
	server {
		listen $T_ADDR4:443 ssl;
		listen [$T_ADDR6]:443 ssl;
		server_name _;
		ssl_certificate $d/cert.pem;
		ssl_certificate_key $d/key.pem;
		ssl_protocols $protocols;
		ssl_ciphers $ciphers;
		ssl_prefer_server_ciphers off;
		ssl_session_tickets off;$extra
		add_header Strict-Transport-Security "max-age=31536000" always;
		add_header X-Frame-Options DENY always;
		add_header X-Content-Type-Options nosniff always;
		root $d/www;$tls_pages
	}$http
}
CONF
	# nginx -t binds the listening sockets too, so it runs in the DUT namespace.
	out=$(ip netns exec "$T_NS" nginx -t -q -e /dev/stderr -c "$STATE/etc/$name.conf" 2>&1) ||
		die "$T_NAME: nginx rejects $STATE/etc/$name.conf: $out"
	spawn "$name" -- nginx -e "$STATE/log/$name.log" -c "$STATE/etc/$name.conf" -g 'daemon off;'
	expect "$name" tcp 443
	[ "$T_WEB_HTTP" = yes ] && expect "$name" tcp 80
	return 0
}

# svc_nginx: the camera web UI. TLS 1.2/1.3 on 443 always; plain HTTP on 80 if web_http=yes;
# the status page needs a login unless web_status_public=yes.
svc_nginx() {
	local d="$STATE/nginx" status_auth pages http=""
	web_prepare nginx
	status_auth="auth_basic \"$T_MODEL\"; auth_basic_user_file $d/htpasswd;"
	[ "$T_WEB_STATUS_PUBLIC" = yes ] && status_auth=""
	pages="
		index login.html;
		location = /status.html { $status_auth }
		location = /login { return 303 /status.html; }"
	[ "$T_WEB_HTTP" = yes ] && http=$(web_http_server "$d/www" "$pages")
	web_start nginx "$pages" "$http"
}

# ssh_host_keys DIR: fresh Ed25519 and ECDSA P-256 host keys in DIR (old ones replaced:
# `lab reset` of a DUT with reset_keys=regenerate calls it too).
ssh_host_keys() {
	mkdir -p "$1"
	rm -f "$1"/ssh_host_ed25519_key "$1"/ssh_host_ed25519_key.pub \
		"$1"/ssh_host_ecdsa_key "$1"/ssh_host_ecdsa_key.pub
	ssh-keygen -q -t ed25519 -N '' -C "$T_HOSTNAME" -f "$1/ssh_host_ed25519_key"
	ssh-keygen -q -t ecdsa -b 256 -N '' -C "$T_HOSTNAME" -f "$1/ssh_host_ecdsa_key"
}

# sshd_config FILE DIR CRYPTO: the DUT's sshd settings (22 on its addresses, admin logs in
# by password, no root, nothing forwarded, the pid file in DIR) with CRYPTO, its HostKey and
# algorithm lines.
sshd_config() {
	cat >"$1" <<EOF
# sshd_config for $T_NAME (generated by lab/lab up)
Port 22
ListenAddress $T_ADDR4
ListenAddress $T_ADDR6
$3
PidFile $2/sshd.pid
PermitRootLogin no
AllowUsers admin
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
MaxAuthTries 3
LoginGraceTime 30
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
PrintMotd no
PrintLastLog no
UseDNS no
EOF
}

# sshd_spawn NAME CONFIG: check CONFIG inside the DUT namespace, then run sshd with it as
# service NAME, with the lab's passwd, group and shadow (the admin account) bound in.
sshd_spawn() {
	local out mounts=(mkdir:/run/sshd tmpfs:/run/sshd "bind:$STATE/etc/passwd:/etc/passwd"
		"bind:$STATE/etc/group:/etc/group" "bind:$STATE/etc/shadow:/etc/shadow")
	out=$(in_dut "${mounts[@]}" -- /usr/sbin/sshd -t -f "$2" 2>&1) ||
		die "$T_NAME: sshd rejects $2: $out"
	spawn "$1" "${mounts[@]}" -- /usr/sbin/sshd -D -e -f "$2"
}

# svc_ssh: OpenSSH on 22 of the DUT's addresses, password login for admin, no root login.
# ssh_crypto=default offers OpenSSH's defaults (curve25519, sntrup761, ChaCha20-Poly1305,
# UMAC, an Ed25519 host key...); ssh_crypto=approved offers only NIST SP 800-140C r1
# algorithms: ECDH on P-256/P-384 and FFDHE group 16, the ECDSA P-256 host key alone,
# AES-GCM/CTR, HMAC-SHA-2 ETM (OpenSSH still adds its ext-info and kex-strict markers).
svc_ssh() {
	local d="$STATE/ssh" crypto
	# a power cycle (lab restart) keeps the host keys; up and a factory reset make new ones
	if [ "${NETDUT_RESTART:-0}" != 1 ] || [ ! -s "$d/ssh_host_ecdsa_key" ]; then
		ssh_host_keys "$d"
	fi
	crypto="HostKey $d/ssh_host_ed25519_key
HostKey $d/ssh_host_ecdsa_key"
	if [ "$T_SSH_CRYPTO" = approved ]; then
		crypto="HostKey $d/ssh_host_ecdsa_key
HostKeyAlgorithms ecdsa-sha2-nistp256
KexAlgorithms ecdh-sha2-nistp256,ecdh-sha2-nistp384,diffie-hellman-group16-sha512
Ciphers aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes128-ctr
MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com"
	fi
	sshd_config "$STATE/etc/sshd_config" "$d" "$crypto"
	sshd_spawn ssh "$STATE/etc/sshd_config"
	expect ssh tcp 22
}

# svc_rtsp: GStreamer's RTSP server with a test pattern at rtsp://ADDR:554/stream, run as
# nobody with only the capability to bind port 554. Its script runs from the state dir:
# nobody may not be able to read the checkout (a clone under a 0700 folder).
# rtsp_tls=yes serves RTSP over TLS instead (RTSPS, rtsps://ADDR:322/stream) with the web
# UI's certificate, TLS 1.2/1.3 with ECDHE and AES-GCM only (TS-0014-1 5.5.2.1).
# rtsp_auth=basic|digest: the stream asks for the admin account (admin_password) by that
# scheme; rtsp_open_path=/live also serves the stream there to anyone (a preview left open).
# rtsp_client_threads=N serves clients on up to N threads (0: all on one main loop).
svc_rtsp() {
	local d="$STATE/rtsp" port=554 tls=() auth=()
	mkdir -p "$d"
	chown nobody:nogroup "$d"
	install -m 0755 "$LAB_DIR/bin/rtsp-camera.py" "$STATE/bin/"
	if [ "$T_RTSP_AUTH" != none ]; then
		printf 'admin:%s\n' "$T_ADMIN_PASSWORD" >"$d/credentials"
		chown nobody:nogroup "$d/credentials"
		chmod 0600 "$d/credentials"
		auth=(--auth "$T_RTSP_AUTH" --credentials "$d/credentials")
	fi
	[ -n "$T_RTSP_OPEN_PATH" ] && auth+=(--open-path "$T_RTSP_OPEN_PATH")
	if [ "$T_RTSP_TLS" = yes ]; then
		rtsp_tls_copy
		port=322
		tls=(--tls-certificate "$d/tls/cert.pem" --tls-key "$d/tls/key.pem")
	fi
	# GIO's GnuTLS backend takes its priority string from G_TLS_GNUTLS_PRIORITY.
	spawn rtsp -- env HOME="$d" XDG_CACHE_HOME="$d" GST_REGISTRY="$d/registry.bin" \
		G_TLS_GNUTLS_PRIORITY="$RTSP_TLS_PRIORITY" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=+net_bind_service --ambient-caps=+net_bind_service \
		"$PYTHON" "$STATE/bin/rtsp-camera.py" --address :: --port "$port" --path /stream \
		--client-threads "$T_RTSP_CLIENT_THREADS" "${tls[@]}" "${auth[@]}"
	expect rtsp tcp "$port"
}

# What RTSPS offers: TLS 1.2 and 1.3, ECDHE (no static RSA, no finite-field DHE), AES-GCM.
RTSP_TLS_PRIORITY="NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-RSA:-DHE-RSA:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:%SERVER_PRECEDENCE"

# rtsp_tls_copy: the web UI's certificate and key into the RTSP server's own folder (it
# runs as nobody, who may not read the web server's key), as a camera serves one
# certificate on all its TLS ports. `lab reset` and `lab install-cert` call it again.
rtsp_tls_copy() {
	local d="$STATE/rtsp/tls" svc="" s
	for s in $T_SERVICES; do
		keys_is_web "$s" && svc=$s && break
	done
	if [ -z "$svc" ] || [ ! -r "$STATE/$svc/cert.pem" ]; then
		die "$T_NAME: rtsp_tls=yes needs a web UI started before rtsp in services (its certificate)"
	fi
	mkdir -p "$d"
	install -o nobody -g nogroup -m 0644 "$STATE/$svc/cert.pem" "$d/cert.pem.new"
	install -o nobody -g nogroup -m 0600 "$STATE/$svc/key.pem" "$d/key.pem.new"
	mv -f "$d/key.pem.new" "$d/key.pem"
	mv -f "$d/cert.pem.new" "$d/cert.pem"
	chown nobody:nogroup "$d"
	chmod 0700 "$d"
}

# svc_telnet: busybox telnetd on 23 with the camera's own login (admin, then camera-cli)
# and a pre-login banner that names the firmware.
svc_telnet() {
	printf '\r\n%s %s firmware %s (BusyBox v1.22.1)\r\n' "$T_VENDOR" "$T_MODEL" "$T_FIRMWARE" \
		>"$STATE/etc/issue.net"
	spawn telnet "bind:$STATE/etc/issue.net:/etc/issue.net" -- \
		busybox telnetd -F -p 23 -l "$STATE/bin/camera-login"
	expect telnet tcp 23
}

# svc_snmp: net-snmp on udp/161, read-only community "public", a sysDescr that tells the
# firmware and OS versions.
svc_snmp() {
	local d="$STATE/snmp"
	mkdir -p "$d"
	chown Debian-snmp:Debian-snmp "$d"
	cat >"$STATE/etc/snmpd.conf" <<EOF
# snmpd.conf for $T_NAME (generated by lab/lab up)
agentaddress udp:$T_ADDR4:161,udp6:[$T_ADDR6]:161
rocommunity public
rocommunity6 public
sysdescr $T_SYSDESCR
sysname $T_HOSTNAME
syslocation lab bench, $T_NAME
syscontact support@example.invalid
sysservices 72
dontLogTCPWrappersConnects yes
EOF
	spawn snmp -- env SNMP_PERSISTENT_DIR="$d" MIBS= \
		snmpd -f -Le -C -I -smux -c "$STATE/etc/snmpd.conf" -u Debian-snmp -g Debian-snmp
	expect snmp snmp 161
}

# svc_mdns: avahi (no D-Bus) publishing the camera's web and RTSP services over mDNS.
svc_mdns() {
	local d="$STATE/avahi"
	mkdir -p "$d/services"
	fill "$T_DUT_DIR/avahi.service" >"$d/services/camera.service"
	cat >"$STATE/etc/avahi-daemon.conf" <<EOF
# avahi-daemon.conf for $T_NAME (generated by lab/lab up)
[server]
host-name=$T_HOSTNAME
domain-name=local
use-ipv4=yes
use-ipv6=yes
allow-interfaces=$T_DUT_IF
enable-dbus=no
[wide-area]
enable-wide-area=no
[publish]
publish-addresses=yes
publish-hinfo=yes
publish-workstation=no
publish-domain=yes
[reflector]
enable-reflector=no
EOF
	spawn mdns mkdir:/run/avahi-daemon tmpfs:/run/avahi-daemon "bind:$d/services:/etc/avahi/services" -- \
		avahi-daemon -f "$STATE/etc/avahi-daemon.conf" --no-chroot --no-rlimits
	expect mdns mdns 5353
}

# svc_upnp: miniupnpd answering SSDP on udp/1900 and serving its description on tcp/5000.
svc_upnp() {
	cat >"$STATE/etc/miniupnpd.conf" <<EOF
# miniupnpd.conf for $T_NAME (generated by lab/lab up)
ext_ifname=$T_DUT_IF
listening_ip=$T_DUT_IF
http_port=5000
enable_natpmp=no
enable_upnp=yes
secure_mode=yes
system_uptime=yes
lease_file=$STATE/upnp.leases
uuid=$(cat /proc/sys/kernel/random/uuid)
friendly_name=$T_VENDOR $T_MODEL IP Camera
manufacturer_name=$T_VENDOR
model_name=$T_MODEL
model_description=$T_VENDOR $T_MODEL IP camera, firmware $T_FIRMWARE
model_number=$T_FIRMWARE
serial=$T_SERIAL
allow 1024-65535 $T_ADDR4/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
	spawn upnp -- miniupnpd -d -f "$STATE/etc/miniupnpd.conf" -P "$STATE/upnp.pid"
	expect upnp ssdp 1900
	expect upnp tcp 5000
}

# svc_gdbserver: an undeclared debug stub on tcp/2345: `gdbserver --multi` on each connection
# (gdbserver's own listener goes away after its first client), run as nobody from the state
# dir, like svc_rtsp.
svc_gdbserver() {
	install -m 0755 "$LAB_DIR/bin/tcp-spawn.py" "$STATE/bin/"
	spawn gdbserver -- setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$PYTHON" "$STATE/bin/tcp-spawn.py" 2345 -- gdbserver --multi stdio
	expect gdbserver tcp 2345
}

# svc_ctlweb: the door controller's web UI (nginx). TLS 1.2/1.3 on 443 always: the sign-in
# page (/) and its style sheet are open, every other page needs a login. web_http=yes adds
# plain HTTP on 80; web_status_public=yes opens the status page to anyone and makes it the
# HTTP landing page (what GET / on port 80 returns). web_server_tokens sets nginx's
# server_tokens.
svc_ctlweb() {
	local d="$STATE/ctlweb" auth open_status="" http="" http_index=index.html pages
	web_prepare ctlweb
	auth="auth_basic \"$T_MODEL\"; auth_basic_user_file $d/htpasswd;"
	if [ "$T_WEB_STATUS_PUBLIC" = yes ]; then
		open_status="
		location = /status.html { }"
		http_index=status.html
	fi
	# What every server of the UI serves: / (through its index page) and the style sheet
	# to anyone, the rest behind the login.
	pages="
		location = / { }
		location = /index.html { }
		location = /style.css { }
		location = /login { return 303 /status.html; }$open_status
		location / { $auth }"
	[ "$T_WEB_HTTP" = yes ] && http=$(web_http_server "$d/www" "
		index $http_index;$pages")
	web_start ctlweb "
		index index.html;$pages" "$http"
}

# svc_maintweb: a factory maintenance web server the vendor left on, on tcp/8080 (busybox
# httpd, run as nobody): no login, a page naming the firmware and serial and the
# controller's configuration backup (the DUT's maint/ templates) for anyone to download.
svc_maintweb() {
	local d="$STATE/maintweb" f
	mkdir -p "$d"
	for f in "$T_DUT_DIR"/maint/*; do
		fill "$f" >"$d/$(basename "$f")"
	done
	chmod 0755 "$d"
	chmod 0644 "$d"/*
	spawn maintweb -- setpriv --reuid=nobody --regid=nogroup --clear-groups \
		busybox httpd -f -vv -p 8080 -h "$d"
	expect maintweb tcp 8080
}
