#!/bin/bash
# other-drivers: the ssh-password, telnet, rtsp and onvif login drivers against real servers in a namespace pair.
#
# usage (as root, from anywhere): tests/lab/adapters/other-drivers.sh [BUILD]
#   BUILD   the build directory holding src/cli/dutlab and tests/lab/login-try (default: build)
#
# Makes its own namespaces dl-adapt34 (the servers, 198.18.34.2, fd00:198:0:34::2) and
# dl-tester34 (198.18.34.1 on tadapt34) and removes them on exit. The servers run in a
# private mount namespace whose /etc is a copy of the host's with the test users added
# (dltest, and dlidle whose bash logs out after 3 idle seconds): the host's /etc/passwd
# and /etc/shadow are never touched. Servers: OpenSSH with PAM (keyboard-interactive and
# password on 22, password only on 2222), busybox telnetd running /bin/login (PAM) on 23
# and a login that echoes the password on 2323, the lab camera's GStreamer RTSP server
# with Digest (8554) and Basic (8555), and the ONVIF fixture refusing (8080) or accepting
# (8081) replayed nonces. Each driver is driven through login.h by login-try (sequences:
# a session probed, left idle, probed again) and by `dutlab login` (JSON). Prints TAP
# lines; exits 1 on any failure.
set -u
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
lab_build "${1:-}"
try=$build/tests/lab/login-try
ns=dl-adapt34
tns=dl-tester34
dut=198.18.34.2
dut6=fd00:198:0:34::2
password=Lab-Pass-2026
lab_work other-drivers
pids=()

made_namespaces=no

# Only what this run made: another run's namespaces (a concurrent run stops at the check
# below) are left alone.
cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	[ "$made_namespaces" = yes ] || return 0
	# what those servers forked (sshd's and telnetd's sessions), in our own namespace only
	for pid in $(ip netns pids "$ns" 2>/dev/null); do
		kill "$pid" 2>/dev/null
	done
	sleep 0.3
	ip netns del "$ns" 2>/dev/null
	ip netns del "$tns" 2>/dev/null
}

need_root other-drivers
need_dutlab other-drivers
[ -x "$try" ] || {
	echo "other-drivers: build first: $try" >&2
	exit 1
}
need_command other-drivers busybox
need_command other-drivers /usr/sbin/sshd

# --- the namespace pair -----------------------------------------------------------------
if ip netns list | grep -qw "$ns\|$tns"; then
	echo "other-drivers: $ns or $tns exists already (another run?)" >&2
	exit 1
fi
if ! ip netns add "$ns"; then
	not_ok "namespace $ns"
	summary
	exit 1
fi
made_namespaces=yes
if ! { ip netns add "$tns" &&
	ip link add tadapt34 type veth peer name dadapt34 &&
	ip link set tadapt34 netns "$tns" && ip link set dadapt34 netns "$ns" &&
	ip -n "$tns" addr add 198.18.34.1/24 dev tadapt34 &&
	ip -n "$tns" addr add fd00:198:0:34::1/64 dev tadapt34 nodad &&
	ip -n "$ns" addr add "$dut/24" dev dadapt34 &&
	ip -n "$ns" addr add "$dut6/64" dev dadapt34 nodad &&
	ip -n "$ns" link set lo up && ip -n "$tns" link set lo up &&
	ip -n "$ns" link set dadapt34 up && ip -n "$tns" link set tadapt34 up; }; then
	not_ok "namespace pair $ns / $tns"
	summary
	exit 1
fi

