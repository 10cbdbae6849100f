"""kill -9 under a mixed load: the single SQLite node, then one of two PostgreSQL nodes behind nginx (the config in
examples/cluster/nginx.conf). Clients read vehicles, rotate refresh tokens and send charge commands through the
Enode face while a local receiver takes the firehose webhook; nodes are killed at random moments and restarted.
Afterwards: every vendor action a client saw acknowledged reaches the receiver (duplicates are counted), every
refresh token a client saw issued works exactly once, every acknowledged command is what the car does, and the
SQLite file passes `PRAGMA integrity_check`."""
import base64
import collections
import os
import random
import sqlite3
import threading
import time
import uuid

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from conftest import FIGURES, Carport, ClusterProxy, fresh_postgres_database, free_port, wait_until_healthy
from connect_pages import approve
from webhook_receiver import Receiver

REDIRECT = "https://app.example/callback"
KILLS = 3
CARS = 3
NODE_ENV = {"CARPORT_WEBHOOK_PRIVATE_NETWORKS": "1", "CARPORT_WEBHOOK_RETRY": "1", "CARPORT_WEBHOOK_SCAN": "2",
            "CARPORT_LEASE_SECONDS": "10", "CARPORT_RATE_VEHICLE": "1000/s,1000", "CARPORT_RATE_APP": "10000/s,10000"}


class Client:
    """One linked user with one simulated car: its user token session, refresh token history and commands."""

    def __init__(self, base_url, app, car, user_id, client_token):
        self.base_url, self.app, self.car, self.user_id = base_url, app, car, user_id
        self.client_token = client_token
        self.refresh_token = None
        self.used_refresh_tokens = []
        self.ambiguous_refresh = False  # a refresh whose answer was lost: its outcome is unknown
        self.acked_actions = []  # (id, kind, state) the client saw
        self.ambiguous_command = False
        self.vehicle_id = None
        self.reads = self.refreshes = 0
        self.read_errors = collections.Counter()  # what a failed read got, by kind

    def token(self, **form):
        return requests.post(self.base_url + "/enode/oauth2/token", data=form, auth=(self.app["clientId"], self.app["clientSecret"]), timeout=10)

    def refresh(self):
        answer, self.ambiguous_refresh = settled(lambda: self.token(grant_type="refresh_token", refresh_token=self.refresh_token))
        if answer is None:
            return
        assert answer.status_code == 200, f"a refresh token the client saw issued was refused: {answer.status_code} {answer.text}"
        self.used_refresh_tokens.append(self.refresh_token)
        self.refresh_token = answer.json()["refresh_token"]
        self.access_token = answer.json()["access_token"]
        self.refreshes += 1

    def read(self):
        try:
            answer = requests.get(self.base_url + "/enode/vehicles", headers={"Authorization": "Bearer " + self.access_token}, timeout=10)
            if answer.status_code == 200:
                self.reads += 1
                return
            self.read_errors[str(answer.status_code)] += 1
        except requests.RequestException as error:
            self.read_errors["refused" if refused(error) else type(error).__name__] += 1

    def command(self, kind):
        url = f"{self.base_url}/enode/vehicles/{self.vehicle_id}/charging"
        headers = {"Authorization": "Bearer " + self.client_token, "Enode-User-Id": self.user_id}
        answer, self.ambiguous_command = settled(lambda: requests.post(url, json={"action": kind}, headers=headers, timeout=10))
        if answer is None:
            return
        assert answer.status_code == 200, f"{kind}: {answer.status_code} {answer.text}"
        action = answer.json()
        self.acked_actions.append((action["id"], action["kind"], action["state"]))


def refused(error):
    """The connection was refused: the request never reached a server, so trying again later is safe."""
    return isinstance(error, requests.ConnectionError) and "refused" in repr(error)


def settled(send):
    """Sends a request that changes state: (its answer, False), or (None, whether it may have been processed anyway)
    when no usable answer came — anything but a refused connection leaves its outcome unknown."""
    try:
        answer = send()
    except requests.RequestException as error:
        return None, not refused(error)
    if answer.status_code >= 500:
        return None, True
    return answer, False


def connect(base_url, cli_node, app, receiver):
    enode = base_url + "/enode"
    client = OAuth2Session(app["clientId"], app["clientSecret"], token_endpoint_auth_method="client_secret_basic")
    client_token = client.fetch_token(enode + "/oauth2/token", grant_type="client_credentials")["access_token"]
    assert client.put(enode + "/webhooks/firehose", json={"url": receiver.url, "secret": "s" * 32}).status_code == 204
    clients = []
    for index in range(CARS):
        email = f"crash-{index}-{uuid.uuid4().hex[:6]}@example.com"
        car = cli_node.cli("sim", "create", "--app", app["clientId"], "--make", "TESLA", "--email", email, "--soc", "0.3")
        plugged = requests.post(f"{base_url}/simulator/vehicles/{car['vin']}/plug",
                                headers={"Authorization": "Bearer " + app["managementToken"]})
        assert plugged.status_code == 200, plugged.text
        user_id = f"crash-user-{index}"
        link_state = client.post(enode + f"/users/{user_id}/link", json={"vendor": "TESLA"}).json()["linkState"]
        user = OAuth2Session(app["clientId"], app["clientSecret"], scope="all offline_access", redirect_uri=REDIRECT)
        url, _ = user.create_authorization_url(enode + "/oauth2/auth", state=link_state)
        callback = approve(url, base_url, email=car["email"], password=car["password"])
        tokens = user.fetch_token(enode + "/oauth2/token", authorization_response=callback)
        one = Client(base_url, app, car, user_id, client_token)
        one.refresh_token, one.access_token = tokens["refresh_token"], tokens["access_token"]
        one.vehicle_id = user.get(enode + "/vehicles").json()[0]["id"]
        clients.append(one)
    return clients


