"""The Jedlix face judged by a client that drives connect sessions as the Jedlix SDKs do (jedlix_sdk.py), with user
tokens signed by joserfc (Authlib's JOSE library) and the management token fetched with Authlib's OAuth2 client."""
import re
import time

import requests

from jedlix_sdk import JedlixApp, owner

MICROS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$")


def test_simulated_vehicle_session_then_one_car_per_user(carport):
    jedlix = JedlixApp(carport)
    api = jedlix.api(jedlix.create_user())
    session = api.ok("POST", "/vehicles/connect-sessions", status=201)
    assert session["isFinished"] is False and session["vehicleId"] is None and session["redirectInfo"] is None
    finished = api.drive(session, owner(brand="KIA", email="kia+2@example.com"))
    assert finished["vehicleId"] and finished["startUrl"] is None and finished["redirectUrl"] is None

    vehicles = api.ok("GET", "/vehicles")
    assert [v["id"] for v in vehicles] == [finished["vehicleId"]]
    vehicle = vehicles[0]
    assert vehicle["isConnected"] is True and vehicle["details"]["brand"] == "Kia"
    assert MICROS.match(vehicle["createdAt"]) and MICROS.match(vehicle["chargeState"]["updatedAt"])
    assert 0 <= vehicle["chargeState"]["batteryLevel"] <= 100

    second = api.call("POST", "/vehicles/connect-sessions")
    assert second.status_code == 409 and second.headers["Content-Type"].startswith("application/json")
    assert second.json()["title"] and finished["vehicleId"] in second.json()["detail"]
    assert api.ok("GET", "/vehicles")[0]["id"] == finished["vehicleId"]


def test_tesla_session_through_the_fakes_login_page(carport, tesla_fake):
    jedlix = JedlixApp(carport, mode="live")
    api = jedlix.api(jedlix.create_user())
    session = api.ok("POST", "/vehicles/connect-sessions", status=201)
    steps = []

    def recording_owner(web, page):
        steps.append(page.url.split("?")[0])
        return owner(brand="TESLA", email="owner@example.com", password="tesla-password")(web, page)

    finished = api.drive(session, recording_owner)
    assert finished["isFinished"] is True and finished["vehicleId"]
    assert any(step.startswith(tesla_fake.url + "/oauth2/v3/authorize") for step in steps), steps
    vehicle = api.ok("GET", f"/vehicles/{finished['vehicleId']}")
    assert vehicle["details"]["brand"] == "Tesla" and vehicle["isConnected"] is True
    assert vehicle["chargeState"]["chargeState"] in ("stopped", "charging", "complete", "disconnected")


def test_tesla_external_step_shape_and_state_check(carport, tesla_fake):
    jedlix = JedlixApp(carport, mode="live")
    api = jedlix.api(jedlix.create_user())
    session = api.ok("POST", "/vehicles/connect-sessions", status=201)
    # The hosted brand list: choosing Tesla ends the step at the done URL; the session then points at Tesla.
    web = __import__("requests").Session()
    target, _ = api._load_until(web, session["startUrl"], session["redirectUrl"], owner(brand="TESLA"))
    assert target.startswith(session["redirectUrl"])
    external = api.ok("GET", f"/connect-sessions/{session['id']}")
    assert external["startUrl"].startswith(tesla_fake.url + "/oauth2/v3/authorize?")
    assert "code_challenge=" in external["startUrl"] and "state=" in external["startUrl"]
    assert external["redirectUrl"] == carport.base_url + "/connect/oem/callback"
    assert external["redirectInfo"] == {"includeRedirectUrl": True, "includeCookies": ["tesla-auth.sid"], "includeBody": False}
    # Reading again does not change the step (the SDK would not reload).
    assert api.ok("GET", f"/connect-sessions/{session['id']}")["startUrl"] == external["startUrl"]
    # A forged redirect (wrong state) is refused with a clear message; the step stays.
    forged = api.call("POST", f"/connect-sessions/{session['id']}/info",
                      {"body": None, "redirectUrl": external["redirectUrl"] + "?code=x&state=" + session["id"] + ".nope"})
    assert forged.status_code == 400 and forged.json()["title"] and "state" in forged.json()["detail"]
    # The Android shape: `body` JSON-encoded twice, the cookie copied with its attributes.
    tesla = owner(brand="TESLA", email="owner@example.com", password="tesla-password")
    callback, html = api._load_until(web, external["startUrl"], external["redirectUrl"], tesla)
    sid = web.cookies.get("tesla-auth.sid")
    assert sid
    report = {"body": '"\\u003Chtml>\\u003C/html>"', "cookies": {"tesla-auth.sid": f"tesla-auth.sid\t{sid}\t127.0.0.1\t/"},
              "redirectUrl": callback}
    next_step = api.ok("POST", f"/connect-sessions/{session['id']}/info", report)
    if not next_step["isFinished"]:
        assert next_step["redirectInfo"] is None and next_step["startUrl"] != external["startUrl"]
        next_step = api.drive(next_step, tesla)
    assert next_step["isFinished"] is True and next_step["vehicleId"]


