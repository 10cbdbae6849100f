"""Smartcar webhooks as an app written for Smartcar sets them up, with the official SDK (6.19.1) only: a receiver
that answers the VERIFY challenge with `smartcar.hash_challenge` and checks every delivery with
`smartcar.verify_payload`; `carport webhooks create` for the definition; `Vehicle.subscribe` and
`Vehicle.unsubscribe`; the `FIRST_DELIVERY` event a subscription brings, a `VEHICLE_STATE` when the simulated car
is plugged in and `VEHICLE_ERROR` when its brand fails (both through the simulator API). (Retries at Smartcar's
offsets and the drop are checked in Swift on a stepped clock.)"""
import json
import subprocess
import time

import pytest
import requests
import smartcar
from smartcar.exception import SmartcarException

from conftest import carport_binary
from test_smartcar_sdk import connect
from webhook_receiver import Receiver


def answering_with_the_sdk(management_token, verified):
    def answer(headers, body):
        verified.append(smartcar.verify_payload(management_token, headers.get("SC-Signature", ""), body.decode()))
        event = json.loads(body)
        challenge = (event.get("data") or event.get("payload") or {}).get("challenge")
        return (200, {"challenge": smartcar.hash_challenge(management_token, challenge)}) if challenge else (200, None)
    return answer


def webhooks(carport, *args):
    result = subprocess.run([carport_binary(), "webhooks", *args], env=carport.env, capture_output=True, text=True)
    return result


def test_a_webhook_verified_with_hash_challenge_and_vehicles_subscribed_with_the_sdk(carport, app):
    signed = []
    receiver = Receiver(answer=answering_with_the_sdk(app["managementToken"], signed))
    created = webhooks(carport, "create", "--app", app["clientId"], "--name", "Charging", "--url", receiver.url,
                       "--triggers", "charge-ischarging,charge-ischargingcableconnected",
                       "--signals", "tractionbattery-stateofcharge", "--json")
    assert created.returncode == 0, created.stderr
    webhook = json.loads(created.stdout)
    assert webhook["verified"] is True, webhook
    assert signed == [True], "the challenge carries an SC-Signature that verify_payload accepts"
    headers, body = receiver.deliveries[0]
    challenge = json.loads(body)
    assert challenge["eventType"] == "VERIFY" and challenge["meta"]["version"] == "4.0"
    assert challenge["meta"]["webhookId"] == webhook["id"] and challenge["meta"]["webhookName"] == "Charging"
    assert headers["Content-Type"] == "application/json" and body == json.dumps(challenge, separators=(",", ":")).encode()

    _, access = connect(carport, app, email="webhook-owner@example.com")
    vehicle = smartcar.Vehicle(smartcar.get_vehicles(access.access_token).vehicles[0], access.access_token)
    subscribed = vehicle.subscribe(webhook["id"])
    assert subscribed.webhook_id == webhook["id"] and subscribed.vehicle_id == vehicle.vehicle_id
    deadline = time.time() + 15
    while time.time() < deadline and not any(json.loads(b).get("eventType") == "VEHICLE_STATE" for _, b in receiver.deliveries):
        time.sleep(0.1)
    state = next(json.loads(b) for _, b in receiver.deliveries if json.loads(b).get("eventType") == "VEHICLE_STATE")
    assert state["triggers"] == [{"type": "FIRST_DELIVERY"}] and state["vehicleId"] == vehicle.vehicle_id
    assert [s["code"] for s in state["data"]["signals"]] == ["tractionbattery-stateofcharge"]
    assert state["meta"]["webhookId"] == webhook["id"] and state["meta"]["deliveryId"]
    assert signed and all(signed), "every delivery carries an SC-Signature that verify_payload accepts"
    listed = json.loads(webhooks(carport, "list", "--app", app["clientId"], "--json").stdout)
    assert [w["subscribedVehicles"] for w in listed if w["id"] == webhook["id"]] == [[vehicle.vehicle_id]]

    with pytest.raises(SmartcarException) as bad_id:
        vehicle.subscribe("00000000-0000-0000-0000-000000000000")
    assert bad_id.value.status_code == 400 and bad_id.value.type == "VALIDATION"
    with pytest.raises(SmartcarException) as bad_token:
        vehicle.unsubscribe("cpm_not-the-token", webhook["id"])
    assert bad_token.value.status_code == 401 and bad_token.value.type == "AUTHENTICATION"
    assert vehicle.unsubscribe(app["managementToken"], webhook["id"]).status == "success"
    listed = json.loads(webhooks(carport, "list", "--app", app["clientId"], "--json").stdout)
    assert [w["subscribedVehicles"] for w in listed if w["id"] == webhook["id"]] == [[]]

    # The legacy kinds get the 2.0 challenge; the log shows every attempt.
    legacy = webhooks(carport, "create", "--app", app["clientId"], "--name", "Hourly", "--url", receiver.url,
                      "--legacy", "scheduled", "--interval", "1h", "--endpoints", "/battery,/charge", "--json")
    assert legacy.returncode == 0, legacy.stderr
    assert json.loads(legacy.stdout)["interval"] == 3600 and json.loads(receiver.deliveries[-1][1])["version"] == "2.0"
    assert all(signed)
    log = json.loads(webhooks(carport, "deliveries", webhook["id"], "--json").stdout)
    assert ("VERIFY", 200, True) in [(entry["eventType"], entry["status"], entry["succeeded"]) for entry in log]
    assert ("VEHICLE_STATE", 200, True) in [(entry["eventType"], entry["status"], entry["succeeded"]) for entry in log]


