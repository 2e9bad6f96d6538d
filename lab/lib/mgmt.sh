# shellcheck shell=bash
# mgmt.sh: the management-plane DUTs (mgmt-good, mgmt-bad): accounts, PAM, sshd, Cockpit, telnet, lighttpd and the web-login fixture in a private /etc.
#
# Sourced by lab/lab after services.sh (spawn's conventions, expect, ssh_host_keys).
# A mgmt DUT is a small Linux management plane whose logins all go through PAM, so the
# authentication clauses (lockout, password policy and ageing, idle timeout, roles,
# default credentials, credential storage) are decided against real software:
# pam_faillock, pam_pwquality, pam_pwhistory, pam_unix, OpenSSH, Cockpit, shadow's login.
#
# Its accounts and PAM configuration must never touch the host's. A private /etc by bind
# mounts of single files does not work here: passwd, chpasswd, usermod and pam_unix write
# /etc/shadow by rename(2) of a new file over it, which a bind-mounted file refuses
# (EBUSY). So the DUT gets one persistent mount namespace ($STATE/mntns, made by
# `unshare --mount=FILE` over a private bind mount of the state dir) in which /etc is an
# overlay: the host's /etc below, $STATE/etc (the DUT's passwd, shadow, group, gshadow,
# pam.d, security, cockpit, login.defs, profile, mgmt/) above; /var/log, /tmp,
# /run/sshd and /run/cockpit are private tmpfs and /run/utmp a private file, so logins
# leave no record on the host either; a UTS namespace ($STATE/utsns) gives it its host
# name. Every daemon (nsenter into these and the DUT's network namespace) and every lab
# operation on accounts (reset, set-password, unlock, age-password, export-config) runs
# in them. `down` kills the pids, then mgmt_release unmounts the namespace files and the
# bind mount.
#
# Topology keys (lab/lab's load_topology): admin_password (the admin's password in
# service), factory_password (the per-unit default a factory reset restores),
# operator_password, test_password, auth_policy (strict: faillock, pwquality,
# pwhistory, ageing, idle timeout; none: pam_unix alone) and idle_timeout (seconds).

MGMT_OPER_UID=64101  # oper: the operator role (admin is ADMIN_UID, services.sh)
MGMT_TEST_UID=64102  # dltest: the account the lockout and password tests may lock and change
MGMT_ADMIN_GID=64110 # group mgmtadmin: may write /etc/mgmt/device.conf, read secrets.conf
MGMT_USERS="admin oper dltest"

# mgmt_ns_args: nsenter's options for the DUT's mount, UTS and network namespaces, in
# MGMT_NS. The namespace files $STATE/mntns and utsns are bind mounts of the host's mount
# namespace, and the kernel copies no mount-namespace file into a new mount namespace:
# called from inside `ip netns exec` (dutlab's exec operations run `lab ...` there),
# they are plain empty files. Then the DUT's keeper process (svc_mgmtos), which lives in
# both namespaces, leads the way through /proc.
mgmt_ns_args() {
	local pid
	if mgmt_mounted "$STATE/mntns"; then
		MGMT_NS=(--mount="$STATE/mntns")
		mgmt_mounted "$STATE/utsns" && MGMT_NS+=(--uts="$STATE/utsns")
	else
		pid=$(cat "$STATE/pids/mgmtos.pid" 2>/dev/null) || pid=""
		if [ -z "$pid" ] || ! svc_alive mgmtos; then
			die "$T_NAME: its mount namespace is not reachable from here (no keeper process); run 'lab/lab up $T_NAME'"
		fi
		MGMT_NS=(--mount="/proc/$pid/ns/mnt" --uts="/proc/$pid/ns/uts")
	fi
	MGMT_NS+=(--net="/run/netns/$T_NS")
}

# mgmt_in_ns COMMAND...: run COMMAND in the DUT's namespaces.
mgmt_in_ns() {
	mgmt_ns_args
	nsenter "${MGMT_NS[@]}" -- "$@"
}

# mgmt_spawn SVC COMMAND...: like spawn (services.sh), in the DUT's persistent mount
# namespace; nsenter execs, so the recorded pid is COMMAND's.
mgmt_spawn() {
	local svc=$1
	shift
	mgmt_ns_args
	setsid nsenter "${MGMT_NS[@]}" -- "$@" \
		</dev/null >>"$STATE/log/$svc.log" 2>&1 9>&- &
	echo $! >"$STATE/pids/$svc.pid"
}

# mgmt_need_up: refuse a mgmt DUT that is not up (operations on nothing must not succeed).
mgmt_need_up() {
	case " $T_SERVICES " in *" mgmtos "*) ;; *) die "$T_NAME is not a management-plane DUT (mgmt-good, mgmt-bad)" ;; esac
	if ! ns_exists "$T_NS" || { ! mgmt_mounted "$STATE/mntns" && ! svc_alive mgmtos; }; then
		die "$T_NAME is not up; run 'lab/lab up $T_NAME'"
	fi
}