def load(clients, stop):
    """One thread per client: reads, a refresh every few reads, a command every few more; each kind of call stops
    for a client once one of its answers was lost (its outcome is then unknown)."""
    def run(client):
        step = 0
        while not stop.is_set():
            step += 1
            client.read()
            if step % 3 == 0 and not client.ambiguous_refresh:
                client.refresh()
            if step % 5 == 0 and not client.ambiguous_command:
                client.command("STOP" if (step // 5) % 2 else "START")
            time.sleep(0.02)
    threads = [threading.Thread(target=run, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    return threads


def crash_and_check(name, base_url, nodes, cli_node, app):
    receiver = Receiver()
    clients = connect(base_url, cli_node, app, receiver)
    stop = threading.Event()
    threads = load(clients, stop)
    for _ in range(KILLS):
        time.sleep(random.uniform(0.5, 2.0))
        victim = random.choice(nodes)
        victim.kill()
        time.sleep(random.uniform(0.1, 0.5))
        victim.start()
    time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    # Each acknowledged action was saved with its PENDING event, then its outcome with another, before the answer.
    expected = {(action_id, state) for client in clients for action_id, _, final in client.acked_actions
                for state in {"PENDING", final}}
    deadline = time.time() + 40  # a dead node's delivery lease (10 s) plus back-off
    seen = []
    while time.time() < deadline:
        seen = [(e["vendorAction"]["id"], e["vendorAction"]["state"]) for e in receiver.events()
                if e["event"] == "user:vendor-action:updated"]
        if expected <= set(seen):
            break
        time.sleep(0.25)
    lost = expected - set(seen)
    duplicated = len(seen) - len(set(seen))
    events = receiver.events()
    read_errors = sum((client.read_errors for client in clients), collections.Counter())
    FIGURES.append(f"crash {name}: {KILLS} kills survived; acknowledged actions {sum(len(c.acked_actions) for c in clients)}, "
                   f"their events expected {len(expected)} / delivered {len(expected & set(seen))} / lost {len(lost)}; "
                   f"vendor-action events duplicated {duplicated}; events delivered in all {len(events)} in {len(receiver.deliveries)} batches; "
                   f"refreshes {sum(c.refreshes for c in clients)} (answers lost {sum(c.ambiguous_refresh for c in clients)}); "
                   f"reads {sum(c.reads for c in clients)} (failed while a node was down: {dict(read_errors) or 0})")
    assert not lost, f"acknowledged actions whose events never arrived: {sorted(lost)}"
    assert any(client.acked_actions for client in clients), "no command was acknowledged at all"

    for client in clients:
        # Every rotation the client saw succeed still works, exactly once.
        if not client.ambiguous_refresh:
            current = client.refresh_token
            client.refresh()
            assert client.refresh_token != current
            replay = client.token(grant_type="refresh_token", refresh_token=current)
            assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant", "a refresh token worked twice"
        for used in client.used_refresh_tokens[-3:]:
            assert client.token(grant_type="refresh_token", refresh_token=used).status_code == 400
        # The last acknowledged command is what the car does.
        if client.acked_actions and not client.ambiguous_command:
            _, kind, _ = client.acked_actions[-1]
            state = requests.get(f"{base_url}/enode/vehicles/{client.vehicle_id}/charge-state",
                                 headers={"Authorization": "Bearer " + client.client_token, "Enode-User-Id": client.user_id}).json()
            assert state["isCharging"] == (kind == "START"), f"after an acknowledged {kind} the car shows {state}"


def test_kill_9_the_sqlite_node_under_load():
    node = Carport(environment=NODE_ENV)
    node.start()
    try:
        app = node.create_app(name="Crash SQLite", mode="simulated", redirect_uris=(REDIRECT,))
        crash_and_check("sqlite", node.base_url, [node], node, app)
        database = os.path.join(node.data_dir, "carport.sqlite")
        node.process.terminate()
        node.process.wait(timeout=15)
        with sqlite3.connect(database) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchall()
        FIGURES.append(f"crash sqlite: PRAGMA integrity_check = {result[0][0]}")
        assert result == [("ok",)]
    finally:
        node.stop()


def test_two_postgres_nodes_behind_nginx_survive_kill_9():
    ports = [free_port(), free_port()]
    proxy = ClusterProxy(ports)
    shared = {**NODE_ENV, "DATABASE_URL": fresh_postgres_database("carport_crash"), "CARPORT_PUBLIC_URL": proxy.url,
              "CARPORT_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode()}
    nodes = [Carport(port=port, environment=shared) for port in ports]
    try:
        for node in nodes:  # one after the other: the first start migrates the database
            node.start()
        assert wait_until_healthy(proxy.url + "/health", seconds=10), "nginx did not pass requests to the nodes"
        app = nodes[0].create_app(name="Crash cluster", mode="simulated", redirect_uris=(REDIRECT,))
        crash_and_check("postgres-2-nodes", proxy.url, nodes, nodes[0], app)
    finally:
        for node in nodes:
            node.stop()
        proxy.stop()