# --- a private /etc with the test users ---------------------------------------------------
chmod 755 "$work" # the users' homes are below it
cp -a /etc "$work/etc"
add_user() { # NAME UID PASSWORD
	local hash
	hash=$(openssl passwd -6 "$3")
	mkdir -p "$work/home/$1"
	echo "$1:x:$2:$2:dutlab test:$work/home/$1:/bin/bash" >>"$work/etc/passwd"
	echo "$1:$hash:$(($(date +%s) / 86400 - 2)):0:99999:7:::" >>"$work/etc/shadow"
	echo "$1:x:$2:" >>"$work/etc/group"
}
add_user dltest 64134 "$password"
add_user dlidle 64135 "$password"
# bash's idle logout, as a DUT's shell configures it (the session probe must see it)
printf 'TMOUT=3\nreadonly TMOUT\n' >"$work/home/dlidle/.bash_profile"
chown -R 64134:64134 "$work/home/dltest"
chown -R 64135:64135 "$work/home/dlidle"
# the login that lets the password echo (NCC 5.3.1.5's failure): no stty -echo
mkdir -p "$work/bin"
cat >"$work/bin/echo-login" <<EOF
#!/bin/sh
printf 'echo login: '
IFS= read -r user
printf 'Password: '
IFS= read -r pass
if [ "\$user" = dltest ] && [ "\$pass" = '$password' ]; then
	PS1='\$ ' exec /bin/sh -i
fi
echo "Login incorrect"
EOF
chmod 755 "$work/bin/echo-login"
with_etc() { # run in the private /etc: chage on the copy
	# shellcheck disable=SC2016 # the inner shell expands them
	unshare --mount sh -c 'mount --bind "$1" /etc && shift && exec "$@"' sh "$work/etc" "$@"
}

ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey"
for port in 22 2222; do
	kbd=yes
	[ "$port" = 2222 ] && kbd=no
	cat >"$work/sshd-$port.conf" <<EOF
Port $port
ListenAddress $dut
ListenAddress $dut6
HostKey $work/hostkey
PidFile $work/sshd-$port.pid
UsePAM yes
KbdInteractiveAuthentication $kbd
PasswordAuthentication yes
PubkeyAuthentication no
PermitRootLogin no
AllowUsers dltest dlidle
PrintMotd no
UseDNS no
EOF
done
echo "camuser:Cam-Pass-2026" >"$work/camera.credentials"

# spawn LOG COMMAND...: in the servers' namespace with the private /etc and /run/sshd
spawn() {
	local log=$1
	shift
	# shellcheck disable=SC2016 # the inner shell expands them
	setsid ip netns exec "$ns" unshare --mount --propagation private sh -c \
		'mount --bind "$1" /etc && mount -t tmpfs -o mode=0755 tmpfs /run/sshd && shift && exec "$@"' \
		sh "$work/etc" "$@" </dev/null >"$work/$log.log" 2>&1 &
	pids+=($!)
}
spawn sshd-22 /usr/sbin/sshd -D -e -f "$work/sshd-22.conf"
spawn sshd-2222 /usr/sbin/sshd -D -e -f "$work/sshd-2222.conf"
spawn telnetd busybox telnetd -F -p 23 -l /bin/login
spawn telnetd-echo busybox telnetd -F -p 2323 -l "$work/bin/echo-login"
spawn rtsp-digest /usr/bin/python3 "$root/lab/bin/rtsp-camera.py" --port 8554 --path /stream \
	--auth digest --credentials "$work/camera.credentials"
spawn rtsp-basic /usr/bin/python3 "$root/lab/bin/rtsp-camera.py" --port 8555 --path /stream \
	--auth basic --credentials "$work/camera.credentials"
spawn onvif /usr/bin/python3 "$root/lab/bin/fixture-onvif.py" --port 8080 \
	--user admin:Onvif-Pass-2026 --user viewer:View-Pass-2026:User
spawn onvif-replay /usr/bin/python3 "$root/lab/bin/fixture-onvif.py" --port 8081 \
	--user admin:Onvif-Pass-2026 --accept-replay