# mgmt_mounted PATH: PATH is a mount point in the host's mount namespace.
mgmt_mounted() {
	awk -v p="$1" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# mgmt_release: what dut_down calls before deleting the state dir: drop the mount
# namespace (its processes are gone by now) and the private bind mount of the state dir.
mgmt_release() {
	[ -n "${STATE:-}" ] || return 0
	local f
	for f in mntns utsns; do
		if [ -e "$STATE/$f" ] && mgmt_mounted "$STATE/$f"; then
			umount "$STATE/$f" || die "cannot unmount $STATE/$f"
		fi
	done
	if mgmt_mounted "$STATE"; then
		umount "$STATE" 2>/dev/null || umount -l "$STATE" || die "cannot unmount $STATE"
	fi
	return 0
}

# mgmt_hash PASSWORD: the crypt(3) hash the DUT stores: yescrypt with auth_policy=strict
# (what its pam_unix writes too), MD5-crypt with none (a legacy firmware's choice). The
# password travels in the environment, never on a command line.
mgmt_hash() {
	if [ "$T_AUTH_POLICY" = strict ]; then
		# shellcheck disable=SC2016 # a Python program, not shell
		MGMT_PW=$1 "$PYTHON" -W ignore -c '
import crypt, os, secrets
alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
salt = "".join(secrets.choice(alphabet) for _ in range(16))
print(crypt.crypt(os.environ["MGMT_PW"], "$y$j9T$" + salt))'
	else
		printf '%s\n' "$1" | openssl passwd -1 -stdin
	fi
}

# mgmt_password_of USER: the topology's password of USER (admin: the one in service).
mgmt_password_of() {
	case $1 in
	admin) echo "$T_ADMIN_PASSWORD" ;;
	oper) echo "$T_OPERATOR_PASSWORD" ;;
	dltest) echo "$T_TEST_PASSWORD" ;;
	*) die "$T_NAME has no account '$1' (accounts: $MGMT_USERS)" ;;
	esac
}

mgmt_today() {
	echo $(($(date +%s) / 86400))
}

# mgmt_write_accounts: passwd, group, shadow, gshadow of the DUT into $STATE/etc: the
# host's system accounts (locked, their hashes never copied) and the DUT's three users.
mgmt_write_accounts() {
	local e="$STATE/etc" u admins="admin" day uid
	[ "$T_AUTH_POLICY" = none ] && admins="admin,oper" # the operator is an admin too
	# lighttpd (www-data) serves /etc/mgmt/device.conf (0660 root:mgmtadmin) to any login.
	case " $T_SERVICES " in *" lighttpd "*) admins="$admins,www-data" ;; esac
	grep -Ev '^(admin|oper|dltest|mgmtadmin):' /etc/passwd >"$e/passwd"
	cat >>"$e/passwd" <<EOF
admin:x:$ADMIN_UID:$ADMIN_UID:administrator:$STATE/home/admin:/bin/bash
oper:x:$MGMT_OPER_UID:$MGMT_OPER_UID:operator:$STATE/home/oper:/bin/bash
dltest:x:$MGMT_TEST_UID:$MGMT_TEST_UID:dutlab test account:$STATE/home/dltest:/bin/bash
EOF
	grep -Ev '^(admin|oper|dltest|mgmtadmin):' /etc/group >"$e/group"
	cat >>"$e/group" <<EOF
admin:x:$ADMIN_UID:
oper:x:$MGMT_OPER_UID:
dltest:x:$MGMT_TEST_UID:
mgmtadmin:x:$MGMT_ADMIN_GID:$admins
EOF
	cut -d: -f1 "$e/passwd" | grep -Ev '^(admin|oper|dltest)$' | sed 's/$/:*:19000:0:99999:7:::/' >"$e/shadow"
	cut -d: -f1 "$e/group" | sed 's/$/:!::/' >"$e/gshadow"
	sed -i "s/^mgmtadmin:!::\$/mgmtadmin:!::$admins/" "$e/gshadow"
	day=$(mgmt_today)
	for u in $MGMT_USERS; do
		# Locked until mgmt_set_account sets each password and its ageing.
		printf '%s:!:%s:0:99999:7:::\n' "$u" "$day" >>"$e/shadow"
	done
	chmod 0644 "$e/passwd" "$e/group"
	chmod 0640 "$e/shadow" "$e/gshadow"
	chgrp shadow "$e/shadow" "$e/gshadow"
	for u in $MGMT_USERS; do
		mkdir -p "$STATE/home/$u"
		cp /etc/skel/.bashrc /etc/skel/.profile "$STATE/home/$u/" 2>/dev/null || true
		uid=$(mgmt_uid "$u")
		chown -R "$uid:$uid" "$STATE/home/$u"
		chmod 0700 "$STATE/home/$u"
	done
}

mgmt_uid() {
	case $1 in admin) echo "$ADMIN_UID" ;; oper) echo "$MGMT_OPER_UID" ;; dltest) echo "$MGMT_TEST_UID" ;; esac
}

