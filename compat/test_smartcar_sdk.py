"""The official `smartcar` Python SDK (6.19.1), pointed at Carport by its SMARTCAR_* environment variables."""
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import smartcar
from smartcar.exception import SmartcarException

from connect_pages import approve

REDIRECT = "https://app.example/callback"
SCOPE = ["read_vehicle_info", "read_vin", "read_battery", "read_charge", "read_location", "read_odometer",
         "control_security", "control_charge"]


def connect(carport, app, mode="test", email="sdk-owner@example.com", brand="CHEVROLET", password="secret", scope=SCOPE):
    client = smartcar.AuthClient(app["clientId"], app["clientSecret"], REDIRECT, mode=mode)
    url = client.get_auth_url(scope, {"state": "sdk-state"})
    assert url.startswith(carport.base_url + "/oauth/authorize?")
    callback = approve(url, carport.base_url, brand=brand, email=email, password=password)
    query = parse_qs(urlparse(callback).query)
    assert query["state"] == ["sdk-state"], callback
    return client, client.exchange_code(query["code"][0])


@pytest.fixture()
def connected(carport, app):
    client, access = connect(carport, app)
    vehicle_id = smartcar.get_vehicles(access.access_token).vehicles[0]
    return client, access, smartcar.Vehicle(vehicle_id, access.access_token)


def test_tokens_user_and_vehicles(carport, app, connected):
    client, access, _ = connected
    assert access.access_token and access.refresh_token
    assert access.expiration and access.refresh_expiration
    user = smartcar.get_user(access.access_token)
    assert len(user.id) == 36
    vehicles = smartcar.get_vehicles(access.access_token)
    assert len(vehicles.vehicles) == 1
    assert vehicles.paging.count == 1 and vehicles.paging.offset == 0
    assert smartcar.get_vehicles(access.access_token, {"limit": 1, "offset": 1}).vehicles == []
    refreshed = client.exchange_refresh_token(access.refresh_token)
    assert refreshed.access_token != access.access_token
    assert smartcar.get_user(refreshed.access_token).id == user.id


def test_vehicle_reads(connected):
    _, _, vehicle = connected
    attributes = vehicle.attributes()
    assert attributes.make == "CHEVROLET" and attributes.model in ("Bolt EV", "Volt") and isinstance(attributes.year, int)
    assert attributes.id == vehicle.vehicle_id
    assert len(vehicle.vin().vin) == 17
    battery = vehicle.battery()
    assert 0 <= battery.percent_remaining <= 1 and battery.range >= 0
    assert len(battery.meta.request_id) == 36
    assert battery.meta.data_age and battery.meta.unit_system == "metric"
    assert vehicle.battery_capacity().capacity > 0
    charge = vehicle.charge()
    assert isinstance(charge.is_plugged_in, bool) and charge.state in ("CHARGING", "FULLY_CHARGED", "NOT_CHARGING")
    location = vehicle.location()
    assert 37 <= location.latitude <= 41 and -109.05 <= location.longitude <= -102.05
    assert vehicle.odometer().distance >= 10_000
    assert 0.5 <= vehicle.get_charge_limit().limit <= 1
    permissions = vehicle.permissions()
    assert sorted(permissions.permissions) == sorted(SCOPE)
    assert permissions.paging.count == len(SCOPE)


def test_imperial_units(connected):
    _, access, vehicle = connected
    metric = vehicle.odometer().distance
    imperial = smartcar.Vehicle(vehicle.vehicle_id, access.access_token, {"unit_system": "imperial"}).odometer()
    assert imperial.meta.unit_system == "imperial"
    assert abs(imperial.distance - metric * 0.621371) < 0.02


def test_vehicle_commands_and_batch(connected):
    _, _, vehicle = connected
    for result in (vehicle.lock(), vehicle.unlock(), vehicle.start_charge(), vehicle.stop_charge(),
                   vehicle.set_charge_limit(0.9)):
        assert result.status == "success" and result.message
    batch = vehicle.batch(["/odometer", "/location", "/battery"])
    assert batch.odometer().distance >= 10_000
    assert batch.location().latitude >= 37
    assert 0 <= batch.battery().percent_remaining <= 1


def test_disconnect_ends_access(connected):
    _, _, vehicle = connected
    assert vehicle.disconnect().status == "success"
    with pytest.raises(SmartcarException) as raised:
        vehicle.attributes()
    assert raised.value.status_code == 400 and raised.value.type == "VALIDATION"


