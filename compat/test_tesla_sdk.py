"""Tesla through Carport, judged by the official Smartcar SDK: Connect goes through the Tesla fake's own login
page (a separate `tesla-fleet-fake` process), reads come from its Fleet API, commands need the virtual key."""
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import smartcar
from smartcar.exception import SmartcarException

from conftest import TESLA_DOMAIN
from connect_pages import approve

REDIRECT = "https://app.example/callback"
SCOPE = ["read_vehicle_info", "read_vin", "read_battery", "read_charge", "read_location", "read_odometer",
         "control_security", "control_charge"]
MODEL_3 = "5YJ3E1EA5NF000001"


def test_tesla_connect_reads_and_virtual_key(carport, tesla_fake):
    app = carport.create_app(mode="live")
    client = smartcar.AuthClient(app["clientId"], app["clientSecret"], REDIRECT, mode="live")
    url = client.get_auth_url(SCOPE, {"state": "tesla-state"})
    callback = approve(url, carport.base_url, brand="TESLA", email="owner@example.com", password="tesla-password")
    query = parse_qs(urlparse(callback).query)
    assert query["state"] == ["tesla-state"], callback
    assert query["virtual_key_url"] == [f"{tesla_fake.url}/_ak/{TESLA_DOMAIN}"]
    access = client.exchange_code(query["code"][0])

    vehicles = [smartcar.Vehicle(id, access.access_token) for id in smartcar.get_vehicles(access.access_token).vehicles]
    assert len(vehicles) == 2
    vehicle = next(v for v in vehicles if v.vin().vin == MODEL_3)
    attributes = vehicle.attributes()
    assert (attributes.make, attributes.model, attributes.year) == ("TESLA", "Model 3", 2022)
    # Where the car is, as Tesla reports it (inside drive_state when location_data is asked for).
    assert requests.patch(f"{tesla_fake.url}/_fake/vehicles/{MODEL_3}", json={"latitude": 48.1374, "longitude": 11.5755}).ok
    battery = vehicle.battery()
    assert battery.percent_remaining == 0.62 and battery.range == 309.3  # 192.2 mi
    charge = vehicle.charge()
    assert charge.is_plugged_in is True and charge.state == "NOT_CHARGING"
    assert vehicle.odometer().distance == 19868.3  # 12,345.6 mi
    location = vehicle.location()
    assert (location.latitude, location.longitude) == (48.1374, 11.5755)
    fleet_calls = requests.get(f"{tesla_fake.url}/_fake/stats").json()
    assert vehicle.battery().percent_remaining == 0.62
    assert requests.get(f"{tesla_fake.url}/_fake/stats").json().get("data") == fleet_calls.get("data"), \
        "battery, charge, odometer, location and limit came from one snapshot; reading again costs Tesla nothing"
    assert vehicle.get_charge_limit().limit == 0.8

    with pytest.raises(SmartcarException) as missing_key:
        vehicle.lock()
    assert (missing_key.value.type, missing_key.value.code) == ("CONNECTED_SERVICES_ACCOUNT", "VIRTUAL_KEY_REQUIRED")
    assert f"/_ak/{TESLA_DOMAIN}?vin={MODEL_3}" in str(missing_key.value.resolution)

    assert requests.post(f"{tesla_fake.url}/_ak/{TESLA_DOMAIN}", data={"vin": MODEL_3}).status_code == 200
    assert vehicle.lock().status == "success"
    assert vehicle.start_charge().status == "success"
    car = requests.get(f"{tesla_fake.url}/_fake/vehicles/{MODEL_3}").json()
    assert car["locked"] is True and car["charging"] is True
