"""The Enode v1 face as the seed's app uses it, on a simulated car: client token → firehose webhook → link →
authorize (state == linkState) → user token → vehicles with fields, smart-charging policy, charging, actions,
statistics; a local receiver checks every webhook signature, and every JSON answer is validated against the
face's own /enode/openapi.yaml (openapi-core)."""
import hashlib
import hmac
import json
import re
import secrets
import time
from urllib.parse import parse_qs, urlparse

import requests
import yaml
from authlib.integrations.requests_client import OAuth2Session
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from connect_pages import approve
from webhook_receiver import Receiver

REDIRECT = "https://app.example/callback"
SMART = {"SMART_CHARGING_DELAY", "SMART_CHARGING_ACTIVE", "SMART_CHARGING_DEADLINE"}


def poll(read, done, seconds=15):
    """`read()` until `done` holds of it (the control loop works in the background), or fail with the last answer."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            assert done(value), value
            return value
        time.sleep(0.2)


def hidden(html, name):
    """The value of a form field (hidden input or first radio/option) named `name`."""
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(rf'value="([^"]*)"[^>]*name="{name}"', html)
    assert match, f"no {name} field in {html[:300]}"
    return match.group(1)


class ResponseValidator:
    """Validates each Enode answer of a requests session against the served OpenAPI document."""

    def __init__(self, base_url):
        document = requests.get(base_url + "/enode/openapi.yaml")
        assert document.status_code == 200 and document.headers["Content-Type"].startswith("application/yaml")
        problems = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
        self.openapi = OpenAPI.from_dict(yaml.safe_load(document.text), config=problems)
        self.checked, self.failures = [], []

    def watch(self, session):
        session.hooks["response"].append(self.check)
        return session

    def check(self, response, *args, **kwargs):
        path = urlparse(response.url).path
        if "/oauth2/" in path:
            return  # OAuth endpoints are not part of the document
        try:
            self.openapi.validate_response(RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response))
            self.checked.append(f"{response.request.method} {path} {response.status_code}")
        except Exception as error:  # noqa: BLE001 — every failure is reported at the end
            self.failures.append(f"{response.request.method} {path} {response.status_code}: {error}")


def test_enode_api_on_a_simulated_car(carport):
    app = carport.create_app(name="Enode App", mode="simulated")
    car = carport.cli("sim", "create", "--app", app["clientId"], "--make", "TESLA", "--model", "Model 3",
                      "--email", "enode-sim@example.com")
    enode = carport.base_url + "/enode"
    validator = ResponseValidator(carport.base_url)
    client = validator.watch(OAuth2Session(app["clientId"], app["clientSecret"], token_endpoint_auth_method="client_secret_basic"))
    client.fetch_token(enode + "/oauth2/token", grant_type="client_credentials")

    receiver, secret = Receiver(), secrets.token_hex(20)
    assert client.put(enode + "/webhooks/firehose", json={"url": receiver.url, "secret": secret}).status_code == 204
    assert client.post(enode + "/webhooks/firehose/test").json()["status"] == "SUCCESS"

    link_state = client.post(enode + "/users/sim-user/link", json={"vendor": "TESLA"}).json()["linkState"]
    user = validator.watch(OAuth2Session(app["clientId"], app["clientSecret"], scope="all offline_access", redirect_uri=REDIRECT))
    url, _ = user.create_authorization_url(enode + "/oauth2/auth", state=link_state)
    callback = approve(url, carport.base_url, email=car["email"], password=car["password"])
    assert parse_qs(urlparse(callback).query)["state"] == [link_state]
    user.fetch_token(enode + "/oauth2/token", authorization_response=callback)

    fields = ["chargeState", "information", "location", "odometer", "smartChargingPolicy"]
    vehicle = user.get(enode + "/vehicles", params={"field[]": fields}).json()[0]
    assert set(vehicle) == {"id", "isReachable", "lastSeen", "chargingLocationId", *fields}
    assert vehicle["information"]["brand"] == "Tesla" and vehicle["chargeState"]["isPluggedIn"] is False
    vehicle_url = f"{enode}/vehicles/{vehicle['id']}"
    assert user.get(vehicle_url).json().keys() == {"id", "isReachable", "lastSeen", "chargingLocationId"}

    plugged = requests.post(f"{carport.base_url}/simulator/vehicles/{car['vin']}/plug",
                            headers={"Authorization": "Bearer " + app["managementToken"]})
    assert plugged.status_code == 200
    # Smart charging: the platform's loop plans once the car is plugged in at one of the owner's locations.
    garage = user.post(enode + "/charging-locations", json={"name": "Garage", **{k: vehicle["location"][k] for k in ("latitude", "longitude")}})
    assert garage.status_code == 201
    policy = user.put(vehicle_url + "/smart-charging-policy", json={"isEnabled": True, "deadline": "07:00"})
    expected_policy = {"isEnabled": True, "deadline": "07:00", "minimumChargeLimit": 0}
    assert policy.status_code == 200 and policy.json() == expected_policy
    assert user.get(vehicle_url + "/smart-charging-policy").json() == expected_policy
    status = poll(lambda: user.get(vehicle_url + "/smart-charging-status").json(), lambda s: s["state"].startswith("PLAN:EXECUTING:"))
    assert status["plan"]["chargingWindows"] and status["plan"]["smartCost"] <= status["plan"]["nonSmartCost"]
    assert user.get(vehicle_url + "/smart-charging-plans/latest").json()["id"] == status["plan"]["id"]
    planned = poll(lambda: user.get(vehicle_url + "/charge-state").json(),
                   lambda c: c["isChargingReasons"][0] in SMART and c["isCharging"] == (c["isChargingReasons"] != ["SMART_CHARGING_DELAY"]))
    assert len(planned["isChargingReasons"]) == 1

    stopped = user.post(vehicle_url + "/charging", json={"action": "STOP"})
    assert stopped.status_code == 204
    assert user.get(vehicle_url + "/charge-state").json()["isChargingReasons"] == ["MANUALLY_STOPPED"]
    started = user.post(vehicle_url + "/charging", json={"action": "START"})
    assert started.status_code == 204
    charge = user.get(vehicle_url + "/charge-state").json()
    assert charge["isCharging"] is True and charge["isChargingReasons"] == ["MANUALLY_STARTED"] and charge["chargeRate"] > 0
    assert user.get(started.headers["Location"]).json()["state"] == "CONFIRMED"

    by_header = {"Enode-User-Id": "sim-user"}
    action = client.post(vehicle_url + "/charging", json={"action": "STOP"}, headers=by_header).json()
    assert action["state"] == "CONFIRMED" and action["kind"] == "STOP" and action["userId"] == "sim-user"
    assert [v["id"] for v in client.get(enode + "/vehicles", headers=by_header).json()] == [vehicle["id"]]
    assert user.post(vehicle_url + "/watch", json={"properties": ["IS_CHARGING"]}).status_code == 200
    today = time.strftime("%Y-%m-%d", time.gmtime())
    statistics = user.get(enode + "/statistics/charging", params={"startDate": today, "resolution": "HOUR"}).json()
    assert statistics and all({"date", "kw", "kwhSum", "price", "costSum"} <= set(bucket) for bucket in statistics)
    assert user.get(enode + "/me").json()["linkedVendors"] == [{"vendor": "TESLA", "isValid": True}]
    assert user.get(enode + "/vehicles/not-a-vehicle").status_code == 404
    assert user.put(vehicle_url + "/smart-charging-policy", json={"deadline": "7am"}).status_code == 400

    # A charger: Link for a charger vendor is a hosted sign-in at one of the user's charging locations (the only one).
    assert user.delete(enode + "/charging-locations/" + garage.json()["id"]).status_code == 204
    place = user.post(enode + "/charging-locations", json={"name": "Home", "latitude": 59.91, "longitude": 10.75}).json()
    link = client.post(enode + "/users/sim-user/link", json={"vendor": "ZAPTEC"}).json()
    web = requests.Session()
    page = web.get(link["linkUrl"])
    signed_in = web.post(f"{carport.base_url}/connect-sessions/{link['linkState']}/charger/sign-in",
                         data={"key": hidden(page.text, "key"), "brand": "ZAPTEC", "username": "home@example.com", "password": "pw"})
    chosen = web.post(f"{carport.base_url}/connect-sessions/{link['linkState']}/charger/choose",
                      data={"key": hidden(signed_in.text, "key"), "serial": hidden(signed_in.text, "serial")}, allow_redirects=False)
    assert chosen.status_code == 303 and "/connect-sessions/done" in chosen.headers["Location"]
    charger = user.get(enode + "/chargers", params={"field[]": ["chargeState", "information", "location"]}).json()[0]
    assert charger["information"]["brand"] == "Zaptec" and charger["location"]["chargingLocationId"] == place["id"]
    command = client.post(f"{enode}/chargers/{charger['id']}/charging", json={"action": "STOP"}, headers=by_header)
    if charger["chargeState"]["isPluggedIn"]:
        assert command.json()["targetType"] == "charger" and command.json()["state"] == "CONFIRMED"
    else:
        assert command.status_code == 400 and command.headers["Content-Type"] == "application/problem+json"

    receiver.wait_for(lambda e: e["event"] == "user:vehicle:discovered")
    receiver.wait_for(lambda e: e["event"] == "user:vehicle:updated" and "chargeState" in e["vehicle"])
    for headers, body in receiver.deliveries:
        expected = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
        assert hmac.compare_digest(headers["X-Enode-Signature"], expected) and headers["X-Enode-Delivery"]
    assert {e["event"] for e in receiver.events()} >= {"enode:webhook:test", "user:vehicle:discovered", "user:vehicle:updated"}
    assert all(e["user"]["id"] == "sim-user" for e in receiver.events() if e["event"].startswith("user:"))

    assert validator.failures == [], "\n".join(validator.failures)
    assert len(validator.checked) >= 20, validator.checked
