"""Smartcar webhook fan-out: simulated vehicles subscribed to one webhook, one trigger change each (plugged in
through the simulator API), every event delivered, signed, to a local receiver. Measures deliveries per second and
the time from each change to its delivery."""
import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import requests

from connect_pages import approve
from conftest import free_port

REDIRECT = "https://bench.example/callback"
CARS_PER_OWNER = 100
TRIGGER = "charge-ischargingcableconnected"


class Receiver:
    """A minimal HTTP/1.1 keep-alive receiver on loopback (asyncio, its own thread): checks every `SC-Signature`,
    answers VERIFY challenges, and notes when each event arrived."""

    def __init__(self, key):
        self.key = key.encode()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.events = []  # (arrival time, signature ok, event)
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        threading.Thread(target=self._serve, args=(started,), daemon=True).start()
        started.wait(10)

    def _serve(self, started):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._connection, "127.0.0.1", self.port, backlog=512))
        started.set()
        self.loop.run_forever()

    async def _connection(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {}
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                arrived = time.time()
                signed = hmac.compare_digest(hmac.new(self.key, body, hashlib.sha256).hexdigest(), headers.get("sc-signature", ""))
                event = json.loads(body)
                self.events.append((arrived, signed, event))
                answer = b""
                if event.get("eventType") == "VERIFY":
                    challenge = event["data"]["challenge"].encode()
                    answer = json.dumps({"challenge": hmac.new(self.key, challenge, hashlib.sha256).hexdigest()}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def state_events(self, trigger):
        return [(arrived, signed, event) for arrived, signed, event in list(self.events)
                if event.get("eventType") == "VEHICLE_STATE" and event.get("triggers", [{}])[0].get("type") == trigger]

    def wait(self, trigger, count, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline and len(self.state_events(trigger)) < count:
            time.sleep(0.05)
        return self.state_events(trigger)

    def stop(self):
        async def shutdown():
            self.server.close()
            for task in asyncio.all_tasks() - {asyncio.current_task()}:
                task.cancel()
        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def fan_out(server, vehicles, workers=16):
    """Seeds `vehicles` simulated cars (owners of 100 cars each, one Connect flow per owner), subscribes each
    with the SDK's call, waits for the first deliveries, then plugs every car in and times its event."""
    app = server.create_app(name="Webhook bench", mode="simulated", redirect_uris=(REDIRECT,))
    amt = app["managementToken"]
    receiver = Receiver(amt)
    management = {"Authorization": "Basic " + base64.b64encode(f"default:{amt}".encode()).decode()}
    try:
        webhook = requests.post(server.base_url + "/v2.0/management/webhooks", headers=management, json={
            "name": "Bench", "url": receiver.url, "triggers": [TRIGGER], "signals": [TRIGGER, "tractionbattery-stateofcharge"]}).json()
        assert webhook.get("verified") is True, webhook
        owners = max(1, vehicles // CARS_PER_OWNER)
        simulator = {"Authorization": "Bearer " + amt}
        local = threading.local()

        def session():
            if not hasattr(local, "session"):
                local.session = requests.Session()
            return local.session

        started = time.time()

        def create(index):
            owner = index % owners
            response = session().post(server.base_url + "/simulator/vehicles", headers=simulator, json={
                "make": "TESLA", "model": "Model 3", "email": f"fleet{owner}@bench.example", "password": f"bench-owner-{owner}"})
            response.raise_for_status()
            return response.json()["vin"]

        with ThreadPoolExecutor(workers) as pool:
            vins = list(pool.map(create, range(owners * CARS_PER_OWNER)))
        basic = base64.b64encode(f"{app['clientId']}:{app['clientSecret']}".encode()).decode()

        def connect(owner):
            url = (f"{server.base_url}/oauth/authorize?response_type=code&client_id={app['clientId']}&redirect_uri={REDIRECT}"
                   f"&scope=read_vehicle_info%20read_battery%20read_charge&mode=simulated&state=bench")
            callback = approve(url, server.base_url, brand="TESLA", email=f"fleet{owner}@bench.example", password=f"bench-owner-{owner}")
            token = requests.post(server.base_url + "/oauth/token", headers={"Authorization": "Basic " + basic}, data={
                "grant_type": "authorization_code", "code": parse_qs(urlparse(callback).query)["code"][0],
                "redirect_uri": REDIRECT}).json()["access_token"]
            ids = []
            while len(ids) % 50 == 0:
                page = requests.get(f"{server.base_url}/v2.0/vehicles?limit=50&offset={len(ids)}",
                                    headers={"Authorization": "Bearer " + token}).json()["vehicles"]
                ids += page
                if not page:
                    break
            return [(token, vehicle) for vehicle in ids]

        with ThreadPoolExecutor(min(workers, owners)) as pool:
            connected = [pair for pairs in pool.map(connect, range(owners)) for pair in pairs]
        seeded = time.time()

        def subscribe(pair):
            token, vehicle = pair
            response = session().post(f"{server.base_url}/v2.0/vehicles/{vehicle}/webhooks/{webhook['id']}",
                                    headers={"Authorization": "Bearer " + token})
            response.raise_for_status()

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(subscribe, connected))
        first = receiver.wait("FIRST_DELIVERY", len(connected), 300)
        subscribed = time.time()

        changed_at = {}

        def plug(vin):
            changed_at[vin] = time.time()
            session().post(f"{server.base_url}/simulator/vehicles/{vin}/plug", headers=simulator).raise_for_status()

        change_start = time.time()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(plug, vins))
        changes_done = time.time()
        updates = receiver.wait("SIGNAL_UPDATED", len(vins), 300)
        by_vin = {}
        for arrived, _, event in updates:
            by_vin.setdefault(event["data"]["vehicle"]["vin"], arrived)
        latencies = [(by_vin[vin] - changed_at[vin]) * 1000 for vin in vins if vin in by_vin]
        last = max(arrived for arrived, _, _ in updates) if updates else change_start
        errors = [event["data"]["errors"][0] for _, _, event in list(receiver.events) if event.get("eventType") == "VEHICLE_ERROR"]
        return {
            "vehicles": len(vins), "owners": owners, "subscribed": len(connected),
            "first_deliveries": len(first), "updates_delivered": len(by_vin), "duplicates": len(updates) - len(by_vin),
            "unsigned": sum(1 for _, signed, _ in receiver.events if not signed),
            "vehicle_errors": len(errors),
            "first_vehicle_error": (f"{errors[0]['type']}:{errors[0].get('code')} {errors[0]['state']} {errors[0]['description']}"
                                    if errors else None),
            "seed_seconds": round(seeded - started, 1), "subscribe_seconds": round(subscribed - seeded, 1),
            "changes_per_second": round(len(vins) / max(1e-9, changes_done - change_start), 1),
            "deliveries_per_second": round(len(by_vin) / max(1e-9, last - change_start), 1),
            "change_to_delivery_p50_ms": round(percentile(latencies, 0.5), 1) if latencies else None,
            "change_to_delivery_p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
        }
    finally:
        receiver.stop()