for port in 22 2222 23 2323 8554 8555 8080 8081; do
	up=no
	for _ in $(seq 50); do
		if ip netns exec "$tns" nc -z -w 1 "$dut" "$port" 2>/dev/null; then
			up=yes
			break
		fi
		sleep 0.2
	done
	[ "$up" = yes ] || not_ok "a server listens on $dut:$port" "$(tail -3 "$work"/*.log)"
done
[ "$failed" -eq 0 ] && ok "servers up on $dut: sshd 22 and 2222, telnetd 23 and 2323, RTSP 8554 and 8555, ONVIF 8080 and 8081"

cat >"$work/profile.yaml" <<EOF
dutlab_profile: 1
identity: {vendor: dutlab, model: other-drivers, firmware: "1", serial: "34", product_type: platform}
targets:
  - {standard: iot-1006-1, level: 3}
scope:
  networks: [198.18.34.0/24, "fd00:198:0:34::/64"]
  interfaces: [tadapt34]
dut:
  addresses: [$dut, "$dut6"]
credentials:
  - {role: test, username: dltest, password: "$password"}
adapters:
  - {name: ssh, driver: ssh-password, port: 22, options: {timeout: "15"},
     actions: {list_home: "ls ~", be_root: "test \$(id -u) -eq 0"}}
  - {name: ssh-password, driver: ssh-password, port: 2222, options: {timeout: "15"}}
  - {name: telnet, driver: telnet, port: 23, options: {timeout: "15"},
     actions: {list_home: "ls ~", be_root: "test \$(id -u) -eq 0"}}
  - {name: telnet-echo, driver: telnet, port: 2323, options: {timeout: "8"}}
  - {name: rtsp, driver: rtsp, port: 8554, options: {url: /stream}}
  - {name: rtsp-basic, driver: rtsp, port: 8555, options: {url: /stream}}
  - {name: onvif, driver: onvif, port: 8080, actions: {reboot: SystemReboot}}
  - {name: onvif-replay, driver: onvif, port: 8081}
EOF

# run NAME ADAPTER [ADDRESS] -- OP...: login-try in the tester namespace; output in $work/NAME.out
run() {
	local name=$1 adapter=$2 address=$dut
	shift 2
	if [ "$1" != -- ]; then
		address=$1
		shift
	fi
	shift
	LOGIN_TRY_TRANSCRIPT=$work/transcript.txt timeout 120 ip netns exec "$tns" "$try" \
		"$work/profile.yaml" "$adapter" "$address" "$@" >"$work/$name.out" 2>&1
}

# expect NAME LINE REGEX WHAT: line LINE (1-based) of NAME's output matches REGEX
expect() {
	local line
	line=$(sed -n "$2p" "$work/$1.out")
	if [[ $line =~ $3 ]]; then
		ok "$4"
	else
		not_ok "$4" "line $2: $line" "wanted: $3"
	fi
}

# --- ssh-password -------------------------------------------------------------------------
run ssh ssh -- attempt dltest "$password" probe perform list_home perform be_root logout \
	try dltest wrong-password
expect ssh 1 '^attempt outcome=accepted .*encrypted=1' "ssh: the right password is accepted (keyboard-interactive through PAM)"
expect ssh 2 '^probe outcome=accepted .*excerpt=dltest$' "ssh: the session probe runs id -un on the pty shell"
expect ssh 3 '^perform outcome=accepted status=0' "ssh: an action exiting 0 is accepted"
expect ssh 4 '^perform outcome=refused status=1' "ssh: an action exiting 1 is refused"
expect ssh 5 '^logout outcome=accepted' "ssh: logout ends the shell and sshd closes the channel"
expect ssh 6 '^try outcome=refused status=2 .*methods: password,keyboard-interactive' "ssh: a wrong password is refused; status counts the methods still offered"
run ssh6 ssh "$dut6" -- try dltest "$password"
expect ssh6 1 '^try outcome=accepted' "ssh: the same login over IPv6 ([$dut6]:22)"
run sshpw ssh-password -- try dltest "$password" try dltest wrong-password
expect sshpw 1 '^try outcome=accepted' "ssh: the password method when the server offers no keyboard-interactive"
expect sshpw 2 '^try outcome=refused status=1 .*methods: password' "ssh: a wrong password by the password method is refused"

