#!/usr/bin/python3
"""rtsp-camera: serve a low-CPU test pattern as Motion-JPEG over RTSP, or RTSP over TLS
(GStreamer rtsp-server)."""
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


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--address", default="::", help="address to listen on (default: all)")
    ap.add_argument("--port", default="554", help="TCP port (default: 554)")
    ap.add_argument("--path", default="/stream", help="mount point (default: /stream)")
    ap.add_argument("--tls-certificate", metavar="CERT",
                    help="serve RTSP over TLS (RTSPS) with this PEM certificate")
    ap.add_argument("--tls-key", metavar="KEY", help="the PEM key of --tls-certificate")
    args = ap.parse_args()
    if bool(args.tls_certificate) != bool(args.tls_key):
        ap.error("--tls-certificate and --tls-key go together")

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(args.port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(PIPELINE)
    factory.set_shared(True)
    scheme = "rtsp"
    if args.tls_certificate:
        # With a certificate on its RTSPAuth the server speaks TLS on every connection it
        # accepts. An RTSPAuth also checks access: the stream stays open to anyone, as on
        # the plain server, through a default token whose role may use the factory.
        # Which versions and suites GnuTLS offers comes from G_TLS_GNUTLS_PRIORITY.
        auth = GstRtspServer.RTSPAuth()
        try:
            auth.set_tls_certificate(
                Gio.TlsCertificate.new_from_files(args.tls_certificate, args.tls_key))
        except GLib.Error as e:
            print(f"rtsp-camera: {args.tls_certificate}: {e.message}", file=sys.stderr)
            return 1
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "anyone")
        auth.set_default_token(token)
        factory.add_role_from_structure(Gst.Structure.new_from_string(
            "anyone, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"))
        server.set_auth(auth)
        # RTP over UDP would leave the TLS connection in clear: the media goes only
        # interleaved inside it.
        factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
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
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"rtsp-camera: cannot listen on [{args.address}]:{args.port}", file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"rtsp-camera: serving {scheme}://[{args.address}]:{args.port}{args.path}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
