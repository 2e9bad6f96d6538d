#!/bin/bash
# mgmt-dut: the management-plane DUTs behave as designed: mgmt-good locks, refuses weak passwords, ends idle sessions, keeps roles apart; mgmt-bad does none of it; the host's /etc never changes.
#
# Tests the lab itself (what dutlab's auth and session checks are proven on), from the
# tester namespace with OpenSSH's client (driven through a pty by mgmt-login.py), curl,
# telnet and hydra, not with dutlab. Prints TAP-like ok / not ok lines; exit 1 on a
# failure. Both DUTs end as they were found (up again, rebuilt fresh, or down). Takes
# about 90 s, most of it the 15 s lock and the 20 s idle timeout, waited for in parallel.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$root" || exit 1
lab_work mgmt-dut
was_up=""
GOOD=198.18.7.2
BAD=198.18.8.2
LOGIN=(ip netns exec dl-tester /usr/bin/python3 "$root/tests/lab/auth/mgmt-login.py")

cleanup() {
	local dut
	for dut in mgmt-good mgmt-bad; do
		case " $was_up " in
		*" $dut "*) [ -e "/run/netns/dl-$dut" ] || "$lab" up "$dut" >/dev/null 2>&1 ||
			echo "# could not bring $dut up again" ;;
		*) "$lab" down "$dut" >/dev/null 2>&1 ;;
		esac
	done
}

need_root mgmt-dut.sh
need_command mgmt-dut.sh hydra
need_command mgmt-dut.sh curl

# topo DUT KEY: a value of the DUT's topology file.
topo() {
	sed -n "s/^$2=//p" "$root/lab/duts/mgmt/${1#mgmt-}/topology"
}
good_admin=$(topo mgmt-good admin_password)
good_factory=$(topo mgmt-good factory_password)
good_oper=$(topo mgmt-good operator_password)
good_test=$(topo mgmt-good test_password)
bad_oper=$(topo mgmt-bad operator_password)
bad_test=$(topo mgmt-bad test_password)

# The host files the DUTs must never change.
host_etc() {
	find /etc/passwd /etc/shadow /etc/group /etc/gshadow /etc/login.defs /etc/profile \
		/etc/pam.d /etc/security /etc/cockpit /etc/issue.net -type f 2>/dev/null | sort |
		xargs sha256sum
}
host_etc >"$work/etc-before"

# login MODE HOST USER A B: mgmt-login.py's exit status, its transcript in $work/login.log.
login() {
	"${LOGIN[@]}" "$@" >"$work/login.log" 2>&1
}

# check WHAT EXPECTED ACTUAL [LOG]: ok when ACTUAL = EXPECTED.
check() {
	if [ "$3" = "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "expected $2, got $3" "$(tail -4 "${4:-$work/login.log}" 2>/dev/null | tr -d '\r')"
	fi
}

# timed_up DUT: lab up DUT from down, in under 10 s.
timed_up() {
	local t0 ms
	t0=$(date +%s%N)
	lab_up "$1" "$work/up-$1.log"
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ "$ms" -lt 10000 ]; then ok "$1 up in $ms ms (under 10 s)"; else not_ok "$1 up in under 10 s" "$ms ms"; fi
}

# A DUT someone else has up is tested as it is (rebuilding it would cut their sessions),
# its accounts first put back as the topology has them; one that is down is built.
for dut in mgmt-good mgmt-bad; do
	if [ -e "/run/netns/dl-$dut" ]; then
		was_up="$was_up $dut"
		echo "# $dut was up: tested as it is; its accounts set back first"
		for user in admin oper dltest; do
			case $user in admin) pw=$(topo "$dut" admin_password) ;; oper) pw=$(topo "$dut" operator_password) ;;
			dltest) pw=$(topo "$dut" test_password) ;; esac
			"$lab" set-password "$dut" "$user" "$pw" >/dev/null 2>&1 || not_ok "lab set-password $dut $user"
		done
	else
		timed_up "$dut"
	fi
done

# ---------------------------------------------------------------- mgmt-good
login ssh $GOOD dltest "$good_test" true
check "mgmt-good: ssh login of dltest with its password" 0 $?