def test_a_callback_that_does_not_answer_the_challenge_stays_unverified(carport, app):
    receiver = Receiver()
    created = webhooks(carport, "create", "--app", app["clientId"], "--name", "Silent", "--url", receiver.url,
                       "--triggers", "charge-ischarging", "--json")
    assert created.returncode == 0, created.stderr
    webhook = json.loads(created.stdout)
    assert webhook["verified"] is False and "HMAC-SHA256" in webhook["verification"]["reason"]
    again = webhooks(carport, "verify", webhook["id"])
    assert again.returncode != 0 and "VERIFY failed" in again.stdout
    bad = webhooks(carport, "create", "--app", app["clientId"], "--name", "Bad", "--url", receiver.url, "--triggers", "warp")
    assert bad.returncode != 0 and "unknown signal code(s) warp" in bad.stderr


def wait_for(receiver, predicate, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = [json.loads(body) for _, body in receiver.deliveries if predicate(json.loads(body))]
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no such delivery in {[json.loads(b) for _, b in receiver.deliveries]}")


def test_a_simulated_car_plugged_in_and_failing_sends_state_and_error_events(carport):
    app = carport.create_app(name="Smartcar events", mode="simulated")
    signed = []
    receiver = Receiver(answer=answering_with_the_sdk(app["managementToken"], signed))
    created = webhooks(carport, "create", "--app", app["clientId"], "--name", "Plug", "--url", receiver.url,
                       "--triggers", "charge-ischargingcableconnected",
                       "--signals", "charge-ischargingcableconnected,tractionbattery-stateofcharge", "--json")
    webhook = json.loads(created.stdout)
    assert webhook["verified"] is True, created.stderr
    car = carport.cli("sim", "create", "--app", app["clientId"], "--make", "TESLA", "--email", "events-owner@example.com")
    _, access = connect(carport, app, mode="simulated", brand="TESLA", email=car["email"], password=car["password"])
    vehicle = smartcar.Vehicle(smartcar.get_vehicles(access.access_token).vehicles[0], access.access_token)
    vehicle.subscribe(webhook["id"])
    wait_for(receiver, lambda event: event.get("triggers") == [{"type": "FIRST_DELIVERY"}])

    simulator = f"{carport.base_url}/simulator/vehicles/{car['vin']}"
    headers = {"Authorization": "Bearer " + app["managementToken"]}
    assert requests.post(simulator + "/plug", headers=headers).status_code == 200
    [state] = wait_for(receiver, lambda event: event.get("eventType") == "VEHICLE_STATE"
                       and event["triggers"][0].get("type") == "SIGNAL_UPDATED")
    assert state["triggers"] == [{"type": "SIGNAL_UPDATED", "signal": {
        "code": "charge-ischargingcableconnected", "name": "IsChargingCableConnected", "group": "Charge"}}]
    signals = {signal["code"]: signal for signal in state["data"]["signals"]}
    assert signals["charge-ischargingcableconnected"]["body"] == {"value": True}
    assert signals["charge-ischargingcableconnected"]["status"] == {"value": "SUCCESS"}
    assert 0 <= signals["tractionbattery-stateofcharge"]["body"]["value"] <= 100

    assert requests.post(simulator + "/fail", headers=headers, json={"error": "BRAND_UNAVAILABLE"}).json()["fault"] == "BRAND_UNAVAILABLE"
    [failed] = wait_for(receiver, lambda event: event.get("eventType") == "VEHICLE_ERROR")
    error = failed["data"]["errors"][0]
    assert error["state"] == "ERROR" and error["type"] == "UPSTREAM" and failed["vehicleId"] == vehicle.vehicle_id
    assert requests.post(simulator + "/recover", headers=headers).status_code == 200
    wait_for(receiver, lambda event: event.get("eventType") == "VEHICLE_ERROR" and event["data"]["errors"][0]["state"] == "RESOLVED")
    assert signed and all(signed), "every delivery passes verify_payload"

    # Unsubscribed: a change sends nothing more.
    assert vehicle.unsubscribe(app["managementToken"], webhook["id"]).status == "success"
    count = len(receiver.deliveries)
    assert requests.post(simulator + "/unplug", headers=headers).status_code == 200
    time.sleep(1.5)
    assert len(receiver.deliveries) == count