# --- telnet --------------------------------------------------------------------------------
run telnet telnet -- attempt dltest "$password" probe perform list_home perform be_root logout \
	try dltest wrong-password
expect telnet 1 '^attempt outcome=accepted .*echoed=0 encrypted=0' "telnet: the right password is accepted by login(1), not echoed, not encrypted"
expect telnet 2 '^probe outcome=accepted .*excerpt=dltest$' "telnet: the session probe runs id -un"
expect telnet 3 '^perform outcome=accepted status=0' "telnet: an action exiting 0 is accepted"
expect telnet 4 '^perform outcome=refused status=1' "telnet: an action exiting 1 is refused"
expect telnet 5 '^logout outcome=accepted' "telnet: logout ends the connection"
expect telnet 6 '^try outcome=refused .*Login incorrect' "telnet: a wrong password is refused with login's words"
run echo telnet-echo -- try dltest "$password" try dltest wrong-password
expect echo 1 '^try outcome=accepted .*echoed=1' "telnet: a login that echoes the typed password is caught (password_echoed)"
expect echo 2 '^try outcome=refused .*echoed=1' "telnet: the echo is seen on a refused login too"
if grep -q "$password" "$work/echo.out" "$work/transcript.txt"; then
	not_ok "the echoed password is masked in the excerpt and the transcript"
else
	ok "the echoed password is masked in the excerpt and the transcript"
fi

# --- idle logout: the probe notices a shell that exited (bash TMOUT=3) -----------------------
run idle-ssh ssh -- attempt dlidle "$password" probe sleep 5 probe
expect idle-ssh 2 '^probe outcome=accepted' "ssh: the probe works while the shell is active"
expect idle-ssh 4 '^probe outcome=refused' "ssh: after the shell's idle logout the probe is refused"
run idle-telnet telnet -- attempt dlidle "$password" probe sleep 5 probe
expect idle-telnet 2 '^probe outcome=accepted' "telnet: the probe works while the shell is active"
expect idle-telnet 4 '^probe outcome=refused' "telnet: after the shell's idle logout the probe is refused"

# --- passwd: refused with PAM's reason, accepted, restored ---------------------------------
run passwd-ssh ssh -- change dltest "$password" abc change dltest "$password" Ssh-Changed-2026q \
	try dltest Ssh-Changed-2026q change dltest Ssh-Changed-2026q "$password"
expect passwd-ssh 1 '^change outcome=refused .*BAD PASSWORD: The password is shorter than 8 characters' "ssh: passwd refuses a short password; pam_pwquality's message is the excerpt"
expect passwd-ssh 2 '^change outcome=accepted status=0' "ssh: passwd accepts a strong password"
expect passwd-ssh 3 '^try outcome=accepted' "ssh: the new password logs in"
expect passwd-ssh 4 '^change outcome=accepted' "ssh: the old password restored"
run passwd-telnet telnet -- change dltest "$password" dltest-dltest-1A \
	change dltest "$password" Tel-Changed-2026q try dltest Tel-Changed-2026q \
	change dltest Tel-Changed-2026q "$password"
expect passwd-telnet 1 '^change outcome=refused .*BAD PASSWORD: The password contains the user name' "telnet: passwd refuses a password with the user name, with PAM's message"
expect passwd-telnet 2 '^change outcome=accepted status=0' "telnet: passwd accepts a strong password"
expect passwd-telnet 3 '^try outcome=accepted' "telnet: the new password logs in"
expect passwd-telnet 4 '^change outcome=accepted' "telnet: the old password restored"