# Cockpit: Basic login -> 200 and a cookie; the cookie alone passes /cockpit/login.
curl_good() { ip netns exec dl-tester curl -sk --max-time 10 "$@"; }
code=$(curl_good -D "$work/ck.h" -o "$work/ck.b" -w '%{http_code}' -u "dltest:$good_test" \
	"https://$GOOD:9090/cockpit/login")
cookie=$(sed -n 's/^Set-Cookie: cockpit=\([^;]*\);.*/\1/p' "$work/ck.h" | tr -d '\r')
if [ "$code" = 200 ] && [ -n "$cookie" ] && grep -q csrf-token "$work/ck.b"; then
	ok "mgmt-good: Cockpit GET /cockpit/login with Basic auth: 200, Set-Cookie cockpit=..."
else
	not_ok "mgmt-good: Cockpit login" "status $code, cookie '${cookie:0:20}'"
fi
# Cockpit drops a session whose websocket never connects: poll the cookie (in the
# background, while the tests below run) until it is refused.
(
	t0=$(date +%s%N)
	while :; do
		code=$(curl_good -o /dev/null -w '%{http_code}' -H "Cookie: cockpit=$cookie" "https://$GOOD:9090/cockpit/login")
		gone=$((($(date +%s%N) - t0) / 1000000))
		if [ "$code" != 200 ] || [ "$gone" -ge 40000 ]; then break; fi
		sleep 0.5
	done
	echo "$code $gone" >"$work/cockpit-idle"
) &
cockpit_idle=$!
code=$(curl_good -o /dev/null -w '%{http_code}' -u "dltest:wrong-$RANDOM" "https://$GOOD:9090/cockpit/login")
case $code in 401 | 403) ok "mgmt-good: Cockpit refuses a wrong password ($code)" ;;
*) not_ok "mgmt-good: Cockpit refuses a wrong password" "status $code" ;; esac
lab_unlock() { "$lab" unlock "$@" >/dev/null 2>&1; }
lab_unlock mgmt-good dltest

# Roles: admin (group mgmtadmin) reads the secrets, writes the device configuration, runs
# mgmt-ctl; the operator may do none of it.
login ssh $GOOD admin "$good_admin" 'cat /etc/mgmt/secrets.conf && printf "" >>/etc/mgmt/device.conf && /etc/mgmt/mgmt-ctl users'
check "mgmt-good: admin reads secrets.conf, writes device.conf, runs mgmt-ctl" 0 $?
for action in 'cat /etc/mgmt/secrets.conf' 'printf "" >>/etc/mgmt/device.conf' '/etc/mgmt/mgmt-ctl users'; do
	login ssh $GOOD oper "$good_oper" "$action"
	check "mgmt-good: the operator is refused: $action" 5 $?
done

# Password quality: refused by passwd (pam_pwquality). On oper, not dltest: the checks
# that run against a shared mgmt-good lock and change dltest, which would race these.
for weak in Abcd1234 abcdefghijk 'Xy7#oper99' 'Zq9!Oper-Wk2'; do
	login passwd $GOOD oper "$good_oper" "$weak"
	st=$?
	check "mgmt-good: passwd refuses '$weak' ($(grep -o 'BAD PASSWORD: [^.]*' "$work/login.log" | head -1 | tr -d '\r'))" 1 $st
done
# A good one is taken; changing back at once is refused (minimum age 1 day), and after
# the minimum age too (history of 3); the lab puts the password back.
new="Qz8%wKp2mR-$RANDOM"
login passwd $GOOD oper "$good_oper" "$new"
check "mgmt-good: passwd accepts a strong new password" 0 $?
login passwd $GOOD oper "$new" "$good_oper"
st=$?
if [ $st = 1 ] && grep -q 'must wait longer' "$work/login.log"; then
	ok "mgmt-good: a second change the same day is refused (minimum age: 'You must wait longer')"
else
	not_ok "mgmt-good: a second change the same day is refused" "status $st" "$(tail -3 "$work/login.log")"
fi
"$lab" age-password mgmt-good oper age >"$work/age.log" 2>&1
login passwd $GOOD oper "$new" "$good_oper"
st=$?
if [ $st = 1 ] && grep -q 'been already used' "$work/login.log"; then
	ok "mgmt-good: after the minimum age, the previous password is refused (pwhistory)"
