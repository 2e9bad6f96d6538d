#!/usr/bin/python3
"""rtsp-camera: serve a low-CPU test pattern as Motion-JPEG over RTSP, or RTSP over TLS
(GStreamer rtsp-server), open or behind Basic or Digest authentication."""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gio, GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

PIPELINE = (
    "( videotestsrc is-live=true pattern=smpte "
    "! video/x-raw,format=I420,width=320,height=240,framerate=5/1 "
    "! jpegenc quality=50 ! rtpjpegpay name=pay0 pt=26 )"
)


LIVE_RANGES = ("npt=0-", "npt=0.0-", "npt=0.000-", "npt=now-")


def live_range_only(client, ctx):
    """A live camera has no other position to play from: a PLAY whose Range asks for one is
    refused with 457 Invalid Range (RFC 2326 11.3.12) before the server reads it, and one
    that asks for the live position is played from it with its Range taken out. GStreamer
    1.22 would seek the shared live pipeline to either: a range past the stream's start
    (npt=99999-) stalls that pipeline for every viewer, and any seek while another viewer
    sets up or leaves deadlocks the server (gst_rtsp_media_seek_trickmode waiting in
    gst_rtsp_stream_set_blocked)."""
    if ctx is None or ctx.request is None:
        return GstRtsp.RTSPStatusCode.OK
    # nor another speed: a Scale or Speed header would make GStreamer seek the same way
    for field in (GstRtsp.RTSPHeaderField.SCALE, GstRtsp.RTSPHeaderField.SPEED):
        ctx.request.remove_header(field, -1)
    try:
        result, value = ctx.request.get_header(GstRtsp.RTSPHeaderField.RANGE, 0)
    except UnicodeDecodeError:  # bytes no text decodes: no range at all
        return GstRtsp.RTSPStatusCode.BAD_REQUEST
    if result != GstRtsp.RTSPResult.OK or value is None:
        return GstRtsp.RTSPStatusCode.OK
    if value.strip() in LIVE_RANGES:
        ctx.request.remove_header(GstRtsp.RTSPHeaderField.RANGE, -1)
        return GstRtsp.RTSPStatusCode.OK
    return GstRtsp.RTSPStatusCode.INVALID_RANGE


def client_connected(server, client):
    client.connect("pre-play-request", live_range_only)


# Every shared media the camera ever prepared, kept prepared: a camera streams whether
# anybody watches or not (its recorder records). GStreamer 1.22 tears a shared media's
# pipeline down when its last viewer leaves and prepares it again for the next one; a viewer
# arriving while the last one leaves deadlocks the server (the unprepare holds the pipeline's
# state lock and waits for the media's, a latency message holds the media's and waits for
# the pipeline's) or aborts it (gst_rtsp_media_get_rates: a PLAY of a stream not yet
# restarted). One prepare of our own keeps the media's prepare count above zero.
KEPT_MEDIA = []


def keep_prepared(media):
    if media not in KEPT_MEDIA and media.prepare(None):
        KEPT_MEDIA.append(media)
    return GLib.SOURCE_REMOVE


def media_configured(factory, media):
    # prepared by its first viewer's request; our own prepare from the main loop, after it
    media.connect("prepared", lambda m: GLib.idle_add(keep_prepared, m))


def live_only(factory):
    """Make the factory's media not seekable, as a live camera is. GStreamer 1.22 answers every
    PLAY, even one without Range, Scale or Speed, with gst_rtsp_media_seek_trickmode on the
    shared pipeline; at eight sessions' rate that seek deadlocks the server: the client thread
    holds the media's state lock and waits in gst_rtsp_stream_set_blocked for the stream's
    lock, the streaming threads wait for it in the stream's pad probe, the media's bus thread
    waits for the state lock, and every client (one thread serves them all) goes unanswered.
    A media that publishes its clock and offset (RFC 7273: a=ts-refclk and a=mediaclk in
    the SDP, as many cameras announce) is never seekable to GStreamer (check_seekable), so
    that seek returns before it takes a lock; PLAY is answered and streams as before."""
    factory.set_publish_clock_mode(GstRtspServer.RTSPPublishClockMode.CLOCK_AND_OFFSET)


