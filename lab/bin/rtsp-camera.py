#!/usr/bin/python3
"""rtsp-camera: serve a low-CPU test pattern as Motion-JPEG over RTSP (GStreamer rtsp-server)."""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

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
    args = ap.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(args.port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(PIPELINE)
    factory.set_shared(True)
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"rtsp-camera: cannot listen on [{args.address}]:{args.port}", file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"rtsp-camera: serving rtsp://[{args.address}]:{args.port}{args.path}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
