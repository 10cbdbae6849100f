"""OCPP load: charge points held on one Carport node, each booting, starting a transaction, then sending MeterValues
every second and a Heartbeat every 30 s. Raw OCPP-J 1.6 frames over `websockets` (the `ocpp` package is too slow for
load). Measures connections held, the server's added RSS per connection, meter values answered per second (Carport
answers a message once it is saved, so answered is persisted) and the CALLRESULT latency."""
import asyncio
import base64
import datetime
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "compat"))
from conftest import carport_binary  # noqa: E402 (the compat suite's fixtures)

CONNECT_CONCURRENCY = 50


def rss_kilobytes(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def register(server, app, count):
    """`carport chargers import` of `count` chargers; their URLs and passwords."""
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as file:
        file.write("userId,chargePointId\n")
        for index in range(count):
            file.write(f"owner-{index},LOAD-{index:05d}\n")
    try:
        output = subprocess.run([carport_binary(), "chargers", "import", "--app", app["clientId"], "--file", file.name, "--json"],
                                env=server.env, check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(file.name)
    return json.loads(output)


class ChargePoint:
    def __init__(self, entry, stats):
        self.entry, self.stats = entry, stats
        self.ids = itertools.count()
        self.energy = random.randint(1_000, 50_000)

    async def call(self, action, payload, measured=False):
        message_id = str(next(self.ids))
        began = time.perf_counter()
        await self.socket.send(json.dumps([2, message_id, action, payload]))
        while True:
            frame = json.loads(await self.socket.recv())
            if frame[0] == 2:  # Carport's own CALL (its sampling configuration): accepted
                await self.socket.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
                continue
            if frame[1] != message_id:
                continue
            if frame[0] != 3:
                self.stats["errors"] += 1
            elif measured:
                self.stats["latencies"].append(time.perf_counter() - began)
            return frame[2]

    async def run(self, gate, steady, window):
        basic = base64.b64encode(f"{self.entry['chargePointId']}:{self.entry['password']}".encode()).decode()
        async with gate:
            self.socket = await websockets.connect(self.entry["url"], subprotocols=["ocpp1.6"], open_timeout=120,
                                                   ping_interval=None, compression=None,
                                                   additional_headers={"Authorization": "Basic " + basic})
            await self.call("BootNotification", {"chargePointVendor": "LoadGen", "chargePointModel": "Virtual"})
            await self.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Charging"})
            started = await self.call("StartTransaction", {"connectorId": 1, "idTag": "LOAD", "meterStart": self.energy,
                                                           "timestamp": now()})
        self.stats["connected"] += 1
        await steady.wait()
        transaction = started["transactionId"]
        began, stop = window
        heartbeat_at = began + random.uniform(0, 30)
        next_at = began + random.uniform(0, 1)  # each charger's phase; `seconds` sends each in the window
        while next_at < stop:
            await asyncio.sleep(max(0, next_at - time.monotonic()))
            next_at += 1
            self.energy += 2
            watts = 7400 + random.randint(-20, 20)
            await self.call("MeterValues", {"connectorId": 1, "transactionId": transaction, "meterValue": [{
                "timestamp": now(), "sampledValue": [
                    {"value": str(watts), "measurand": "Power.Active.Import", "unit": "W"},
                    {"value": str(self.energy), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]}, measured=True)
            # Counted when answered within one metering interval of the window's end: a server that falls further
            # behind than that does not keep up.
            if time.monotonic() <= stop + 1:
                self.stats["meter_values"] += 1
            if time.monotonic() >= heartbeat_at:
                heartbeat_at += 30
                await self.call("Heartbeat", {}, measured=True)
        return self.socket


def ocpp_load(server, chargers, seconds):
    """Holds `chargers` charge points on `server` for `seconds` of steady load; the figures of the run."""
    app = server.create_app(name="OCPP load", mode="simulated")
    entries = register(server, app, chargers)
    before = rss_kilobytes(server.process.pid)

    async def main():
        stats = {"connected": 0, "meter_values": 0, "latencies": [], "errors": 0}
        gate, steady, window = asyncio.Semaphore(CONNECT_CONCURRENCY), asyncio.Event(), [0.0, 0.0]
        points = [ChargePoint(entry, stats) for entry in entries]
        tasks = [asyncio.create_task(point.run(gate, steady, window)) for point in points]
        connect_began = time.monotonic()
        while stats["connected"] < chargers:
            failed = [task for task in tasks if task.done() and task.exception()]
            if failed:
                raise failed[0].exception()
            await asyncio.sleep(0.1)
        connect_seconds = time.monotonic() - connect_began
        held = rss_kilobytes(server.process.pid)
        began = time.monotonic()
        window[:] = [began, began + seconds]
        steady.set()
        sockets = await asyncio.gather(*tasks)
        loaded = rss_kilobytes(server.process.pid)
        open_at_end = sum(1 for socket in sockets if socket.state == websockets.protocol.State.OPEN)
        for socket in sockets:
            await socket.close()
        latencies = sorted(stats["latencies"])
        return {
            "chargers": chargers, "seconds": seconds, "connections_held": open_at_end, "connect_seconds": round(connect_seconds, 1),
            "rss_before_mb": round(before / 1024, 1), "rss_held_mb": round(held / 1024, 1), "rss_loaded_mb": round(loaded / 1024, 1),
            "added_rss_kb_per_connection": round((held - before) / chargers, 1),
            "meter_values": stats["meter_values"], "meter_values_per_second": round(stats["meter_values"] / seconds, 1),
            "offered_per_second": chargers, "call_errors": stats["errors"],
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2) if latencies else None,
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2) if latencies else None,
        }

    return asyncio.run(main())


if __name__ == "__main__":
    # Alone: CARPORT_BIN=.build/release/carport compat/.venv/bin/python bench/ocpp_load.py [CHARGERS] [SECONDS]
    from conftest import Carport, free_port

    server = Carport(port=free_port(), environment={"CARPORT_RATE_APP": "1000000/s,1000000"})
    server.start()
    try:
        print(json.dumps(ocpp_load(server, int(sys.argv[1]) if len(sys.argv) > 1 else 2000,
                                   int(sys.argv[2]) if len(sys.argv) > 2 else 30), indent=2))
    finally:
        server.stop()