# mgmt_write_pam: the DUT's PAM stacks for sshd, cockpit, login, passwd and chpasswd,
# and their module configurations. strict: pam_faillock (deny=5, unlock_time=15,
# fail_interval=30; admin too, root exempt), pam_pwquality (9 characters, 3 classes,
# neither the user name nor 4 consecutive characters of it; root too), pam_pwhistory
# (the 3 previous passwords: remember=4, as measured below), pam_unix with yescrypt and a 0.5 s failure delay. The auth stack is
# pam_faillock(8)'s `[success=1 default=bad]` form: every refusal, locked or not, is
# PAM_AUTH_ERR (Cockpit: 401); with `sufficient pam_unix` a wrong password ended the
# stack without a module's verdict, which Cockpit answered 403. none: pam_unix alone,
# MD5-crypt, no failure delay.
mgmt_write_pam() {
	local e="$STATE/etc" p="$STATE/etc/pam.d" s
	mkdir -p "$p" "$e/security"
	if [ "$T_AUTH_POLICY" = strict ]; then
		cat >"$p/common-auth" <<EOF
# common-auth of $T_NAME (generated by lab/lab up): lockout after 5 failures in 30 s, for 15 s
auth	optional	pam_faildelay.so delay=500000
auth	required	pam_faillock.so preauth
auth	[success=1 default=bad]	pam_unix.so nodelay
auth	[default=die]	pam_faillock.so authfail
auth	sufficient	pam_faillock.so authsucc
auth	requisite	pam_deny.so
EOF
		cat >"$p/common-account" <<EOF
# common-account of $T_NAME (generated by lab/lab up): ageing (pam_unix), faillock reset on success
account	required	pam_unix.so
account	required	pam_faillock.so
EOF
		# pam_pwhistory remember=3 refused only the 2 most recent previous passwords (the
		# 3rd was accepted: dutlab's auth.password-policy, TS-0014-1 5.4.2.6); 4 keeps the 3
		# that the profiles declare (password_policy.history: 3).
		cat >"$p/common-password" <<EOF
# common-password of $T_NAME (generated by lab/lab up): quality, history, yescrypt
password	requisite	pam_pwquality.so
password	requisite	pam_pwhistory.so remember=4 use_authtok enforce_for_root
password	[success=1 default=ignore]	pam_unix.so use_authtok try_first_pass yescrypt
password	requisite	pam_deny.so
password	required	pam_permit.so
EOF
		cat >"$e/security/faillock.conf" <<EOF
# faillock.conf of $T_NAME (generated by lab/lab up)
dir = $STATE/faillock
deny = 5
fail_interval = 30
unlock_time = 15
EOF
		# pwquality looks for pieces of the user name only from 4 characters on
		# (usersubstr "if greater than 3", badwords and gecoscheck alike): TS-0014-1
		# 5.4.2.5's 3 characters cannot be enforced with Debian's PAM modules.
		cat >"$e/security/pwquality.conf" <<EOF
# pwquality.conf of $T_NAME (generated by lab/lab up)
minlen = 9
minclass = 3
dcredit = 0
ucredit = 0
lcredit = 0
ocredit = 0
usercheck = 1
usersubstr = 4
dictcheck = 1
enforce_for_root
retry = 1
EOF
	else
		cat >"$p/common-auth" <<EOF
# common-auth of $T_NAME (generated by lab/lab up): pam_unix alone
auth	[success=1 default=ignore]	pam_unix.so nullok nodelay
auth	requisite	pam_deny.so
auth	required	pam_permit.so
EOF
		cat >"$p/common-account" <<EOF
# common-account of $T_NAME (generated by lab/lab up)
account	required	pam_unix.so
EOF
		cat >"$p/common-password" <<EOF
# common-password of $T_NAME (generated by lab/lab up): pam_unix alone, MD5-crypt
password	[success=1 default=ignore]	pam_unix.so md5 minlen=1
password	requisite	pam_deny.so
password	required	pam_permit.so
EOF
	fi
	mkdir -p "$STATE/faillock"
	chmod 0755 "$STATE/faillock"
	: >"$e/security/opasswd"
	chmod 0600 "$e/security/opasswd"
	cat >"$p/common-session" <<EOF
# common-session of $T_NAME (generated by lab/lab up)
session	required	pam_unix.so
EOF
	cp "$p/common-session" "$p/common-session-noninteractive"
	for s in sshd login; do
		cat >"$p/$s" <<EOF
# $s of $T_NAME (generated by lab/lab up)
@include common-auth
account	required	pam_nologin.so
@include common-account
@include common-session
@include common-password
EOF
	done
	# cockpit-bridge starts a session dbus-daemon and an ssh-agent of its own unless the
	# session has them; they outlive the session (a login over HTTP alone, which dutlab
	# makes by the thousand, left two processes behind each), so the session says it
	# has both (pointing nowhere).
	mkdir -p "$e/mgmt"
	printf 'DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent\nSSH_AUTH_SOCK=/nonexistent\n' \
		>"$e/mgmt/cockpit-session.env"
	cat >"$p/cockpit" <<EOF
# cockpit of $T_NAME (generated by lab/lab up)
auth	required	pam_listfile.so item=user sense=deny file=/etc/cockpit/disallowed-users onerr=succeed
@include common-auth
account	required	pam_nologin.so
@include common-account
@include common-password
@include common-session
session	required	pam_env.so readenv=1 user_readenv=0 envfile=/etc/mgmt/cockpit-session.env
EOF
	for s in passwd chpasswd; do
		printf '# %s of %s (generated by lab/lab up)\n@include common-password\n' "$s" "$T_NAME" >"$p/$s"
	done
	printf '# other of %s (generated by lab/lab up)\nauth required pam_deny.so\naccount required pam_deny.so\npassword required pam_deny.so\nsession required pam_deny.so\n' \
		"$T_NAME" >"$p/other"
}

