"""The getting-started example app (examples/getting-started) walks /login → Connect → /exchange → /vehicle."""
import os
import subprocess
import time

import requests

from conftest import carport_binary, free_port
from connect_pages import approve


def test_getting_started_shows_the_vehicle_table(carport):
    port = free_port()
    app = carport.create_app(name="Getting started", redirect_uris=(f"http://127.0.0.1:{port}/exchange",))
    binary = os.path.join(os.path.dirname(carport_binary()), "getting-started")
    env = dict(os.environ, SMARTCAR_CLIENT_ID=app["clientId"], SMARTCAR_CLIENT_SECRET=app["clientSecret"],
               SMARTCAR_REDIRECT_URI=f"http://127.0.0.1:{port}/exchange", CARPORT_URL=carport.base_url, PORT=str(port))
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                login = requests.get(base + "/login", allow_redirects=False, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert login.status_code in (302, 303)
        callback = approve(login.headers["Location"], carport.base_url, brand="NISSAN", email="tutorial@example.com")
        assert callback.startswith(base + "/exchange?code=")
        page = requests.get(callback, timeout=10)
        assert page.status_code == 200, page.text
        assert "<th>Make</th><td>NISSAN</td>" in page.text
        assert "<th>Model</th><td>" in page.text and "<th>Year</th>" in page.text
    finally:
        process.terminate()
        process.wait(timeout=10)
