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