# mgmt_write_system: login.defs, /etc/profile (the shell idle timeout), the device's own
# configuration under /etc/mgmt (what the admin role may change and the operator not).
mgmt_write_system() {
	local e="$STATE/etc" method=YESCRYPT
	[ "$T_AUTH_POLICY" = none ] && method=MD5
	sed -e '/^PASS_MAX_DAYS/d' -e '/^PASS_MIN_DAYS/d' -e '/^PASS_WARN_AGE/d' \
		-e '/^ENCRYPT_METHOD/d' /etc/login.defs >"$e/login.defs"
	if [ "$T_AUTH_POLICY" = strict ]; then
		printf 'PASS_MAX_DAYS\t90\nPASS_MIN_DAYS\t1\nPASS_WARN_AGE\t7\n' >>"$e/login.defs"
	else
		printf 'PASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\nPASS_WARN_AGE\t7\n' >>"$e/login.defs"
	fi
	printf 'ENCRYPT_METHOD\t%s\n' "$method" >>"$e/login.defs"
	cp /etc/profile "$e/profile"
	if [ "$T_AUTH_POLICY" = strict ]; then
		cat >>"$e/profile" <<EOF

# $T_NAME: an idle shell logs out after $T_IDLE_TIMEOUT s (lab/lab up)
TMOUT=$T_IDLE_TIMEOUT
readonly TMOUT
export TMOUT
EOF
	fi
	mkdir -p "$e/mgmt"
	mgmt_write_device_conf "$e/mgmt/device.conf"
	cat >"$e/mgmt/secrets.conf" <<EOF
# secrets of $T_VENDOR $T_MODEL $T_SERIAL: readable by the admin role (group mgmtadmin) only
snmp_v3_auth_key=$(openssl rand -hex 16)
backup_encryption_key=$(openssl rand -hex 32)
EOF
	chown "root:$MGMT_ADMIN_GID" "$e/mgmt/secrets.conf"
	chmod 0640 "$e/mgmt/secrets.conf"
	cat >"$e/mgmt/mgmt-ctl" <<'EOF'
#!/bin/sh
# mgmt-ctl: the device's administrative tool; its mode (0750 root:mgmtadmin) keeps it to the admin role.
case ${1:-} in
users) cut -d: -f1,3 /etc/passwd | awk -F: '$2 >= 64100 && $2 < 64200 { print $1 }' ;;
config) cat /etc/mgmt/device.conf ;;
*) echo "usage: mgmt-ctl users|config" >&2; exit 2 ;;
esac
EOF
	chown "root:$MGMT_ADMIN_GID" "$e/mgmt/mgmt-ctl"
	chmod 0750 "$e/mgmt/mgmt-ctl"
	chmod 0755 "$e/mgmt"
}

# mgmt_write_device_conf FILE: the device's configuration as shipped (a factory reset
# writes it again).
mgmt_write_device_conf() {
	local f=$1
	cat >"$f" <<EOF
# device configuration of $T_VENDOR $T_MODEL (serial $T_SERIAL, firmware $T_FIRMWARE)
hostname=$T_HOSTNAME
ipv4=$T_ADDR4
ipv6=$T_ADDR6
ntp_server=198.18.0.123
syslog_server=198.18.0.514
EOF
	chown "root:$MGMT_ADMIN_GID" "$f"
	chmod 0660 "$f"
}

# mgmt_current_password USER: the password lab/lab last set for USER, which mgmt-bad's
# web servers keep in clear (a DUT without them has no $STATE/passwords).
mgmt_current_password() {
	local f="$STATE/passwords/$1"
	if [ -f "$f" ]; then cat "$f"; else mgmt_password_of "$1"; fi
}

# mgmt_mntns: the DUT's persistent mount namespace with /etc overlaid by $STATE/etc.
mgmt_mntns() {
	mkdir -p "$STATE/.etc-work" "$STATE/var"
	: >"$STATE/var/utmp"
	mount --bind "$STATE" "$STATE" || die "$T_NAME: cannot bind-mount $STATE"
	mount --make-private "$STATE" || die "$T_NAME: cannot make $STATE a private mount"
	: >"$STATE/mntns"
	: >"$STATE/utsns"
	# shellcheck disable=SC2016
	unshare --mount="$STATE/mntns" --uts="$STATE/utsns" --propagation private /bin/sh -ec '
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/etc,workdir=$1/.etc-work" /etc
		mount -t tmpfs -o mode=0755 tmpfs /var/log
		for f in wtmp btmp lastlog faillog; do : >"/var/log/$f"; done
		chgrp utmp /var/log/wtmp /var/log/btmp /var/log/lastlog
		chmod 0664 /var/log/wtmp /var/log/lastlog
		chmod 0660 /var/log/btmp
		mount -t tmpfs -o mode=1777 tmpfs /tmp
		[ -e /run/utmp ] && mount --bind "$1/var/utmp" /run/utmp
		mkdir -p /run/sshd /run/cockpit
		mount -t tmpfs -o mode=0755 tmpfs /run/sshd
		mount -t tmpfs -o mode=0755 tmpfs /run/cockpit
		hostname "$2"
	' sh "$STATE" "$T_HOSTNAME" >>"$STATE/log/mgmtos.log" 2>&1 ||
		die "$T_NAME: cannot make the DUT's mount namespace (see $STATE/log/mgmtos.log)"
}

