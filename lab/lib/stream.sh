# shellcheck shell=bash
# stream.sh: the streaming DUTs (issue 7): stream-good (GStreamer's RTSP server, svc_rtsp of services.sh) and stream-bad (the fragile RTSP responder, a lab fixture), each beside the web UI's nginx with TLS on 443.
#
# Sourced by lab/lab after services.sh and netdut.sh (it uses spawn, expect, netdut_settle
# and the netdut keys fragile and syslog). stream-good is services.sh's svc_nginx and
# svc_rtsp (rtsp_auth=digest, plain RTSP on 554); stream-bad runs svc_fragilertsp below in
# place of svc_rtsp; camera-bad runs it on 8554 beside its own svc_rtsp. `lab restart NAME`
# (netdut_restart) power-cycles them: every process stopped and started again in the same
# namespace, on the same link.

STREAM_PATH=/stream # the mount point both serve, as the cameras do

# stream_dut: the DUT runs one of the streaming services, or the fragile RTSP responder
# beside a camera's own (camera-bad): lab restart accepts it.
stream_dut() {
	case " ${T_DUT_DIR##*/} $T_SERVICES " in *" stream "* | *" fragilertsp "*) return 0 ;; esac
	return 1
}

# svc_fragilertsp: the fragile RTSP responder (a lab fixture, lab/bin/fragile-rtsp.py) on
# tcp/554 of the DUT's addresses: OPTIONS to anyone, DESCRIBE, SETUP (RTP over TCP,
# interleaved), PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER and TEARDOWN behind Digest
# authentication of the admin account, RTP and RTCP interleaved once playing; a status line
# on tcp/NETDUT_MGMT_PORT; with fragile=interleaved-overrun (or cseq-digits) it exits on
# exactly that malformed header (see its docstring), logging to syslog= if set.
# On a camera whose own RTSP server (svc_rtsp) holds 554, the other checks' stream, the
# fixture listens on FRAGILE_RTSP_SIDE_PORT beside it and serves no status port (a tcp
# monitor watches the fixture's own port): camera-bad.
FRAGILE_RTSP_SIDE_PORT=8554
svc_fragilertsp() {
	local args=() port=554
	install -m 0755 "$LAB_DIR/bin/fragile-rtsp.py" "$LAB_DIR/bin/fixture.py" "$STATE/bin/"
	[ "$T_FRAGILE" = none ] || args+=(--die-on "$T_FRAGILE")
	[ -z "$T_SYSLOG" ] || args+=(--syslog "$T_SYSLOG")
	case " $T_SERVICES " in
	*" rtsp "*) port=$FRAGILE_RTSP_SIDE_PORT ;;
	*) args+=(--mgmt-port "$NETDUT_MGMT_PORT") ;;
	esac
	spawn fragilertsp -- "$PYTHON" "$STATE/bin/fragile-rtsp.py" --name "$T_NAME" \
		--address "$T_ADDR4" --address "$T_ADDR6" --port "$port" --path "$STREAM_PATH" \
		--user admin --password "$T_ADMIN_PASSWORD" --realm "$T_VENDOR $T_MODEL" \
		--server "$T_VENDOR $T_MODEL RTSP/$T_FIRMWARE" "${args[@]}"
	netdut_settle fragilertsp
	expect fragilertsp tcp "$port"
	[ "$port" != 554 ] || expect fragilertsp tcp "$NETDUT_MGMT_PORT"
}