class CameraAuth(GstRtspServer.RTSPAuth):
    """An RTSPAuth that lets every request for one mount point (and its streams) through
    without credentials, as a camera whose preview stream was left open."""

    def __init__(self, open_path):
        super().__init__()
        self.open_path = open_path.rstrip("/") if open_path else None

    def do_check(self, ctx, check):
        try:
            path = ctx.uri.abspath if ctx is not None and ctx.uri is not None else ""
        except UnicodeDecodeError:  # a path no text decodes is not the open one
            path = ""
        if self.open_path and (path == self.open_path or path.startswith(self.open_path + "/")):
            return True
        return GstRtspServer.RTSPAuth.do_check(self, ctx, check)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--address", default="::", help="address to listen on (default: all)")
    ap.add_argument("--port", default="554", help="TCP port (default: 554)")
    ap.add_argument("--path", default="/stream", help="mount point (default: /stream)")
    ap.add_argument("--tls-certificate", metavar="CERT",
                    help="serve RTSP over TLS (RTSPS) with this PEM certificate")
    ap.add_argument("--tls-key", metavar="KEY", help="the PEM key of --tls-certificate")
    ap.add_argument("--auth", choices=("none", "basic", "digest"), default="none",
                    help="authentication the --path stream asks for (default: none)")
    ap.add_argument("--credentials", metavar="FILE",
                    help="with --auth: a file whose first line is USER:PASSWORD")
    ap.add_argument("--open-path", metavar="PATH",
                    help="also serve the stream at PATH to anyone, without authentication")
    ap.add_argument("--client-threads", metavar="N", type=int, default=0,
                    help="serve clients on up to N threads (default 0: all on the main loop)")
    args = ap.parse_args()
    if not 0 <= args.client_threads <= 64:
        ap.error("--client-threads takes 0 to 64")
    if bool(args.tls_certificate) != bool(args.tls_key):
        ap.error("--tls-certificate and --tls-key go together")
    if (args.auth != "none") != bool(args.credentials):
        ap.error("--auth basic|digest and --credentials go together")
    user = password = None
    if args.credentials:
        try:
            with open(args.credentials, encoding="utf-8") as f:
                user, sep, password = f.readline().rstrip("\r\n").partition(":")
        except OSError as e:
            print(f"rtsp-camera: {args.credentials}: {e.strerror}", file=sys.stderr)
            return 1
        if not sep or not user:
            print(f"rtsp-camera: {args.credentials}: expected USER:PASSWORD on the first "
                  "line", file=sys.stderr)
            return 1

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(args.port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(PIPELINE)
    factory.set_shared(True)
    live_only(factory)
    scheme = "rtsp"
    # An RTSPAuth checks every request once the server has one (and is where the TLS
    # certificate goes). Without --auth every request gets the default token, whose role
    # "anyone" may use the stream. With --auth only valid credentials get a token (role
    # "user"), so an anonymous DESCRIBE of the stream is answered 401 with the challenge;
    # CameraAuth lets the --open-path stream through without one.
    auth = None
    if args.tls_certificate or args.auth != "none":
        # Only an open path needs our own check in Python; without one GStreamer's own C
        # check answers every request, as in a camera's firmware (a Python check on every
        # request was a tenth of the camera's CPU under the session campaign).
        auth = CameraAuth(args.open_path) if args.open_path else GstRtspServer.RTSPAuth()
        server.set_auth(auth)
    grant = "media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
    if args.auth != "none":
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "user")
        if args.auth == "basic":
            # RFC 7617: the password itself, base64-encoded, in every request
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        else:
            # RFC 2617 digest: a challenge-response over a server nonce
            auth.add_digest(user, password, token)
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        factory.add_role_from_structure(Gst.Structure.new_from_string("user, " + grant))
    elif auth:
        anyone = GstRtspServer.RTSPToken()
        anyone.set_string("media.factory.role", "anyone")
        auth.set_default_token(anyone)
        factory.add_role_from_structure(Gst.Structure.new_from_string("anyone, " + grant))
    open_factory = None
    if args.open_path:
        open_factory = GstRtspServer.RTSPMediaFactory()
        open_factory.set_launch(PIPELINE)
        open_factory.set_shared(True)
        live_only(open_factory)
    if args.tls_certificate:
        # With a certificate on its RTSPAuth the server speaks TLS on every connection it
        # accepts. Which versions and suites GnuTLS offers comes from G_TLS_GNUTLS_PRIORITY.
        try:
            auth.set_tls_certificate(
                Gio.TlsCertificate.new_from_files(args.tls_certificate, args.tls_key))
        except GLib.Error as e:
            print(f"rtsp-camera: {args.tls_certificate}: {e.message}", file=sys.stderr)
            return 1
        # RTP over UDP would leave the TLS connection in clear: the media goes only
        # interleaved inside it.
        factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
        if open_factory:
            open_factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
        scheme = "rtsps"

        def reload_certificate():
            # SIGHUP after `lab reset` or `lab install-cert` replaced the files: new
            # connections get the new certificate.
            try:
                auth.set_tls_certificate(
                    Gio.TlsCertificate.new_from_files(args.tls_certificate, args.tls_key))
                print(f"rtsp-camera: reloaded {args.tls_certificate}", flush=True)
            except GLib.Error as e:
                print(f"rtsp-camera: {args.tls_certificate}: {e.message}; keeping the old "
                      "certificate", file=sys.stderr, flush=True)
            return GLib.SOURCE_CONTINUE

        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGHUP, reload_certificate)
    for f in (factory, open_factory):
        if f:
            f.connect("media-configure", media_configured)
    # A camera's firmware serves its viewers at once: with threads each client's requests
    # are read and answered on its own (GStreamer's thread pool), so one client reading
    # a long request byte by byte (as GStreamer does) holds up no other.
    if args.client_threads:
        server.get_thread_pool().set_max_threads(args.client_threads)
    server.connect("client-connected", client_connected)
    server.get_mount_points().add_factory(args.path, factory)
    if open_factory:
        server.get_mount_points().add_factory(args.open_path, open_factory)
    if server.attach(None) == 0:
        print(f"rtsp-camera: cannot listen on [{args.address}]:{args.port}", file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"rtsp-camera: serving {scheme}://[{args.address}]:{args.port}{args.path}"
          f" (authentication: {args.auth})"
          + (f" and {args.open_path} without authentication" if args.open_path else ""),
          flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