# mgmt_set_account USER PASSWORD [forced]: set USER's password (no policy: this is the
# lab, not the DUT's own password change) and its ageing. strict: minimum 1 day, maximum
# 90, warning 7, and the last change two days ago (old enough to change once, far from
# expiry); `forced` sets the last change to 0 instead, so the next login must change
# it. none: no ageing at all. Either way the account's failure records and its history
# of old passwords are cleared. Runs in the DUT's mount namespace.
mgmt_set_account() {
	local user=$1 password=$2 forced=${3:-} hash day
	hash=$(mgmt_hash "$password") || die "$T_NAME: cannot hash a password"
	mgmt_in_ns usermod -p "$hash" "$user" || die "$T_NAME: usermod -p $user failed"
	if [ "$T_AUTH_POLICY" = strict ]; then
		day=$(($(mgmt_today) - 2))
		[ "$forced" = forced ] && day=0
		mgmt_in_ns chage -m 1 -M 90 -W 7 -I -1 -E -1 -d "$day" "$user" ||
			die "$T_NAME: chage $user failed"
	else
		mgmt_in_ns chage -m 0 -M 99999 -W 7 -I -1 -E -1 -d "$(mgmt_today)" "$user" ||
			die "$T_NAME: chage $user failed"
	fi
	mgmt_unlock_user "$user"
	mgmt_in_ns sed -i "/^$user:/d" /etc/security/opasswd
	# mgmt-bad's web servers keep every password in clear (mgmt_in_ns_write_web_users).
	case " $T_SERVICES " in *" lighttpd "* | *" weblogin "*) ;; *) return 0 ;; esac
	mkdir -p "$STATE/passwords"
	chmod 0700 "$STATE/passwords"
	printf '%s' "$password" >"$STATE/passwords/$user"
}

# mgmt_unlock_user USER: clear USER's pam_faillock records.
mgmt_unlock_user() {
	[ "$T_AUTH_POLICY" = strict ] || return 0
	mgmt_in_ns faillock --dir "$STATE/faillock" --user "$1" --reset ||
		die "$T_NAME: faillock --reset for $1 failed"
}

# mgmt_accounts_factory: every account as the factory ships it: admin with the
# factory password (strict: to be changed at the first login), oper and dltest with the
# topology's passwords.
mgmt_accounts_factory() {
	local u
	if [ "$T_AUTH_POLICY" = strict ]; then
		mgmt_set_account admin "$T_FACTORY_PASSWORD" forced
	else
		mgmt_set_account admin "$T_FACTORY_PASSWORD"
	fi
	for u in oper dltest; do
		mgmt_set_account "$u" "$(mgmt_password_of "$u")"
	done
}

# svc_mgmtos: the DUT's accounts, PAM and namespaces, and a keeper process in them.
# After `up` the admin has its password in service (admin_password), as a unit in the
# field whose first-login change was made; `lab reset` puts the factory default back.
svc_mgmtos() {
	local u
	if [ -z "$T_OPERATOR_PASSWORD" ] || [ -z "$T_TEST_PASSWORD" ] || [ -z "$T_FACTORY_PASSWORD" ]; then
		die "$T_NAME: a mgmt DUT needs factory_password, operator_password and test_password in its topology"
	fi
	for u in $MGMT_OPER_UID $MGMT_TEST_UID; do
		getent passwd "$u" >/dev/null && die "uid $u is taken on this machine; the mgmt DUTs need it"
	done
	getent group "$MGMT_ADMIN_GID" >/dev/null && die "gid $MGMT_ADMIN_GID is taken on this machine; the mgmt DUTs need it"
	: >>"$STATE/log/mgmtos.log"
	mgmt_write_accounts
	mgmt_write_pam
	mgmt_write_system
	mkdir -p "$STATE/conf"
	mgmt_mntns
	# The keeper: a process in the DUT's namespaces, for whoever cannot see their files.
	mgmt_spawn mgmtos sleep infinity
	for u in $MGMT_USERS; do
		mgmt_set_account "$u" "$(mgmt_password_of "$u")"
	done
	mgmt_in_ns_write_web_users
}

# mgmt_in_ns_write_web_users: mgmt-bad's plain-text credential files (lighttpd's
# mod_authn_file `plain` backend, the fixture's JSON) from the passwords lab/lab set,
# written through the DUT's /etc (an overlay's upper layer is not to be changed behind
# its back).
mgmt_in_ns_write_web_users() {
	case " $T_SERVICES " in *" lighttpd "* | *" weblogin "*) ;; *) return 0 ;; esac
	local tmp u
	tmp=$(mktemp -d "$STATE/.web-users.XXXXXX")
	for u in $MGMT_USERS; do
		printf '%s:%s\n' "$u" "$(mgmt_current_password "$u")"
	done >"$tmp/web-users.txt"
	"$PYTHON" - "$tmp/web-users.txt" "$tmp/weblogin-users.json" <<'PYEOF'
import json, sys
users = {}
for line in open(sys.argv[1], encoding="utf-8"):
    name, _, password = line.rstrip("\n").partition(":")
    role = {"admin": "admin", "oper": "operator"}.get(name, "user")
    users[name] = {"password": password, "role": role}
