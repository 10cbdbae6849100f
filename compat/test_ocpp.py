"""Charge points built with the `ocpp` package (mobilityhouse; it validates every message against the official
schemas both ways) connect to Carport's OCPP endpoint over `websockets`, once as 1.6 and once as 2.0.1: boot,
heartbeat, status, authorization, a transaction with meter values, all persisted; and the refusals OCPP-J asks
for, with the charger still connected afterwards."""
import asyncio
import base64
import datetime
import html as markup
import json
import re
import threading

import time
from urllib.parse import urljoin, urlparse

import pytest
import requests
import websockets
from authlib.integrations.requests_client import OAuth2Session
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as call_result16
import subprocess

from ocpp.v16.enums import Action, ChargingProfileStatus, ConfigurationStatus, RemoteStartStopStatus
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as call_result201
from ocpp.v201.enums import Action as Action201

from conftest import carport_binary
from connect_pages import approve
from jedlix_sdk import JedlixApp, owner

REDIRECT = "https://app.example/callback"


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def register(carport, app, charge_point_id, *extra):
    return carport.cli("chargers", "add", "--app", app["clientId"], "--user", "owner-1", "--id", charge_point_id, *extra)


def charger(carport, app, charge_point_id):
    return next(c for c in carport.cli("chargers", "list", "--app", app["clientId"]) if c["chargePointId"] == charge_point_id)


def connect(registered, protocols, password=None):
    basic = base64.b64encode(f"{registered['chargePointId']}:{password or registered['password']}".encode()).decode()
    return websockets.connect(registered["url"], subprotocols=protocols, additional_headers={"Authorization": "Basic " + basic})


async def raw(socket, text):
    await socket.send(text)
    return json.loads(await asyncio.wait_for(socket.recv(), 10))