# --- an expired password: change required at login, and changed through that conversation --
with_etc chage -d 0 dltest
run expired ssh -- try dltest "$password"
run expired-pw ssh-password -- try dltest "$password"
run expired-telnet telnet -- try dltest "$password"
expect expired 1 '^try outcome=change_required .*required to change your password' "ssh: an expired password (chage -d 0) is change_required (PAM conversation)"
expect expired-pw 1 '^try outcome=change_required .*required to change' "ssh: the password method shows change_required from the session's first words"
expect expired-telnet 1 '^try outcome=change_required .*required to change' "telnet: an expired password is change_required"
run forced ssh -- change dltest "$password" abc change dltest "$password" Forced-Chg-2026q \
	try dltest Forced-Chg-2026q
expect forced 1 '^change outcome=refused .*BAD PASSWORD' "ssh: a weak new password at the forced change is refused with PAM's message"
expect forced 2 '^change outcome=accepted' "ssh: the forced change through keyboard-interactive succeeds"
expect forced 3 '^try outcome=accepted' "ssh: and the new password then logs in normally"
with_etc chage -d 0 dltest
run forced-telnet telnet -- change dltest Forced-Chg-2026q Telnet-Forced-2026r \
	try dltest Telnet-Forced-2026r
expect forced-telnet 1 '^change outcome=accepted' "telnet: the forced change at login(1) succeeds"
expect forced-telnet 2 '^try outcome=accepted' "telnet: and the new password then logs in"
with_etc chage -d 0 dltest
run forced-pw ssh-password -- change dltest Telnet-Forced-2026r "$password" try dltest "$password"
expect forced-pw 1 '^change outcome=accepted' "ssh: the forced passwd in the session (password method) succeeds"
expect forced-pw 2 '^try outcome=accepted' "ssh: the password is restored"

# --- rtsp ----------------------------------------------------------------------------------
run rtsp rtsp -- attempt camuser Cam-Pass-2026 probe replay try camuser wrong-password
expect rtsp 1 '^attempt outcome=accepted status=200 .*challenge=1' "rtsp: DESCRIBE with the right Digest answer is accepted (200)"
expect rtsp 2 '^probe outcome=accepted status=200' "rtsp: the probe repeats the DESCRIBE"
expect rtsp 3 '^replay outcome=refused status=401' "rtsp: the recorded Digest Authorization replayed on a new connection is refused"
expect rtsp 4 '^try outcome=refused status=401' "rtsp: a wrong password is refused (401)"
run rtsp-basic rtsp-basic -- try camuser Cam-Pass-2026 replay try camuser wrong-password
expect rtsp-basic 1 '^try outcome=accepted status=200 .*challenge=0' "rtsp: Basic is accepted, and is no challenge-response"
expect rtsp-basic 2 '^replay outcome=accepted status=200' "rtsp: a replayed Basic Authorization is accepted (what the replay check must fail)"
expect rtsp-basic 3 '^try outcome=refused status=401' "rtsp: Basic with a wrong password is refused"

# --- onvif ---------------------------------------------------------------------------------
run onvif onvif -- attempt admin Onvif-Pass-2026 perform reboot replay try admin wrong-password \
	attempt viewer View-Pass-2026 perform reboot
expect onvif 1 '^attempt outcome=accepted status=200 .*challenge=1 .*GetDeviceInformationResponse' "onvif: GetDeviceInformation with a UsernameToken digest is accepted"
expect onvif 2 '^perform outcome=accepted .*SystemRebootResponse' "onvif: the admin's SystemReboot action is accepted"
expect onvif 3 '^replay outcome=refused status=400 .*ter:NotAuthorized' "onvif: the same envelope (same nonce and created) replayed is refused"
expect onvif 4 '^try outcome=refused status=400 .*ter:NotAuthorized' "onvif: a wrong password is refused with the fault ter:NotAuthorized"
expect onvif 6 '^perform outcome=refused .*ter:NotAuthorized' "onvif: a User-level account's SystemReboot is refused"
run onvif-replay onvif-replay -- try admin Onvif-Pass-2026 replay
expect onvif-replay 2 '^replay outcome=accepted' "onvif: a device that does not remember nonces takes the replay (what the replay check must fail)"