json.dump(users, open(sys.argv[2], "w", encoding="utf-8"), indent=1)
PYEOF
	mgmt_in_ns install -o root -g www-data -m 0640 "$tmp/web-users.txt" /etc/mgmt/web-users.txt
	mgmt_in_ns install -o nobody -g nogroup -m 0600 "$tmp/weblogin-users.json" \
		/etc/mgmt/weblogin-users.json
	rm -rf "$tmp"
}

status_mgmtos() {
	local pid
	pid=$(cat "$STATE/pids/mgmtos.pid" 2>/dev/null || echo -)
	if mgmt_mounted "$STATE/mntns" && svc_alive mgmtos; then
		echo "  mgmtos: mount namespace $STATE/mntns (/etc overlaid by $STATE/etc), keeper pid $pid"
	else
		echo "  mgmtos: NOT complete: mount namespace $STATE/mntns, keeper pid $pid"
		return 1
	fi
}

# reset_mgmtos: the factory reset (lab reset): accounts back to the factory's (admin's
# default from the label, to be changed at the first login on the strict DUT), failure
# records and password history cleared, the device configuration as shipped.
reset_mgmtos() {
	mgmt_need_up
	mgmt_accounts_factory
	mgmt_in_ns sh -c ': >/etc/security/opasswd'
	local tmp
	tmp=$(mktemp -d "$STATE/.reset.XXXXXX") # not /tmp: the DUT has its own
	mgmt_write_device_conf "$tmp/device.conf"
	mgmt_in_ns install -o root -g "$MGMT_ADMIN_GID" -m 0660 "$tmp/device.conf" /etc/mgmt/device.conf
	rm -rf "$tmp"
	mgmt_in_ns_write_web_users
}

# svc_mgmtssh: OpenSSH on 22 with PAM (a forced change is a keyboard-interactive
# conversation). strict: keyboard-interactive only, idle sessions end after idle_timeout
# (ChannelTimeout, and the shells' TMOUT); none: password and keyboard-interactive.
svc_mgmtssh() {
	local d="$STATE/mgmtssh" out idle="" password=yes tries=6
	ssh_host_keys "$d"
	if [ "$T_AUTH_POLICY" = strict ]; then
		idle="ChannelTimeout session:*=${T_IDLE_TIMEOUT}s
UnusedConnectionTimeout ${T_IDLE_TIMEOUT}s"
		# Keyboard-interactive only: an expired password is then always changed in the
		# authentication conversation (with "password" sshd lets the login in and runs
		# passwd in the session, which needs a terminal). Up to 10 tries a connection:
		# when sshd ends a connection at MaxAuthTries, hydra reconnects only after its
		# -w (32 s by default), when this 15 s lock is over, and then rightly finds the
		# password; with 10, hydra's threshold-wrong-then-right list ends on one
		# connection, refused. The lock counts tries, not connections.
		password=no
		tries=10
	fi
	mkdir -p "$STATE/conf"
	cat >"$STATE/conf/sshd_config" <<EOF
# sshd_config for $T_NAME (generated by lab/lab up)
Port 22
ListenAddress $T_ADDR4
ListenAddress $T_ADDR6
HostKey $d/ssh_host_ed25519_key
HostKey $d/ssh_host_ecdsa_key
PidFile $d/sshd.pid
PermitRootLogin no
AllowUsers $MGMT_USERS
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication $password
PubkeyAuthentication no
MaxAuthTries $tries
MaxStartups 40:30:100
LoginGraceTime 30
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
PrintMotd no
PrintLastLog no
UseDNS no
$idle
EOF
	out=$(mgmt_in_ns /usr/sbin/sshd -t -f "$STATE/conf/sshd_config" 2>&1) ||
		die "$T_NAME: sshd rejects $STATE/conf/sshd_config: $out"
	mgmt_spawn mgmtssh /usr/sbin/sshd -D -e -f "$STATE/conf/sshd_config"
	expect mgmtssh tcp 22
}

# svc_cockpit: Cockpit's web service (cockpit-ws, HTTPS on 9090 of every address of the
# DUT) without systemd: run as root in the DUT's namespaces, it starts cockpit-session,
# which authenticates through /etc/pam.d/cockpit, then cockpit-bridge as the user. Its
# certificate: a fresh self-signed P-256 one in /etc/cockpit/ws-certs.d.
svc_cockpit() {
	local c="$STATE/cockpit" san
	san="subjectAltName=DNS:$T_HOSTNAME,IP:$T_ADDR4,IP:$T_ADDR6"
	mkdir -p "$c"
	(
		umask 077
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
			-subj "/O=$T_VENDOR/CN=$T_HOSTNAME" -addext "$san" \
			-keyout "$c/50-dutlab.key" -out "$c/cert.pem" 2>>"$STATE/log/openssl.log"
	) || die "$T_NAME: cannot make Cockpit's certificate (see $STATE/log/openssl.log)"
	chmod 0644 "$c/cert.pem"
	# The overlay is mounted already: everything goes in through the DUT's /etc.
	mgmt_in_ns install -d -m 0755 /etc/cockpit/ws-certs.d
	mgmt_in_ns install -m 0644 "$c/cert.pem" /etc/cockpit/ws-certs.d/50-dutlab.cert
	mgmt_in_ns install -m 0600 "$c/50-dutlab.key" /etc/cockpit/ws-certs.d/50-dutlab.key
	rm -f "$c/50-dutlab.key"
	mgmt_in_ns sh -c 'printf "root\n" >/etc/cockpit/disallowed-users'
	mgmt_in_ns sh -c "cat >/etc/cockpit/cockpit.conf" <<EOF
# cockpit.conf of $T_NAME (generated by lab/lab up)
[WebService]
LoginTitle = $T_VENDOR $T_MODEL
AllowUnencrypted = false
[Session]
IdleTimeout = 1
EOF
	# cockpit-ws speaks TLS through glib-networking's GnuTLS backend, which reads its
	# priority string from G_TLS_GNUTLS_PRIORITY: strict refuses TLS 1.0 and 1.1 (NCC
	# 5.3.3.1, TS-0014-1 annex A); none keeps GnuTLS's defaults.
	local priority=NORMAL
	[ "$T_AUTH_POLICY" = strict ] && priority="NORMAL:-VERS-TLS1.0:-VERS-TLS1.1"
	mgmt_spawn cockpit env G_TLS_GNUTLS_PRIORITY="$priority" \
		/usr/lib/cockpit/cockpit-ws --port 9090
	expect cockpit tcp 9090
}