else
	not_ok "mgmt-good: the previous password is refused (pwhistory)" "status $st" "$(tail -3 "$work/login.log")"
fi
"$lab" set-password mgmt-good oper "$good_oper" >"$work/setpw.log" 2>&1
login ssh $GOOD oper "$good_oper" true
check "mgmt-good: lab set-password (restore_password) puts oper's password back" 0 $?

# Idle timeout: an SSH shell left alone ends (TMOUT, ChannelTimeout); on mgmt-bad it
# does not. Both run in the background while the lockout below waits.
("${LOGIN[@]}" idle $GOOD oper "$good_oper" 30 >"$work/idle-good.log" 2>&1; echo $? >"$work/idle-good.rc") &
idle_good=$!
("${LOGIN[@]}" idle $BAD oper "$bad_oper" 30 >"$work/idle-bad.log" 2>&1; echo $? >"$work/idle-bad.rc") &
idle_bad=$!

# Lockout: five wrong passwords, one connection each (as the lockout check tries), then
# the right one is refused, over ssh, over Cockpit, and for hydra.
for i in 1 2 3 4 5; do
	login ssh $GOOD dltest "wrong-$i-$RANDOM" true
done
lock_t0=$(date +%s)
fails=$(faillock --dir /run/dutlab-lab/mgmt-good/faillock --user dltest | grep -c RHOST)
check "mgmt-good: faillock holds 5 failures of dltest" 5 "$fails"
login ssh $GOOD dltest "$good_test" true
st=$?
if [ $st = 1 ] && grep -q 'locked due to 5 failed logins' "$work/login.log"; then
	ok "mgmt-good: the 6th attempt, with the right password, is refused ('The account is locked due to 5 failed logins')"
else
	not_ok "mgmt-good: the right password is refused while locked" "status $st" "$(tail -3 "$work/login.log")"
fi
printf '%s\n' "$good_test" >"$work/list"
ip netns exec dl-tester hydra -w 5 -l dltest -P "$work/list" -t 1 -I -o "$work/hydra-good.out" \
	"ssh://$GOOD" >"$work/hydra-good.log" 2>&1
if grep -q '0 valid password' "$work/hydra-good.log"; then
	ok "mgmt-good: while locked, hydra does not find dltest's right password valid"
else
	not_ok "mgmt-good: hydra is refused while locked" "$(tail -3 "$work/hydra-good.log")"
fi
code=$(curl_good -o /dev/null -w '%{http_code}' -u "dltest:$good_test" "https://$GOOD:9090/cockpit/login")
case $code in 401 | 403) ok "mgmt-good: Cockpit refuses dltest while locked ($code)" ;;
*) not_ok "mgmt-good: Cockpit refuses dltest while locked" "status $code" ;; esac

wait "$cockpit_idle"
read -r code gone <"$work/cockpit-idle"
if [ "$code" = 401 ] && [ "$gone" -le 25000 ]; then
	ok "mgmt-good: the Cockpit cookie is refused (401) $gone ms after login with no websocket"
else
	not_ok "mgmt-good: the Cockpit session ends when idle" "status $code after $gone ms"
fi

# Nothing of those sessions is left behind (cockpit-bridge's own dbus-daemon and
# ssh-agent outlived every session before the PAM environment gave it both).
inode=$(stat -L -c 'net:[%i]' /run/netns/dl-mgmt-good)
left=0
for p in $(pgrep -x 'ssh-agent|dbus-daemon'); do
	[ "$(readlink "/proc/$p/ns/net")" = "$inode" ] && left=$((left + 1))
done
check "mgmt-good: no ssh-agent or dbus-daemon left in the DUT after the Cockpit sessions" 0 "$left"

# The lock lasts unlock_time=15 s from the fifth failure.
left=$((lock_t0 + 16 - $(date +%s)))
[ "$left" -gt 0 ] && sleep "$left"
login ssh $GOOD dltest "$good_test" true
check "mgmt-good: the right password is accepted again $(($(date +%s) - lock_t0)) s after the lock" 0 $?

# Factory reset: the admin's default (the label's) must be changed at the first login.
"$lab" reset mgmt-good >"$work/reset-good.log" 2>&1
code=$(curl_good -D "$work/ck.h" -o "$work/ck.b" -w '%{http_code}' -u "admin:$good_factory" \
	"https://$GOOD:9090/cockpit/login")