def test_an_ocpp_16_charge_point_boots_charges_and_meters(carport, app):
    registered = register(carport, app, "WB-16-0001")
    assert registered["url"].startswith("ws://127.0.0.1:") and registered["url"].endswith("/ocpp/WB-16-0001")
    assert len(registered["password"]) == 40

    async def scenario():
        async with connect(registered, ["ocpp1.6"]) as socket:
            assert socket.subprotocol == "ocpp1.6"
            # What OCPP-J answers to frames it cannot take; the connection stays usable.
            assert (await raw(socket, "[2, not json"))[:3] == [4, "-1", "FormationViolation"]
            assert (await raw(socket, '[2,"m1","FlyToTheMoon",{}]'))[:3] == [4, "m1", "NotImplemented"]
            assert (await raw(socket, '[2,"m2","BootNotification",{"chargePointVendor":1,"chargePointModel":"x"}]'))[:3] == \
                [4, "m2", "TypeConstraintViolation"]
            assert (await raw(socket, '[2,"m3","BootNotification",{"chargePointVendor":"x"}]'))[:3] == [4, "m3", "OccurenceConstraintViolation"]
            assert (await raw(socket, '[2,"m4","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Dancing"}]'))[:3] == \
                [4, "m4", "PropertyConstraintViolation"]
            assert (await raw(socket, '[7,"m5",{}]'))[:3] == [4, "m5", "FormationViolation"]

            point = ChargePoint16("WB-16-0001", socket)
            reader = asyncio.create_task(point.start())
            boot = await point.call(call16.BootNotification(charge_point_model="Pulsar Plus", charge_point_vendor="Wallbox",
                                                            firmware_version="6.2.11"))
            assert boot.status == "Accepted" and boot.interval == 30 and boot.current_time
            assert (await point.call(call16.Heartbeat())).current_time
            await point.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Preparing"))
            assert (await point.call(call16.Authorize(id_tag="OWNER-TAG"))).id_tag_info["status"] == "Accepted"
            started = await point.call(call16.StartTransaction(connector_id=1, id_tag="OWNER-TAG", meter_start=12000, timestamp=now()))
            assert isinstance(started.transaction_id, int) and started.id_tag_info["status"] == "Accepted"
            await point.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Charging"))
            await point.call(call16.MeterValues(connector_id=1, transaction_id=started.transaction_id, meter_value=[{
                "timestamp": now(), "sampledValue": [
                    {"value": "7.4", "measurand": "Power.Active.Import", "unit": "kW"},
                    {"value": "12500", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]))
            during = charger(carport, app, "WB-16-0001")
            assert during["connected"] is True and during["version"] == "ocpp1.6"
            assert during["vendor"] == "Wallbox" and during["model"] == "Pulsar Plus"
            assert during["connectors"] == {"1": "Charging"} and during["transactionId"] == str(started.transaction_id)
            assert during["powerW"] == 7400 and during["energyWh"] == 12500
            await point.call(call16.StopTransaction(meter_stop=14000, timestamp=now(), transaction_id=started.transaction_id,
                                                    reason="Local"))
            reader.cancel()
        after = charger(carport, app, "WB-16-0001")
        assert after.get("transactionId") is None and after["energyWh"] == 14000 and after["powerW"] == 0

    asyncio.run(scenario())


def test_an_ocpp_201_charging_station_boots_and_reports_a_transaction(carport, app):
    registered = register(carport, app, "CS-201-0001")

    async def scenario():
        async with connect(registered, ["ocpp2.0.1", "ocpp1.6"]) as socket:
            assert socket.subprotocol == "ocpp2.0.1", "the newest version offered"
            assert (await raw(socket, "{}"))[:3] == [4, "-1", "RpcFrameworkError"]
            assert (await raw(socket, '[2,"b1","BootNotification",{"reason":"PowerUp"}]'))[:3] == [4, "b1", "OccurrenceConstraintViolation"]
            station = ChargePoint201("CS-201-0001", socket)
            reader = asyncio.create_task(station.start())
            boot = await station.call(call201.BootNotification(
                charging_station={"model": "Terra AC", "vendor_name": "ABB"}, reason="PowerUp"))
            assert boot.status == "Accepted" and boot.interval == 30
            await station.call(call201.StatusNotification(timestamp=now(), connector_status="Occupied", evse_id=1, connector_id=1))
            await station.call(call201.TransactionEvent(
                event_type="Started", timestamp=now(), trigger_reason="CablePluggedIn", seq_no=0,
                transaction_info={"transaction_id": "tx-201-1", "charging_state": "Charging"}, evse={"id": 1, "connector_id": 1},
                meter_value=[{"timestamp": now(), "sampled_value": [
                    {"value": 11.0, "measurand": "Power.Active.Import", "unit_of_measure": {"unit": "kW"}}]}]))
            await station.call(call201.MeterValues(evse_id=1, meter_value=[{"timestamp": now(), "sampled_value": [
                {"value": 3.5, "measurand": "Energy.Active.Import.Register", "unit_of_measure": {"unit": "kWh"}}]}]))
            during = charger(carport, app, "CS-201-0001")
            assert during["version"] == "ocpp2.0.1" and during["vendor"] == "ABB" and during["connectors"] == {"1/1": "Occupied"}
            assert during["transactionId"] == "tx-201-1" and during["powerW"] == 11000 and during["energyWh"] == 3500
            await station.call(call201.TransactionEvent(event_type="Ended", timestamp=now(), trigger_reason="EVDeparted", seq_no=1,
                                                        transaction_info={"transaction_id": "tx-201-1"}))
            reader.cancel()
        assert charger(carport, app, "CS-201-0001").get("transactionId") is None

    asyncio.run(scenario())


def test_refusals_on_connecting(carport, app):
    registered = register(carport, app, "WB-REFUSED-1")

    async def scenario():
        with pytest.raises(websockets.InvalidStatus) as wrong:
            async with connect(registered, ["ocpp1.6"], password="0" * 40):
                pass
        assert wrong.value.response.status_code == 401
        unknown = dict(registered, url=registered["url"].replace("WB-REFUSED-1", "NOBODY"), chargePointId="NOBODY")
        with pytest.raises(websockets.InvalidStatus) as missing:
            async with connect(unknown, ["ocpp1.6"]):
                pass
        assert missing.value.response.status_code == 404
        # No subprotocol in common: the handshake completes without one, then Carport closes.
        async with connect(registered, ["ocpp1.5"]) as socket:
            assert socket.subprotocol is None
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 10)
            assert closed.value.rcvd.code == 1002

    asyncio.run(scenario())
    rotated = carport.cli("chargers", "rotate-password", "--app", app["clientId"], "WB-REFUSED-1")
    assert rotated["password"] != registered["password"]

    async def with_the_new_password():
        async with connect(rotated, ["ocpp1.6"]) as socket:
            assert socket.subprotocol == "ocpp1.6"
        with pytest.raises(websockets.InvalidStatus):
            async with connect(registered, ["ocpp1.6"]):
                pass

    asyncio.run(with_the_new_password())
    insecure = register(carport, app, "LAN-CHARGER-1", "--insecure")
    assert insecure.get("password") is None and insecure["insecure"] is True


class Wallbox(ChargePoint16):
    """A 1.6 charge point as a real wallbox behaves: it accepts Carport's configuration, starts a transaction when
    asked, follows a TxDefaultProfile (0 A suspends charging, SuspendedEVSE; more resumes it), meters energy while
    charging, and answers an operator's reset and trigger."""

    configured = None
    transaction = None
    energy = 1000
    reset = None

    @on(Action.change_configuration)
    def on_change_configuration(self, key, value):
        self.configured = (key, value)
        return call_result16.ChangeConfiguration(status=ConfigurationStatus.accepted)

    @on(Action.remote_start_transaction)
    def on_remote_start(self, id_tag, connector_id=None, **_):
        self.id_tag = id_tag
        return call_result16.RemoteStartTransaction(status=RemoteStartStopStatus.accepted)

    @after(Action.remote_start_transaction)
    async def after_remote_start(self, id_tag, **_):
        started = await self.call(call16.StartTransaction(connector_id=1, id_tag=id_tag, meter_start=self.energy, timestamp=now()))
        self.transaction = started.transaction_id
        await self.report(7400)

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, connector_id, cs_charging_profiles):
        self.limit = cs_charging_profiles["charging_schedule"]["charging_schedule_period"][0]["limit"]
        return call_result16.SetChargingProfile(status=ChargingProfileStatus.accepted)

    @after(Action.set_charging_profile)
    async def after_set_charging_profile(self, **_):
        await self.report(7400 if self.limit > 0 else 0)

    @on(Action.reset)
    def on_reset(self, type):
        self.reset = type
        return call_result16.Reset(status="Accepted")

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id):
        self.stopped = transaction_id
        return call_result16.RemoteStopTransaction(status=RemoteStartStopStatus.accepted)

    @after(Action.remote_stop_transaction)
    async def after_remote_stop(self, transaction_id):
        await self.call(call16.StopTransaction(meter_stop=self.energy, timestamp=now(), transaction_id=transaction_id, reason="Remote"))
        self.transaction = None

    @on(Action.trigger_message)
    def on_trigger_message(self, requested_message, connector_id=None):
        return call_result16.TriggerMessage(status="Accepted" if requested_message == "Heartbeat" else "NotImplemented")

    async def report(self, watts):
        self.energy += 400 if watts else 0
        await self.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Charging" if watts else "SuspendedEVSE"))
        await self.call(call16.MeterValues(connector_id=1, transaction_id=self.transaction, meter_value=[{
            "timestamp": now(), "sampledValue": [{"value": str(watts), "measurand": "Power.Active.Import", "unit": "W"},
                                                 {"value": str(self.energy), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]))


class Station(ChargePoint201):
    """A 2.0.1 charging station: it takes Carport's sampling variables, starts a transaction when asked and follows a
    TxDefaultProfile, reporting each change as TransactionEvents with meter values."""

    variables = None
    transaction = None
    energy = 5000.0

    @on(Action201.set_variables)
    def on_set_variables(self, set_variable_data):
        self.variables = {f"{d['component']['name']}.{d['variable']['name']}": d["attribute_value"] for d in set_variable_data}
        return call_result201.SetVariables(set_variable_result=[
            {"attribute_status": "Accepted", "component": d["component"], "variable": d["variable"]} for d in set_variable_data])

    @on(Action201.request_start_transaction)
    def on_request_start(self, id_token, remote_start_id, **_):
        self.id_token = id_token
        return call_result201.RequestStartTransaction(status="Accepted")

    @after(Action201.request_start_transaction)
    async def after_request_start(self, remote_start_id, **_):
        self.transaction = "tx-enode-201"
        await self.event("Started", "RemoteStart", 11000, remote_start_id=remote_start_id)

    @on(Action201.set_charging_profile)
    def on_set_charging_profile(self, evse_id, charging_profile):
        self.limit = charging_profile["charging_schedule"][0]["charging_schedule_period"][0]["limit"]
        return call_result201.SetChargingProfile(status="Accepted")

    @after(Action201.set_charging_profile)
    async def after_set_charging_profile(self, **_):
        await self.event("Updated", "ChargingRateChanged", 11000 if self.limit > 0 else 0)

    @on(Action201.reset)
    def on_reset(self, type, **_):
        self.reset = type
        return call_result201.Reset(status="Accepted")

    seq = 0

    async def event(self, event_type, trigger, watts, **info):
        self.energy += 600 if watts else 0
        self.seq += 1
        await self.call(call201.TransactionEvent(
            event_type=event_type, timestamp=now(), trigger_reason=trigger, seq_no=self.seq, evse={"id": 1, "connector_id": 1},
            transaction_info={"transaction_id": self.transaction, "charging_state": "Charging" if watts else "SuspendedEVSE", **info},
            meter_value=[{"timestamp": now(), "sampled_value": [
                {"value": watts, "measurand": "Power.Active.Import", "unit_of_measure": {"unit": "W"}},
                {"value": self.energy, "measurand": "Energy.Active.Import.Register", "unit_of_measure": {"unit": "Wh"}}]}]))


class EnodeOwner:
    """An app's user on the Enode face with a car, a charging location and an OCPP charger registered there."""

    def __init__(self, carport, charge_point_id):
        self.carport = carport
        self.app = carport.create_app(name="OCPP App " + charge_point_id, mode="simulated")
        car = carport.cli("sim", "create", "--app", self.app["clientId"], "--make", "TESLA", "--email", f"{charge_point_id}@example.com")
        self.enode = carport.base_url + "/enode"
        client = OAuth2Session(self.app["clientId"], self.app["clientSecret"], token_endpoint_auth_method="client_secret_basic")
        client.fetch_token(self.enode + "/oauth2/token", grant_type="client_credentials")
        link_state = client.post(self.enode + "/users/ocpp-user/link", json={"vendor": "TESLA"}).json()["linkState"]
        self.user = OAuth2Session(self.app["clientId"], self.app["clientSecret"], scope="all offline_access", redirect_uri=REDIRECT)
        url, _ = self.user.create_authorization_url(self.enode + "/oauth2/auth", state=link_state)
        self.user.fetch_token(self.enode + "/oauth2/token", authorization_response=approve(
            url, carport.base_url, email=car["email"], password=car["password"]))
        location = self.user.post(self.enode + "/charging-locations", json={"name": "Home", "latitude": 59.91, "longitude": 10.75}).json()
        self.registered = carport.cli("chargers", "add", "--app", self.app["clientId"], "--user", "ocpp-user", "--id", charge_point_id,
                                      "--location", location["id"])

    def charger(self):
        [found] = self.user.get(self.enode + "/chargers", params={"field[]": ["chargeState", "information"]}).json()
        return found

    def charging(self, action):
        answer = self.user.post(f"{self.enode}/chargers/{self.charger()['id']}/charging", json={"action": action})
        assert answer.status_code == 204, answer.text
        path = urlparse(answer.headers["Location"]).path
        deadline = time.time() + 15
        while True:
            followed = self.user.get(self.carport.base_url + path).json()
            if followed["state"] != "PENDING" or time.time() > deadline:
                return followed
            time.sleep(0.2)

    def metered_kwh_today(self):
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        [bucket] = self.user.get(self.enode + "/statistics/charging", params={"type": "charger", "startDate": today}).json()
        return bucket["kwhSum"]

    def operator(self, command, *args):
        """`carport chargers …` from another process: the call reaches the charger through the database."""
        return subprocess.run([carport_binary(), "chargers", command, "--app", self.app["clientId"], self.registered["chargePointId"],
                               *args, "--json"], env=self.carport.env, capture_output=True, text=True)


def test_an_app_starts_and_pauses_an_ocpp_16_charger_through_the_enode_face(carport):
    owner = EnodeOwner(carport, "WB-ENODE-1")

    async def scenario():
        async with connect(owner.registered, ["ocpp1.6"]) as socket:
            point = Wallbox("WB-ENODE-1", socket)
            reader = asyncio.create_task(point.start())
            await point.call(call16.BootNotification(charge_point_model="Pulsar Plus", charge_point_vendor="Wallbox"))
            await point.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Preparing"))
            plugged = await asyncio.to_thread(owner.charger)
            assert plugged["isReachable"] is True and plugged["information"]["brand"] == "Wallbox"
            assert plugged["chargeState"]["isPluggedIn"] is True and plugged["chargeState"]["isCharging"] is False
            assert point.configured == ("MeterValuesSampledData", "Power.Active.Import,Energy.Active.Import.Register")

            started = await asyncio.to_thread(owner.charging, "START")
            assert started["state"] == "CONFIRMED", started
            assert point.id_tag == "CARPORT" and point.transaction is not None, "no transaction: a remote start"
            assert (await asyncio.to_thread(owner.charger))["chargeState"] == {"isPluggedIn": True, "isCharging": True, "chargeRate": 7.4}
            paused = await asyncio.to_thread(owner.charging, "STOP")
            assert paused["state"] == "CONFIRMED" and point.limit == 0, "paused with a 0 A TxDefaultProfile"
            assert (await asyncio.to_thread(owner.charger))["chargeState"]["isCharging"] is False
            resumed = await asyncio.to_thread(owner.charging, "START")
            assert resumed["state"] == "CONFIRMED" and point.limit > 0, "resumed within the same transaction"
            assert await asyncio.to_thread(owner.metered_kwh_today) == 0.8, "what the register rose while charging"

            # An operator's calls, from another process.
            reset = await asyncio.to_thread(owner.operator, "reset", "--hard")
            assert reset.returncode == 0 and json.loads(reset.stdout) == {"status": "Accepted"} and point.reset == "Hard", reset.stderr
            trigger = await asyncio.to_thread(owner.operator, "trigger", "MeterValues")
            assert trigger.returncode == 0 and json.loads(trigger.stdout) == {"status": "NotImplemented"}, trigger.stderr
            wrong = await asyncio.to_thread(owner.operator, "trigger", "TransactionEvent")
            assert wrong.returncode != 0 and "StatusNotification" in wrong.stderr, "the 1.6 messages are listed"
            refused = await asyncio.to_thread(owner.operator, "unlock")
            assert refused.returncode != 0 and "NotImplemented" in refused.stderr, refused.stderr
            ended = await asyncio.to_thread(owner.operator, "stop-transaction")
            assert json.loads(ended.stdout) == {"status": "Accepted"} and point.stopped is not None, ended.stderr
            for _ in range(50):
                if point.transaction is None:
                    break
                await asyncio.sleep(0.1)
            listed = await asyncio.to_thread(charger, carport, owner.app, "WB-ENODE-1")
            assert listed.get("transactionId") is None, listed
            none = await asyncio.to_thread(owner.operator, "stop-transaction")
            assert none.returncode != 0 and "no transaction" in none.stderr
            reader.cancel()
        # Offline: the command fails at once, and its action is FAILED; so does an operator's call.
        failed = owner.charging("STOP")
        assert failed["state"] == "FAILED" and "not connected" in failed["failureReason"]["detail"], failed
        offline = owner.operator("reset")
        assert offline.returncode != 0 and "not connected" in offline.stderr, offline.stderr

    asyncio.run(scenario())


def test_an_app_starts_and_pauses_an_ocpp_201_station_through_the_enode_face(carport):
    owner = EnodeOwner(carport, "CS-ENODE-201")

    async def scenario():
        async with connect(owner.registered, ["ocpp2.0.1"]) as socket:
            station = Station("CS-ENODE-201", socket)
            reader = asyncio.create_task(station.start())
            await station.call(call201.BootNotification(charging_station={"model": "Terra AC", "vendor_name": "ABB"}, reason="PowerUp"))
            await station.call(call201.StatusNotification(timestamp=now(), connector_status="Occupied", evse_id=1, connector_id=1))
            plugged = await asyncio.to_thread(owner.charger)
            assert plugged["chargeState"]["isPluggedIn"] is True and plugged["chargeState"]["isCharging"] is False
            assert station.variables == {"SampledDataCtrlr.TxUpdatedMeasurands": "Power.Active.Import,Energy.Active.Import.Register"}

            started = await asyncio.to_thread(owner.charging, "START")
            assert started["state"] == "CONFIRMED", started
            assert station.id_token == {"id_token": "CARPORT", "type": "Central"}
            assert (await asyncio.to_thread(owner.charger))["chargeState"] == {"isPluggedIn": True, "isCharging": True, "chargeRate": 11}
            paused = await asyncio.to_thread(owner.charging, "STOP")
            assert paused["state"] == "CONFIRMED" and station.limit == 0
            assert (await asyncio.to_thread(owner.charger))["chargeState"]["isCharging"] is False
            resumed = await asyncio.to_thread(owner.charging, "START")
            assert resumed["state"] == "CONFIRMED" and station.limit > 0, "resumed in the same transaction, not started again"
            assert await asyncio.to_thread(owner.metered_kwh_today) == 0.6, "the rise after the first reading"
            reset = await asyncio.to_thread(owner.operator, "reset")
            assert json.loads(reset.stdout) == {"status": "Accepted"} and station.reset == "OnIdle", reset.stderr
            reader.cancel()

    asyncio.run(scenario())


def ocpp_owner(charge_point_id, plug_in):
    """An owner who, on the charger page, chooses to connect their own charger over OCPP, types what the page shows
    into the charger (`plug_in(url, password)`) and waits on the page until the step finishes."""
    others = owner()

    def act(web, page):
        text = page.text
        if 'id="charge-point-id"' in text:
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text))
            action = urljoin(page.url, re.search(r'<form method="post" action="([^"]*charger/ocpp)"', text).group(1))
            return web.post(action, data={**fields, "charge_point_id": charge_point_id}, allow_redirects=False)
        if 'id="ocpp-url"' in text:
            password = re.search(r'id="ocpp-password">([^<]+)<', text)
            if password:
                plug_in(markup.unescape(re.search(r'id="ocpp-url">([^<]+)<', text).group(1)), password.group(1))
            else:
                time.sleep(0.5)
            check = markup.unescape(re.search(r'id="ocpp-check" href="([^"]+)"', text).group(1))
            return web.get(urljoin(page.url, check), allow_redirects=False)
        return others(web, page)

    return act


def test_a_jedlix_charger_session_finishes_when_the_owners_ocpp_charger_connects(carport):
    api, location = JedlixApp(carport).user_at_home()
    session = api.ok("POST", f"/charging-locations/{location['id']}/chargers/connect-sessions", status=201)
    booted, done = threading.Event(), threading.Event()

    def plug_in(url, password):
        assert url.endswith("/ocpp/HOME-WB-7")

        async def charger():
            async with connect({"url": url, "chargePointId": "HOME-WB-7", "password": password}, ["ocpp1.6"]) as socket:
                point = Wallbox("HOME-WB-7", socket)
                reader = asyncio.create_task(point.start())
                await point.call(call16.BootNotification(charge_point_model="Pulsar Plus", charge_point_vendor="Wallbox"))
                await point.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Available"))
                booted.set()
                await asyncio.to_thread(done.wait, 60)
                reader.cancel()

        threading.Thread(target=lambda: asyncio.run(charger()), daemon=True).start()

    try:
        finished = api.drive(session, ocpp_owner("HOME-WB-7", plug_in))
        assert booted.is_set() and finished["isFinished"] and finished["chargerId"]
        [charger] = api.ok("GET", f"/charging-locations/{location['id']}/chargers")
        assert charger["id"] == finished["chargerId"] and charger["detail"]["brand"] == "Wallbox", charger
        state = api.ok("GET", f"/charging-locations/{location['id']}/chargers/{finished['chargerId']}/state")
        assert state["chargeState"] == "disconnected", state
    finally:
        done.set()
    # The id is the owner's now: a second session cannot take it.
    again = api.ok("POST", f"/charging-locations/{location['id']}/chargers/connect-sessions", status=201)
    web = requests.Session()
    response = web.get(again["startUrl"], allow_redirects=True)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text))
    taken = web.post(response.url.split("/charger?")[0] + "/charger/ocpp", data={**fields, "charge_point_id": "HOME-WB-7"})
    assert taken.status_code == 422 and "registered already" in taken.text
