"""examples/ocpp-tls/nginx.conf with this run's ports and a throwaway certificate: an `ocpp` 1.6 charge point
connects over wss:// with HTTP Basic (security profile 2), trusting only that certificate, boots and meters through
nginx; plain ws:// to the TLS port is refused."""
import asyncio
import base64
import os
import shutil
import ssl
import subprocess
import tempfile
import socket
import time

import pytest
import websockets
from ocpp.v16 import ChargePoint
from ocpp.v16 import call

from conftest import ROOT, Carport, free_port


@pytest.fixture
def behind_tls():
    prefix = tempfile.mkdtemp(prefix="carport-nginx-tls-")
    os.makedirs(os.path.join(prefix, "tls"))
    cert, key = os.path.join(prefix, "tls", "fullchain.pem"), os.path.join(prefix, "tls", "privkey.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert], check=True, capture_output=True)
    tls_port = free_port()
    server = Carport(environment={"CARPORT_PUBLIC_URL": f"https://127.0.0.1:{tls_port}"})
    config = open(os.path.join(ROOT, "examples", "ocpp-tls", "nginx.conf")).read()
    config = config.replace("127.0.0.1:8443", f"127.0.0.1:{tls_port}").replace("127.0.0.1:8000", f"127.0.0.1:{server.port}")
    if os.getuid() == 0:
        config = "user root;\n" + config
    path = os.path.join(prefix, "nginx.conf")
    open(path, "w").write(config)
    nginx = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", prefix, "-c", path],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    server.start()
    context = ssl.create_default_context(cafile=cert)
    for _ in range(100):
        try:
            with context.wrap_socket(socket.create_connection(("127.0.0.1", tls_port), timeout=1), server_hostname="127.0.0.1"):
                break
        except OSError:
            time.sleep(0.05)
    yield server, context, tls_port
    nginx.terminate()
    nginx.wait(timeout=15)
    server.stop()
    shutil.rmtree(prefix, ignore_errors=True)


def test_a_charge_point_connects_over_tls_with_basic_auth(behind_tls):
    server, context, tls_port = behind_tls
    app = server.create_app(name="TLS chargers")
    registered = server.cli("chargers", "add", "--app", app["clientId"], "--user", "owner-1", "--id", "WB-TLS-1")
    assert registered["url"] == f"wss://127.0.0.1:{tls_port}/ocpp/WB-TLS-1"
    basic = {"Authorization": "Basic " + base64.b64encode(f"WB-TLS-1:{registered['password']}".encode()).decode()}

    async def scenario():
        async with websockets.connect(registered["url"], subprotocols=["ocpp1.6"], ssl=context, additional_headers=basic) as socket:
            assert socket.subprotocol == "ocpp1.6"
            point = ChargePoint("WB-TLS-1", socket)
            reader = asyncio.create_task(point.start())
            boot = await point.call(call.BootNotification(charge_point_model="Pulsar Plus", charge_point_vendor="Wallbox"))
            assert boot.status == "Accepted"
            await point.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Available"))
            reader.cancel()
        with pytest.raises(websockets.InvalidStatus) as wrong:
            async with websockets.connect(registered["url"], subprotocols=["ocpp1.6"], ssl=context,
                                          additional_headers={"Authorization": "Basic " + base64.b64encode(b"WB-TLS-1:nope").decode()}):
                pass
        assert wrong.value.response.status_code == 401
        with pytest.raises((websockets.InvalidStatus, websockets.InvalidMessage, ConnectionError, OSError)):
            async with websockets.connect(registered["url"].replace("wss://", "ws://"), subprotocols=["ocpp1.6"], additional_headers=basic,
                                          open_timeout=5):
                pass

    asyncio.run(scenario())
    [charger] = server.cli("chargers", "list", "--app", app["clientId"])
    assert charger["vendor"] == "Wallbox" and charger["connectors"] == {"1": "Available"}