def test_errors_bad_token_and_missing_permission(connected):
    _, access, vehicle = connected
    with pytest.raises(SmartcarException) as raised:
        smartcar.get_vehicles("not-a-token")
    assert raised.value.status_code == 401
    assert raised.value.type == "AUTHENTICATION" and raised.value.code is None
    with pytest.raises(SmartcarException) as raised:
        vehicle.tire_pressure()
    error = raised.value
    assert error.status_code == 403 and error.type == "PERMISSION" and error.code is None
    assert error.resolution == {"type": "REAUTHENTICATE", "url": None}
    assert error.doc_url and error.request_id and error.description
    assert len(error.__dict__) == 10


def test_rate_limit_has_retry_after(connected):
    _, _, vehicle = connected
    with pytest.raises(SmartcarException) as raised:
        for _ in range(100):
            vehicle.vin()
    error = raised.value
    assert error.status_code == 429 and error.type == "RATE_LIMIT" and error.code == "VEHICLE"
    assert int(error.retry_after) >= 1
    assert error.resolution == {"type": "RETRY_LATER", "url": None}


def test_illegal_command_on_a_simulated_car(carport):
    app = carport.create_app(name="Simulator App")
    created = carport.cli("sim", "create", "--app", app["clientId"], "--make", "TESLA", "--model", "Model 3",
                          "--email", "sim-owner@example.com")
    _, access = connect(carport, app, mode="simulated", brand="TESLA", email=created["email"],
                        password=created["password"])
    vehicle = smartcar.Vehicle(smartcar.get_vehicles(access.access_token).vehicles[0], access.access_token)
    assert vehicle.vin().vin == created["vin"]
    with pytest.raises(SmartcarException) as raised:
        vehicle.start_charge()
    error = raised.value
    assert error.status_code == 409 and error.type == "VEHICLE_STATE" and error.code == "CHARGING_PLUG_NOT_CONNECTED"
    assert error.resolution == {"type": None, "url": None}

    headers = {"Authorization": "Bearer " + app["managementToken"]}
    plugged = requests.post(f"{carport.base_url}/simulator/vehicles/{created['vin']}/plug", headers=headers)
    assert plugged.status_code == 200 and plugged.json()["isPluggedIn"] is True
    assert vehicle.charge().is_plugged_in is True
    assert vehicle.stop_charge().status == "success"
    assert vehicle.charge().state == "NOT_CHARGING"
    assert vehicle.start_charge().status == "success"
    assert vehicle.charge().state == "CHARGING"


def test_management_connections(carport, app, connected):
    _, access, vehicle = connected
    connections = smartcar.get_connections(app["managementToken"], {"vehicle_id": vehicle.vehicle_id})
    assert [c.vehicle_id for c in connections.connections] == [vehicle.vehicle_id]
    deleted = smartcar.delete_connections(app["managementToken"], {"vehicle_id": vehicle.vehicle_id})
    assert [c.vehicle_id for c in deleted.connections] == [vehicle.vehicle_id]
    assert smartcar.get_vehicles(access.access_token).vehicles == []


EVERY_READ = SCOPE + ["read_fuel", "read_tires", "read_engine_oil", "read_security", "read_service_history",
                      "read_diagnostics", "control_navigation"]


@pytest.fixture()
def hybrid(carport, app):
    """A test-mode plug-in hybrid (Smartcar's `<VIN>@phev.smartcar.com` login), every read granted."""
    _, access = connect(carport, app, brand="BMW", email="0SCBMW0SDKPHEV001@phev.smartcar.com", scope=EVERY_READ)
    return access, smartcar.Vehicle(smartcar.get_vehicles(access.access_token).vehicles[0], access.access_token)