# svc_mgmttelnet: busybox telnetd on 23 running shadow's /bin/login, which logs in
# through /etc/pam.d/login (mgmt-bad: pam_unix alone, passwords in clear on the wire).
svc_mgmttelnet() {
	mgmt_in_ns sh -c "printf '\r\n%s %s firmware %s\r\n' '$T_VENDOR' '$T_MODEL' '$T_FIRMWARE' >/etc/issue.net"
	mgmt_spawn mgmttelnet busybox telnetd -F -p 23 -l /bin/login
	expect mgmttelnet tcp 23
}

# svc_lighttpd: lighttpd on 80 (plain HTTP) whose whole site sits behind HTTP Basic
# auth with mod_authn_file's `plain` backend: /etc/mgmt/web-users.txt holds every
# account's password in clear (what export-config exports, too).
svc_lighttpd() {
	local d="$STATE/lighttpd" out
	mkdir -p "$d/www"
	cat >"$d/www/index.html" <<EOF
<!DOCTYPE html>
<html><head><title>$T_VENDOR $T_MODEL</title></head>
<body><h1>$T_VENDOR $T_MODEL</h1><p>Firmware $T_FIRMWARE, serial $T_SERIAL.</p>
<p><a href="/device.conf">Device configuration</a></p></body></html>
EOF
	chmod -R a+rX "$d"
	cat >"$STATE/conf/lighttpd.conf" <<EOF
# lighttpd.conf for $T_NAME (generated by lab/lab up)
server.modules = ("mod_auth", "mod_authn_file", "mod_alias")
server.document-root = "$d/www"
server.bind = "$T_ADDR4"
server.port = 80
\$SERVER["socket"] == "[$T_ADDR6]:80" { }
server.username = "www-data"
server.groupname = "www-data"
server.pid-file = "$d/lighttpd.pid"
server.tag = "lighttpd"
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html", ".conf" => "text/plain")
alias.url = ("/device.conf" => "/etc/mgmt/device.conf")
auth.backend = "plain"
auth.backend.plain.userfile = "/etc/mgmt/web-users.txt"
auth.require = ("/" => ("method" => "basic", "realm" => "$T_MODEL", "require" => "valid-user"))
EOF
	# device.conf is 0660 root:mgmtadmin; lighttpd (www-data) reads it through the group.
	mgmt_in_ns sh -c "grep -q '^mgmtadmin:.*www-data' /etc/group || sed -i 's/^mgmtadmin:\(.*\)\$/mgmtadmin:\1,www-data/' /etc/group"
	out=$(mgmt_in_ns lighttpd -tt -f "$STATE/conf/lighttpd.conf" 2>&1) ||
		die "$T_NAME: lighttpd rejects $STATE/conf/lighttpd.conf: $out"
	mgmt_spawn lighttpd lighttpd -D -f "$STATE/conf/lighttpd.conf"
	expect lighttpd tcp 80
}

# svc_weblogin: the lab's fixture web login (lab/bin/fixture-weblogin.py) on 8080, as
# nobody: the weaknesses no packaged software shows (see the script).
svc_weblogin() {
	local d="$STATE/weblogin"
	mkdir -p "$d"
	install -m 0755 "$LAB_DIR/bin/fixture-weblogin.py" "$STATE/bin/"
	printf '# device configuration (fixture copy)\nhostname=%s\n' "$T_HOSTNAME" >"$d/config.txt"
	chown -R nobody:nogroup "$d"
	mgmt_spawn weblogin setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$PYTHON" "$STATE/bin/fixture-weblogin.py" --port 8080 \
		--users /etc/mgmt/weblogin-users.json --config "$d/config.txt" \
		--title "$T_VENDOR $T_MODEL"
	expect weblogin tcp 8080
}

