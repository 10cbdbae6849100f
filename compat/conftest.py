"""Shared fixtures: a real `carport` process on loopback with a fresh data directory, and a registered app."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def carport_binary():
    path = os.environ.get("CARPORT_BIN") or os.path.join(ROOT, ".build", "debug", "carport")
    if not os.path.exists(path):
        raise RuntimeError(f"carport binary not found at {path}: build it first (swift build)")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The session's server port is fixed at import, so the official Smartcar SDK can be pointed at it through its
# SMARTCAR_* environment variables, which it reads once when imported (smartcar.md §6.1).
SESSION_PORT = free_port()
SESSION_URL = f"http://127.0.0.1:{SESSION_PORT}"
os.environ.update({
    "SMARTCAR_API_ORIGIN": SESSION_URL,
    "SMARTCAR_AUTH_ORIGIN": SESSION_URL + "/oauth/token",
    "SMARTCAR_CONNECT_ORIGIN": SESSION_URL,
    "SMARTCAR_MANAGEMENT_API_ORIGIN": SESSION_URL,
})


class Carport:
    def __init__(self, port=None):
        self.data_dir = tempfile.mkdtemp(prefix="carport-compat-")
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CARPORT_") and k != "DATABASE_URL"}
        self.env.update({"CARPORT_DATA_DIR": self.data_dir, "CARPORT_PORT": str(self.port), "CARPORT_LOG_LEVEL": "warning"})
        self.process = None

    def start(self):
        self.log = open(os.path.join(self.data_dir, "server.log"), "w")
        self.process = subprocess.Popen([carport_binary(), "serve"], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if requests.get(self.base_url + "/health", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("carport exited early: " + open(self.log.name).read())
            time.sleep(0.1)
        raise RuntimeError("carport did not become healthy")

    def cli(self, *args):
        """Runs a carport subcommand against this server's data and parses its JSON output."""
        output = subprocess.run([carport_binary(), *args, "--json"], env=self.env, check=True,
                                capture_output=True, text=True).stdout
        return json.loads(output)

    def create_app(self, name="Compat App", redirect_uris=("https://app.example/callback",)):
        args = ["apps", "create", "--name", name]
        for uri in redirect_uris:
            args += ["--redirect-uri", uri]
        return self.cli(*args)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def carport():
    server = Carport(port=SESSION_PORT)
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def app(carport):
    return carport.create_app(redirect_uris=("https://app.example/callback", carport.base_url + "/demo/callback"))