def test_every_other_vehicle_method_of_the_sdk(hybrid):
    access, vehicle = hybrid
    assert vehicle.vin().vin == "0SCBMW0SDKPHEV001"
    fuel = vehicle.fuel()
    assert 0 <= fuel.percent_remaining <= 1 and fuel.range >= 0 and fuel.amount_remaining >= 0
    tires = vehicle.tire_pressure()
    assert all(value > 0 for value in (tires.front_left, tires.front_right, tires.back_left, tires.back_right))
    assert 0 <= vehicle.engine_oil().life_remaining <= 1
    nominal = vehicle.nominal_capacity()
    assert nominal.capacity and nominal.availableCapacities
    locks = vehicle.lock_status()
    assert isinstance(locks.is_locked, bool) and len(locks.doors) == 4 and locks.windows and locks.storage
    history = vehicle.service_history()
    assert history.items and all("serviceId" in record or "serviceID" in record for record in history.items)
    assert len(vehicle.service_history("2000-01-01", "2000-12-31").items) == 0
    systems = vehicle.diagnostic_system_status().systems
    assert systems and all(system.system_id and system.status in ("OK", "ALERT") for system in systems)
    codes = vehicle.diagnostic_trouble_codes().active_codes
    assert isinstance(codes, list)
    assert vehicle.send_destination(52.52, 13.405).status == "success"
    # `request` reaches any path of the vehicle with the user's token (it sends the body `{}` even on GET).
    odometer = vehicle.request("GET", "odometer")
    assert odometer.body["distance"] >= 10_000 and odometer.meta.request_id
    with pytest.raises(SmartcarException) as raised:
        vehicle.request("GET", "tesla/compass")
    assert raised.value.status_code == 404 and raised.value.type == "RESOURCE_NOT_FOUND"


def test_compatibility_by_vin_country_and_the_matrix(app, hybrid):
    _, vehicle = hybrid
    credentials = {"client_id": app["clientId"], "client_secret": app["clientSecret"]}
    vin = vehicle.vin().vin
    here = smartcar.get_compatibility(vin, ["read_battery", "read_fuel"], "DE", credentials)
    assert here.compatible is True and here.reason is None
    assert [(c.permission, c.capable) for c in here.capabilities] == [("read_battery", True), ("read_fuel", True)]
    far = smartcar.get_compatibility(vin, ["read_battery"], "JP", credentials)
    assert far.compatible is False and far.reason == "MAKE_NOT_COMPATIBLE"

    matrix = smartcar.smartcar.get_compatibility_matrix("EUROPE", "BMW TESLA CHEVROLET", dict(credentials, scope=["read_fuel"]))
    assert list(matrix) == ["BMW"], "Chevrolet is not offered in Europe; Teslas have no fuel"
    assert [m.model for m in matrix["BMW"]] == ["330e"] and matrix["BMW"][0].type == "PHEV"
    assert "read_fuel" in matrix["BMW"][0].permissions
    us = smartcar.smartcar.get_compatibility_matrix("US", "CHEVROLET", dict(credentials, type="BEV"))
    assert [m.model for m in us["CHEVROLET"]] == ["Bolt EV"]


def test_v3_signals_and_vehicle(hybrid):
    access, vehicle = hybrid
    described = smartcar.smartcar.get_vehicle(access.access_token, vehicle.vehicle_id)
    assert described["body"]["attributes"]["make"] == "BMW" and described["body"]["attributes"]["powertrainType"] == "PHEV"
    assert described["headers"]["SC-Request-Id"]
    signals = vehicle.get_signals()["body"]
    codes = [signal["id"] for signal in signals["data"]]
    assert "internalcombustionengine-fuellevel" in codes and "tractionbattery-stateofcharge" in codes
    assert signals["meta"]["totalCount"] == len(codes) and signals["included"]["vehicle"]["id"] == vehicle.vehicle_id
    charge = vehicle.get_signal("tractionbattery-stateofcharge")["body"]
    assert charge["attributes"]["status"]["value"] == "SUCCESS"
    assert abs(charge["attributes"]["body"]["value"] - vehicle.battery().percent_remaining * 100) < 1e-6
    odometer = vehicle.get_signal("odometer-traveleddistance")["body"]["attributes"]["body"]
    assert odometer["unit"] == "km" and abs(odometer["value"] - vehicle.odometer().distance) < 1e-6
    # The SDK cannot parse v3 error lists (no top-level `type`): it raises them as SDK_ERROR with the body.
    with pytest.raises(SmartcarException) as raised:
        vehicle.get_signal("warp-drive")
    assert "RESOURCE_NOT_FOUND" in str(raised.value.message)


def test_smartcar_test_login_with_several_vehicles(carport, app):
    _, access = connect(carport, app, email="3-vehicles@smartcar.com")
    assert len(smartcar.get_vehicles(access.access_token).vehicles) == 3