# cmd_export_config [OUTFILE]: the DUT's configuration export (what an admin downloads as
# a backup): the account database, the device configuration and the web servers'
# credential files, as text, to OUTFILE or standard output.
cmd_export_config() {
	local out=${1:--}
	[ $# -le 1 ] || usage
	lab_lock
	mgmt_need_up
	if [ "$out" = - ]; then
		mgmt_export
	else
		mgmt_export >"$out" || die "cannot write $out"
	fi
}

mgmt_export() {
	# shellcheck disable=SC2016
	mgmt_in_ns /bin/sh -c '
		echo "# configuration export of $1 ($2), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		for f in /etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/mgmt/device.conf \
			/etc/mgmt/web-users.txt /etc/mgmt/weblogin-users.json; do
			[ -f "$f" ] || continue
			echo "### $f"
			if [ "$f" = /etc/passwd ] || [ "$f" = /etc/group ]; then
				grep -E "^(admin|oper|dltest|mgmtadmin):" "$f"
			elif [ "$f" = /etc/shadow ] || [ "$f" = /etc/gshadow ]; then
				grep -E "^(admin|oper|dltest|mgmtadmin):" "$f"
			else
				cat "$f"
			fi
		done' sh "$T_NAME" "$T_VENDOR $T_MODEL, firmware $T_FIRMWARE, serial $T_SERIAL"
}

# cmd_set_password USER PASSWORD: what the profile's restore_password runs: USER's
# password set by the lab, bypassing the DUT's policy (quality, history, minimum age),
# left neither too young to change nor expired, its failure records cleared.
cmd_set_password() {
	[ $# -eq 2 ] || usage
	lab_lock
	mgmt_need_up
	mgmt_password_of "$1" >/dev/null
	mgmt_set_account "$1" "$2"
	mgmt_in_ns_write_web_users
	say "$T_NAME: password of $1 set; failures cleared"
}

# cmd_unlock USER: clear USER's failure records (faillock --reset).
cmd_unlock() {
	[ $# -eq 1 ] || usage
	lab_lock
	mgmt_need_up
	mgmt_password_of "$1" >/dev/null
	mgmt_unlock_user "$1"
	say "$T_NAME: $1 unlocked"
}

# cmd_set_idle_timeout SECONDS: what the profile's set_idle_timeout runs (TS-0014-1 5.4.3.2
# wants the limit settable): sshd's ChannelTimeout and UnusedConnectionTimeout and the
# shells' TMOUT set to SECONDS, sshd reloaded (SIGHUP: it re-executes with the new file;
# open connections keep the old limit). Cockpit's own limit (IdleTimeout, in minutes) is
# not changed: cockpit-ws ends a session no browser joined after 15 s by itself. strict
# only: the lax DUT has no idle timeout to set, as its vendor's manual would say.
cmd_set_idle_timeout() {
	[ $# -eq 1 ] || usage
	local seconds=$1 pid
	case $seconds in '' | *[!0-9]*) die "set-idle-timeout: '$seconds' is not a number of seconds" ;; esac
	[ "$seconds" -ge 5 ] && [ "$seconds" -le 86400 ] ||
		die "set-idle-timeout: $seconds s is outside 5..86400"
	lab_lock
	mgmt_need_up
	[ "$T_AUTH_POLICY" = strict ] || die "$T_NAME has no idle timeout to set"
	sed -i -e "s/^ChannelTimeout .*/ChannelTimeout session:*=${seconds}s/" \
		-e "s/^UnusedConnectionTimeout .*/UnusedConnectionTimeout ${seconds}s/" \
		"$STATE/conf/sshd_config"
	mgmt_in_ns sed -i "s/^TMOUT=.*/TMOUT=$seconds/" /etc/profile ||
		die "$T_NAME: cannot set TMOUT in /etc/profile"
	pid=$(cat "$STATE/pids/mgmtssh.pid" 2>/dev/null) || die "$T_NAME: sshd is not running"
	kill -HUP "$pid" || die "$T_NAME: cannot reload sshd ($pid)"
	# sshd re-executes and listens again: wait for the port, bounded.
	for _ in $(seq 1 50); do
		sleep 0.1
		mgmt_in_ns bash -c "exec 3<>/dev/tcp/$T_ADDR4/22" 2>/dev/null && break
	done
	say "$T_NAME: idle timeout ${seconds} s (sshd, shells)"
}

# cmd_age_password USER age|warn|expire: move USER's last password change back: `age`
# past the minimum age (2 days), `warn` into the expiry warning (maximum - warning + 1
# days: it expires in warning - 1 days), `expire` past the maximum (maximum + 1 days);
# never more than 366 days. What the profile's age_password, warn_password and
# expire_password run.
cmd_age_password() {
	[ $# -eq 2 ] || usage
	local user=$1 how=$2 max warn back
	lab_lock
	mgmt_need_up
	mgmt_password_of "$user" >/dev/null
	IFS=: read -r _ _ _ _ max warn _ <<<"$(mgmt_in_ns getent shadow "$user")"
	case $how in
	age) back=2 ;;
	warn) back=$((max - warn + 1)) ;;
	expire) back=$((max + 1)) ;;
	*) die "age-password: expected age, warn or expire, got '$how'" ;;
	esac
	# An account that never expires (mgmt-bad: maximum 99999): a year back is plenty to
	# show that nothing happens.
	[ "$back" -le 366 ] || back=366
	mgmt_in_ns chage -d "$(($(mgmt_today) - back))" "$user" || die "$T_NAME: chage $user failed"
	say "$T_NAME: last password change of $user set $back days back (maximum $max, warning $warn)"
}