if [ "$code" = 401 ] && grep -q '^WWW-Authenticate: X-Conversation ' "$work/ck.h" &&
	grep -q 'required to change your password' "$work/ck.b"; then
	ok "mgmt-good: after reset, Cockpit answers the default with 401 X-Conversation (forced change)"
else
	not_ok "mgmt-good: after reset, Cockpit forces the change" "status $code" "$(head -c 200 "$work/ck.b")"
fi
login ssh $GOOD admin "$good_factory" true
check "mgmt-good: after reset, ssh with the default asks for a password change" 3 $?
login change $GOOD admin "$good_factory" "$good_admin"
check "mgmt-good: the forced change over ssh (keyboard-interactive) to the admin's password" 0 $?
login ssh $GOOD dltest "$good_test" true
check "mgmt-good: after reset dltest has its password" 0 $?

# As dutlab runs it: from inside the tester namespace (another mount namespace, where the
# DUT's namespace files are not mounts).
in_tester "$lab" export-config mgmt-good >"$work/export-good.txt" 2>"$work/export-good.err"
if grep -q '^admin:[$]y[$]' "$work/export-good.txt" && ! grep -qF "$good_test" "$work/export-good.txt" &&
	! grep -qF "$good_admin" "$work/export-good.txt"; then
	ok "mgmt-good: export-config (run in dl-tester, as dutlab does) holds yescrypt hashes, no password in clear"
else
	not_ok "mgmt-good: export-config" "$(grep -E '^(admin|dltest):' "$work/export-good.txt")"
fi

# ---------------------------------------------------------------- mgmt-bad
login ssh $BAD admin admin true
check "mgmt-bad: ssh admin/admin" 0 $?
login telnet $BAD admin admin id
check "mgmt-bad: telnet admin/admin" 0 $?
code=$(curl_good -o /dev/null -w '%{http_code}' -u admin:admin "https://$BAD:9090/cockpit/login")
check "mgmt-bad: Cockpit admin/admin" 200 "$code"
code=$(curl_good -o /dev/null -w '%{http_code}' -u admin:admin "http://$BAD/")
check "mgmt-bad: lighttpd (HTTP Basic, plain backend) admin/admin" 200 "$code"
code=$(curl_good -o /dev/null -w '%{http_code}' "http://$BAD/")
check "mgmt-bad: lighttpd without credentials" 401 "$code"

printf 'wrong-%s\n' 1 2 3 4 5 6 7 8 9 10 >"$work/list"
echo "$bad_test" >>"$work/list"
ip netns exec dl-tester hydra -w 5 -l dltest -P "$work/list" -t 1 -I "ssh://$BAD" >"$work/hydra-bad.log" 2>&1
if grep -q '1 valid password found' "$work/hydra-bad.log"; then
	ok "mgmt-bad: hydra finds dltest's password after 10 wrong ones (no lockout)"
else
	not_ok "mgmt-bad: no lockout" "$(tail -3 "$work/hydra-bad.log")"
fi
login ssh $BAD oper "$bad_oper" 'cat /etc/mgmt/secrets.conf && printf "" >>/etc/mgmt/device.conf'
check "mgmt-bad: the operator reads secrets.conf and writes device.conf (in group mgmtadmin)" 0 $?
login passwd $BAD oper "$bad_oper" abcd1234
check "mgmt-bad: passwd accepts 'abcd1234'" 0 $?
login passwd $BAD oper abcd1234 "$bad_oper"
check "mgmt-bad: and changes straight back (no minimum age, no history)" 0 $?

"$lab" export-config mgmt-bad "$work/export-bad.txt" >/dev/null 2>&1
if grep -qF "dltest:$bad_test" "$work/export-bad.txt" && grep -q '^admin:[$]1[$]' "$work/export-bad.txt"; then
	ok "mgmt-bad: export-config holds the passwords in clear (web-users.txt) and MD5-crypt hashes"
else
	not_ok "mgmt-bad: export-config" "$(head -20 "$work/export-bad.txt")"
fi

# The fixture (lab/bin/fixture-weblogin.py) on 8080.
fx() { ip netns exec dl-tester curl -s --max-time 5 "$@"; }
if fx "http://$BAD:8080/login" | grep -q '<input type="text" name="password">'; then
	ok "mgmt-bad fixture: the login form's password input is type=text"
