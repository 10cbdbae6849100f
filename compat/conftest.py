"""Shared fixtures: a real `carport` process on loopback with a fresh data directory, and a registered app."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from urllib.parse import urlparse

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
    "SMARTCAR_VEHICLE_API_V3_ORIGIN": SESSION_URL,
})


# A fake Tesla cloud (the `tesla-fleet-fake` product) for the whole session; the session's Carport is configured
# for it, so live-mode applications connect Teslas through its login page.
FAKE_PORT = free_port()
FAKE_URL = f"http://127.0.0.1:{FAKE_PORT}"
TESLA_DOMAIN = "carport.example"
TESLA_ENV = {
    "CARPORT_TESLA_CLIENT_ID": "carport-fleet-client", "CARPORT_TESLA_CLIENT_SECRET": "carport-fleet-secret",
    "CARPORT_TESLA_DOMAIN": TESLA_DOMAIN, "CARPORT_TESLA_AUTHORIZE_URL": FAKE_URL + "/oauth2/v3/authorize",
    "CARPORT_TESLA_TOKEN_URL": FAKE_URL + "/oauth2/v3/token",
    "CARPORT_TESLA_REGIONS": f"na={FAKE_URL}/fleet/na,eu={FAKE_URL}/fleet/eu",
    "CARPORT_TESLA_PROXY_URL": FAKE_URL + "/proxy", "CARPORT_TESLA_PAIRING_URL": FAKE_URL + "/_ak",
}


def wait_until_healthy(url, seconds=30, alive=lambda: True):
    """Polls `url` until it answers 200; False when `seconds` pass first or `alive()` turns false."""
    deadline = time.time() + seconds
    while time.time() < deadline and alive():
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return True
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    return False


class TeslaFake:
    def __init__(self, redirect_uri):
        binary = os.path.join(os.path.dirname(carport_binary()), "tesla-fleet-fake")
        self.url = FAKE_URL
        self.process = subprocess.Popen([binary, "--port", str(FAKE_PORT), "--redirect-uri", redirect_uri,
                                         "--wake-seconds", "0.3"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        if not wait_until_healthy(self.url + "/proxy/health"):
            raise RuntimeError("tesla-fleet-fake did not start")
        # The partner domain's web root serves the command key's public half; Tesla fetches it at registration.
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
        pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        hosted = requests.put(f"{self.url}/_fake/domains/{TESLA_DOMAIN}/public-key", data=pem)
        if hosted.status_code != 204:
            raise RuntimeError(f"tesla-fleet-fake did not host the partner key: {hosted.status_code}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=15)


class Carport:
    def __init__(self, port=None, environment=None):
        self.data_dir = tempfile.mkdtemp(prefix="carport-compat-")
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CARPORT_") and k != "DATABASE_URL"}
        self.env.update({"CARPORT_DATA_DIR": self.data_dir, "CARPORT_PORT": str(self.port), "CARPORT_LOG_LEVEL": "warning"})
        self.env.update(environment or {})
        self.process = None

    def start(self):
        """Starts the server (again, after `kill`, on the same data directory) and waits until it is healthy."""
        self.log = open(os.path.join(self.data_dir, "server.log"), "a")
        self.process = subprocess.Popen([carport_binary(), "serve"], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_until_healthy(self.base_url + "/health", alive=lambda: self.process.poll() is None):
            if self.process.poll() is not None:
                raise RuntimeError("carport exited early: " + open(self.log.name).read())
            raise RuntimeError("carport did not become healthy")

    def cli(self, *args):
        """Runs a carport subcommand against this server's data and parses its JSON output."""
        output = subprocess.run([carport_binary(), *args, "--json"], env=self.env, check=True,
                                capture_output=True, text=True).stdout
        return json.loads(output)

    def create_app(self, name="Compat App", redirect_uris=("https://app.example/callback",), mode="test"):
        args = ["apps", "create", "--name", name, "--mode", mode]
        for uri in redirect_uris:
            args += ["--redirect-uri", uri]
        return self.cli(*args)

    def kill(self):
        """kill -9: no shutdown, nothing flushed."""
        self.process.kill()
        self.process.wait(timeout=15)
        self.log.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


class ClusterProxy:
    """nginx on loopback in front of Carport nodes, from examples/cluster/nginx.conf with this run's ports."""

    def __init__(self, node_ports):
        self.prefix = tempfile.mkdtemp(prefix="carport-nginx-")
        self.port = free_port()
        config = open(os.path.join(ROOT, "examples", "cluster", "nginx.conf")).read()
        config = config.replace("127.0.0.1:8080", f"127.0.0.1:{self.port}")
        defaults = ("127.0.0.1:8081", "127.0.0.1:8082")
        if len(node_ports) != len(defaults):
            raise ValueError(f"the example config has {len(defaults)} nodes")
        for default, port in zip(defaults, node_ports):
            config = config.replace(default, f"127.0.0.1:{port}")
        if os.getuid() == 0:
            config = "user root;\n" + config
        path = os.path.join(self.prefix, "nginx.conf")
        open(path, "w").write(config)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen([nginx, "-p", self.prefix, "-c", path], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=15)
        shutil.rmtree(self.prefix, ignore_errors=True)


def fresh_postgres_database(prefix, admin_url=None):
    """A new, empty database on the test PostgreSQL server (CARPORT_TEST_DATABASE_URL unless `admin_url`)."""
    admin = admin_url or os.environ.get("CARPORT_TEST_DATABASE_URL")
    assert admin, "CARPORT_TEST_DATABASE_URL must name the test PostgreSQL server (scripts/check starts one)"
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return urlparse(admin)._replace(path="/" + name).geturl()


@pytest.fixture(scope="session")
def tesla_fake():
    fake = TeslaFake(redirect_uri=SESSION_URL + "/connect/oem/callback")
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def carport(tesla_fake):
    server = Carport(port=SESSION_PORT, environment=TESLA_ENV)
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def app(carport):
    return carport.create_app(redirect_uris=("https://app.example/callback", carport.base_url + "/demo/callback"))


# Figures a test measured (crash and fuzz runs), printed at the end of the run whatever pytest captured.
FIGURES = []


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