def test_charger_and_energy_supplier_sessions(carport):
    api, location = JedlixApp(carport).user_at_home()
    session = api.ok("POST", f"/charging-locations/{location['id']}/chargers/connect-sessions", status=201)
    assert session["chargingLocationId"] == location["id"] and session["chargerId"] is None
    finished = api.drive(session, owner(email="home+2@example.com", charger_brand="EASEE"))
    assert finished["chargerId"] and finished["chargingLocationId"] == location["id"]
    chargers = api.ok("GET", f"/charging-locations/{location['id']}/chargers")
    assert [c["id"] for c in chargers] == [finished["chargerId"]] and chargers[0]["detail"]["brand"] == "Easee"
    assert api.ok("GET", "/chargers") == chargers
    state = api.ok("GET", f"/charging-locations/{location['id']}/chargers/{finished['chargerId']}/state")
    assert state["chargeState"] in ("charging", "complete", "stopped", "disconnected")
    assert api.ok("GET", "/connect-sessions?type=charger") == []

    supplier = api.ok("POST", f"/charging-locations/{location['id']}/energy-supplier/connect-sessions", status=201)
    assert api.drive(supplier, owner())["isFinished"] is True
    read = api.ok("GET", f"/charging-locations/{location['id']}")
    assert read["energySupplierDetails"]["name"] == "Vattenfall" and read["energySupplierDetails"]["contractNumber"] == "VF-778899"
    assert [l["id"] for l in api.ok("GET", "/charging-locations?country=NL&region=Utrecht")] == [location["id"]]
    assert api.ok("GET", "/charging-locations?country=BE") == []


def test_resumed_session(carport):
    jedlix = JedlixApp(carport)
    api = jedlix.api(jedlix.create_user())
    session = api.ok("POST", "/vehicles/connect-sessions", status=201)
    # The user leaves the web view; the host app lists unfinished sessions and resumes the one it finds.
    unfinished = api.ok("GET", "/connect-sessions?type=vehicle")
    assert [s["id"] for s in unfinished] == [session["id"]]
    resumed = api.ok("GET", f"/connect-sessions/{unfinished[0]['id']}")
    finished = api.drive(resumed, owner(brand="VOLKSWAGEN", email="vw@example.com"))
    assert finished["isFinished"] is True and finished["vehicleId"]
    assert api.ok("GET", "/connect-sessions?type=vehicle") == []


def test_error_paths(carport):
    jedlix = JedlixApp(carport)
    user, other_user = jedlix.create_user(), jedlix.create_user()
    api, other = jedlix.api(user), jedlix.api(other_user)
    session = api.ok("POST", "/vehicles/connect-sessions", status=201)

    def problem(response, status):
        assert response.status_code == status, response.text
        assert response.headers["Content-Type"].split(";")[0] == "application/json"
        body = response.json()
        assert isinstance(body["title"], str) and isinstance(body["detail"], str) and body["status"] == status
        return body

    problem(jedlix.api(user, jedlix.user_token(user, expires_in=-60)).call("GET", "/vehicles"), 401)
    foreign = JedlixApp(carport)
    problem(jedlix.api(user, foreign.user_token(user)).call("GET", "/vehicles"), 401)
    problem(jedlix.api(user, jedlix.user_token(other_user)).call("GET", "/vehicles"), 403)
    problem(other.call("GET", f"/connect-sessions/{session['id']}"), 404)
    problem(api.call("GET", "/connect-sessions/5b3c3f3e-0000-4000-8000-000000000000"), 404)
    problem(api.call("POST", f"/connect-sessions/{session['id']}/info", {"cookies": ["not", "an", "object"]}), 400)
    problem(api.call("POST", f"/connect-sessions/{session['id']}/info", {"redirectUrl": "https://evil.example/cb?code=1"}), 400)


def test_charge_settings_drive_smart_charging_of_a_simulated_car(carport):
    """Charge settings with departure times; plugged in at home, the platform plans and the session is managed."""
    jedlix = JedlixApp(carport, mode="simulated")
    car = carport.cli("sim", "create", "--app", jedlix.credentials["clientId"], "--make", "TESLA", "--model", "Model 3",
                      "--email", "jedlix-sim@example.com", "--soc", "0.3")
    api = jedlix.api(jedlix.create_user())
    finished = api.drive(api.ok("POST", "/vehicles/connect-sessions", status=201),
                         owner(brand="TESLA", email=car["email"], password=car["password"]))
    vehicle = finished["vehicleId"]
    state = car["state"]
    api.ok("POST", "/charging-locations", {"coordinates": {"latitude": state["latitude"], "longitude": state["longitude"]},
                                           "address": {"street": "Unter den Linden", "houseNumber": "1", "city": "Berlin",
                                                       "country": "DE", "region": "Berlin"}}, status=201)
    every_day = {day: "07:30" for day in ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")}
    settings = api.ok("PUT", f"/vehicles/{vehicle}/charge-settings", {
        "isSmartChargingEnabled": True, "departureTimes": every_day, "timeZone": "Europe/Berlin",
        "directChargingBatteryLevel": 20, "desiredBatteryLevel": 80})
    assert settings["isSmartChargingEnabled"] is True and settings["departureTimes"]["friday"] == "07:30"
    assert api.ok("GET", f"/vehicles/{vehicle}/charge-settings") == settings
    bad = api.call("PUT", f"/vehicles/{vehicle}/charge-settings", {"departureTimes": {"someday": "07:30"}})
    assert bad.status_code == 400 and "someday" in bad.json()["detail"]

    plugged = requests.post(f"{carport.base_url}/simulator/vehicles/{car['vin']}/plug",
                            headers={"Authorization": "Bearer " + jedlix.credentials["managementToken"]})
    assert plugged.status_code == 200
    deadline = time.monotonic() + 15
    while not (sessions := api.ok("GET", f"/vehicles/{vehicle}/charging-sessions")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(sessions) == 1, sessions
    session = sessions[0]
    assert session["isManaged"] is True and session["isFinished"] is False and session["chargingLocationId"]
    assert session["state"].startswith("PLAN:EXECUTING:") and session["chargingWindows"]
    assert session["smartCost"] <= session["nonSmartCost"] and session["desiredBatteryLevel"] == 80
    assert MICROS.match(session["departureDateTime"])