else
	not_ok "mgmt-bad fixture: password input type=text"
fi
# (the wrong-password answer also names the account and the file it was checked against)
u=$(fx -d 'username=nosuch&password=x' "http://$BAD:8080/login" | grep -o 'Login failed: [a-z ]*')
w=$(fx -d 'username=admin&password=x' "http://$BAD:8080/login" |
	grep -o 'Login failed: wrong password for user &#x27;admin&#x27; (checked against /etc/mgmt/[a-z-]*.json)')
if [ "$u" = "Login failed: unknown user" ] && [ -n "$w" ]; then
	ok "mgmt-bad fixture: '$u' vs '$w'"
else
	not_ok "mgmt-bad fixture: enumeration messages" "'$u' / '$w'"
fi
c1=$(fx -D - -o /dev/null -d "username=oper&password=$bad_oper" "http://$BAD:8080/login" | sed -n 's/^Set-Cookie: SESSIONID=\([0-9]*\);.*/\1/p')
c2=$(fx -D - -o /dev/null -d "username=oper&password=$bad_oper" "http://$BAD:8080/login" | sed -n 's/^Set-Cookie: SESSIONID=\([0-9]*\);.*/\1/p')
if [ -n "$c1" ] && [ "$((c2 - c1))" = 1 ]; then
	ok "mgmt-bad fixture: session cookies count up ($c1, $c2)"
else
	not_ok "mgmt-bad fixture: predictable cookies" "'$c1' '$c2'"
fi
fx -o /dev/null -b "SESSIONID=$c1" "http://$BAD:8080/logout"
code=$(fx -o /dev/null -w '%{http_code}' -b "SESSIONID=$c1" "http://$BAD:8080/whoami")
check "mgmt-bad fixture: the session still works after logout" 200 "$code"
code=$(fx -o /dev/null -w '%{http_code}' -b "SESSIONID=$c2" -d 'line=ntp_server=203.0.113.1' "http://$BAD:8080/api/config")
check "mgmt-bad fixture: the operator writes /api/config" 200 "$code"

"$lab" reset mgmt-bad >"$work/reset-bad.log" 2>&1
login ssh $BAD admin admin true
check "mgmt-bad: after reset admin/admin logs in, no change asked" 0 $?

# ---------------------------------------------------------------- idle, both
wait "$idle_good" "$idle_bad"
check "mgmt-good: an idle SSH shell is closed by the DUT ($(grep -o 'after [0-9.]* s' "$work/idle-good.log"))" \
	4 "$(cat "$work/idle-good.rc")" "$work/idle-good.log"
check "mgmt-bad: an SSH shell idle for 30 s still answers" 0 "$(cat "$work/idle-bad.rc")" "$work/idle-bad.log"

# ---------------------------------------------------------------- the host
host_etc >"$work/etc-after"
if diff -q "$work/etc-before" "$work/etc-after" >/dev/null; then
	ok "the host's /etc/{passwd,shadow,group,gshadow,login.defs,profile,pam.d,security,cockpit} are unchanged ($(wc -l <"$work/etc-after") files)"
else
	not_ok "the host's /etc is unchanged" "$(diff "$work/etc-before" "$work/etc-after" | head -5)"
fi
if getent passwd oper dltest >/dev/null || getent group mgmtadmin >/dev/null; then
	not_ok "the host has no oper, dltest or mgmtadmin"
else
	ok "the host has no oper, dltest or mgmtadmin"
fi

# down leaves no mount behind (on the DUTs this test built: one that was up stays up).
for dut in mgmt-good mgmt-bad; do
	case " $was_up " in *" $dut "*)
		echo "# $dut was up before: left up"
		continue
		;;
	esac
	"$lab" down "$dut" >/dev/null 2>&1
	if grep -q "/run/dutlab-lab/$dut" /proc/self/mountinfo || [ -e "/run/dutlab-lab/$dut" ]; then
		not_ok "lab down $dut removes its mounts and state" "$(grep "$dut" /proc/self/mountinfo | head -3)"
	else
		ok "lab down $dut removes its mount namespaces, bind mount and state dir"
	fi
done

summary
