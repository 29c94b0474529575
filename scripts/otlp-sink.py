#!/usr/bin/env python3
"""A do-nothing OTLP/HTTP collector for benchmarks: answers every POST (/v1/traces, /v1/metrics,
/v1/logs) with 200 and an empty protobuf body (a valid Export*ServiceResponse), and counts the
requests and bytes it got. Usage: otlp-sink.py PORT COUNTS_FILE  (runs until killed)."""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, counts_file = int(sys.argv[1]), sys.argv[2]
received = {}

class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        n, size = received.get(self.path, (0, 0))
        received[self.path] = (n + 1, size + len(body))
        with open(counts_file, "w") as f:
            for path, (count, total) in sorted(received.items()):
                f.write(f"{path} requests={count} bytes={total}\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", port), Sink).serve_forever()
