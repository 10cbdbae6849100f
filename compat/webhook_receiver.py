"""A webhook endpoint on loopback for the compat tests."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """A webhook endpoint on loopback that keeps every delivery (headers and raw body). `answer(headers, body)`, when
    given, returns the status and JSON object to answer with (e.g. a Smartcar challenge's hash)."""

    def __init__(self, answer=None):
        self.deliveries = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.deliveries.append((dict(self.headers), body))
                status, reply = answer(dict(self.headers), body) if answer else (200, None)
                self.send_response(status)
                if reply is not None:
                    data = json.dumps(reply).encode()
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/enode-webhooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self):
        return [event for _, body in self.deliveries for event in json.loads(body)]

    def wait_for(self, predicate, seconds=10):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if any(predicate(event) for event in self.events()):
                return
            time.sleep(0.1)
        raise AssertionError(f"no such event among {self.events()}")