# --- the same drivers through the CLI: dutlab login (JSON) ------------------------------------
# cli NAME ARGS...: dutlab login in the tester namespace, JSON in $work/NAME.json
cli() {
	local name=$1
	shift
	timeout 120 ip netns exec "$tns" "$dutlab" login --profile "$work/profile.yaml" "$@" \
		>"$work/$name.json" 2>"$work/$name.err"
}
# cli_expect NAME EXPRESSION WHAT: EXPRESSION (Python, over steps) holds for NAME's JSON
cli_expect() {
	if python3 - "$work/$1.json" "$2" >"$work/$1.check" 2>&1 <<'PY'; then
import json, sys
steps = json.load(open(sys.argv[1]))["steps"]
assert eval(sys.argv[2]), json.dumps(steps)[:400]
PY
		ok "$3"
	else
		not_ok "$3" "$(tail -2 "$work/$1.check")" "$(tail -2 "$work/$1.err")"
	fi
}
cli cli-ssh --adapter ssh --user dltest --password "$password" --probe
cli_expect cli-ssh 'steps[0]["outcome"] == "accepted" and steps[0]["encrypted"] and steps[1]["excerpt"] == "dltest"' \
	"dutlab login --probe: ssh-password logs in and the probe answers dltest"
cli cli-ssh-wrong --adapter ssh --user dltest --password wrong-password --attempt
cli_expect cli-ssh-wrong 'steps[0]["outcome"] == "refused"' "dutlab login: ssh-password refuses a wrong password"
cli cli-telnet --adapter telnet --user dltest --password "$password" --attempt
cli_expect cli-telnet 'steps[0]["outcome"] == "accepted" and not steps[0]["password_echoed"]' \
	"dutlab login: telnet to busybox telnetd + login(1) is accepted, password_echoed false"
cli cli-echo --adapter telnet-echo --user dltest --password "$password" --attempt
cli_expect cli-echo 'steps[0]["password_echoed"]' "dutlab login: the echoing telnet login shows password_echoed true"
cli cli-change --adapter ssh --user dltest --password "$password" --change abc
cli_expect cli-change 'steps[-1]["outcome"] == "refused" and "BAD PASSWORD" in steps[-1]["excerpt"]' \
	"dutlab login --change: a refused change carries pam_pwquality's message"
cli cli-rtsp --adapter rtsp --user camuser --password Cam-Pass-2026 --replay
cli_expect cli-rtsp 'steps[0]["outcome"] == "accepted" and steps[0]["challenge_response"] and steps[-1]["outcome"] == "refused"' \
	"dutlab login --replay: rtsp Digest accepted, its replay refused"
cli cli-onvif --adapter onvif --user admin --password Onvif-Pass-2026 --replay
cli_expect cli-onvif 'steps[0]["outcome"] == "accepted" and steps[-1]["outcome"] == "refused"' \
	"dutlab login --replay: onvif UsernameToken accepted, its replay refused"

# --- the scope guard -------------------------------------------------------------------------
run scope ssh 198.18.35.2 -- try dltest "$password"
expect scope 1 'error=out of scope' "an address outside the profile's scope is refused before anything is sent"

# --- no password in the transcript -----------------------------------------------------------
if grep -qE "$password|Cam-Pass-2026|Onvif-Pass-2026|Ssh-Changed|Tel-Changed|Forced-Chg" "$work/transcript.txt"; then
	not_ok "no password in the transcripts" "$(grep -nE "$password|Pass-2026|Changed" "$work/transcript.txt" | head -3)"
else
	ok "no password in the transcripts ($(wc -c <"$work/transcript.txt") bytes)"
fi

summary
