"""`tesla-fleet-fake` judged by `tesla-fleet-api` (the library Home Assistant's `tesla_fleet` integration is built on):
the fake must satisfy an independent Fleet API client, not only Carport's connector (tesla-real-clients.md).

The library's server tables are module constants; they are pointed at the fake (loopback only) for these tests.
"""
import asyncio
import re
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
import requests
from tesla_fleet_api import TeslaFleetApi, TeslaFleetOAuth
from tesla_fleet_api.const import SERVERS, TOKEN_URLS, Scope, VehicleDataEndpoint
from tesla_fleet_api.exceptions import (Forbidden, InvalidRegion, NotOnWhitelistFault, PaymentRequired, RateLimited,
                                        VehicleOffline)
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from conftest import TESLA_DOMAIN

CLIENT_ID, CLIENT_SECRET = "carport-fleet-client", "carport-fleet-secret"
VOID_CALLBACK = "https://auth.tesla.com/void/callback"
MODEL_3, MODEL_S, MODEL_Y = "5YJ3E1EA5NF000001", "5YJSA1E26KF000002", "LRWYGCEK1PC000003"


@pytest.fixture()
def fleet(tesla_fake):
    """The library's servers and token URLs pointed at the fake for one test, then restored."""
    saved = dict(SERVERS), dict(TOKEN_URLS)
    SERVERS.clear()
    SERVERS.update({"na": f"{tesla_fake.url}/fleet/na", "eu": f"{tesla_fake.url}/fleet/eu"})
    TOKEN_URLS.update({region: f"{tesla_fake.url}/oauth2/v3/token" for region in TOKEN_URLS})
    assert all(urlparse(url).hostname == "127.0.0.1" for url in [*SERVERS.values(), *TOKEN_URLS.values()])
    yield tesla_fake
    SERVERS.clear()
    SERVERS.update(saved[0])
    TOKEN_URLS.clear()
    TOKEN_URLS.update(saved[1])


def login_code(fake, email, scopes):
    """Tesla's login form, as the owner's browser fills it; returns the code sent to Tesla's void callback."""
    browser = requests.Session()
    query = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": VOID_CALLBACK, "scope": " ".join(scopes),
             "state": "ha"}
    page = browser.get(f"{fake.url}/oauth2/v3/authorize", params=query)
    assert page.status_code == 200, page.text
    hidden = dict(re.findall(r'name="(_csrf|transaction_id)" value="([^"]*)"', page.text))
    done = browser.post(f"{fake.url}/oauth2/v3/authorize", params=query, allow_redirects=False,
                        data={**hidden, "identity": email, "credential": "tesla-password"})
    assert done.status_code == 302, done.text
    return parse_qs(urlparse(done.headers["Location"]).query)["code"][0]


async def owner_api(session, fake, email="owner@example.com", region="na"):
    """HA's path: the library's confidential code exchange, then the API with the resulting token."""
    scopes = [Scope.OPENID, Scope.OFFLINE_ACCESS, Scope.VEHICLE_DEVICE_DATA, Scope.VEHICLE_LOCATION, Scope.VEHICLE_CMDS,
              Scope.VEHICLE_CHARGING_CMDS]
    oauth = TeslaFleetOAuth(session, region, CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri=VOID_CALLBACK)
    await oauth.get_refresh_token(login_code(fake, email, scopes))
    assert oauth.refresh_token and oauth.server == SERVERS[region], "the code's region prefix picks the server"
    return TeslaFleetApi(session, access_token=await oauth.access_token(), server=oauth.server)


def uncompressed_hex(key):
    return key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint).hex()


async def register_partner(session, fake):
    """HA's config flow: partner token, registration in each region, and the key Tesla fetched from the domain."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    assert requests.put(f"{fake.url}/_fake/domains/{TESLA_DOMAIN}/public-key", data=pem).status_code == 204
    for server in SERVERS.values():
        partner = TeslaFleetApi(session, server=server)
        token = await partner.partner_login(CLIENT_ID, CLIENT_SECRET, [Scope.OPENID, Scope.VEHICLE_DEVICE_DATA])
        partner = TeslaFleetApi(session, access_token=token["access_token"], server=server)
        registered = await partner.partner.register(TESLA_DOMAIN)
        assert registered["response"]["public_key"] == uncompressed_hex(key)
        assert (await partner.partner.public_key(TESLA_DOMAIN))["response"]["public_key"] == uncompressed_hex(key)
    return key


def test_partner_registration_products_vehicle_data_and_location_in_drive_state(fleet):
    async def run():
        async with aiohttp.ClientSession() as session:
            await register_partner(session, fleet)
            api = await owner_api(session, fleet)
            products = (await api.products())["response"]
            cars = {product["vin"]: product for product in products if "vin" in product}
            assert set(cars) == {MODEL_3, MODEL_S}
            assert cars[MODEL_3]["command_signing"] == "required" and cars[MODEL_S]["command_signing"] == "off"
            for field in ("user_id", "option_codes", "cached_data", "granular_access", "mobile_access_disabled",
                          "ble_autopair_enrolled", "device_type", "release_notes_supported"):
                assert field in cars[MODEL_3], field
            listed = await api.vehicles.createFleet(MODEL_3).list()
            assert listed["count"] == 2 and {car["vin"] for car in listed["response"]} == set(cars)

            assert requests.patch(f"{fleet.url}/_fake/vehicles/{MODEL_3}",
                                  json={"latitude": 52.3702, "longitude": 4.8952}).status_code == 200
            car = api.vehicles.createFleet(MODEL_3)
            assert (await car.vehicle())["response"]["state"] == "online"
            data = (await car.vehicle_data([VehicleDataEndpoint.CHARGE_STATE, VehicleDataEndpoint.CLIMATE_STATE,
                                            VehicleDataEndpoint.DRIVE_STATE, VehicleDataEndpoint.VEHICLE_STATE,
                                            VehicleDataEndpoint.VEHICLE_CONFIG, VehicleDataEndpoint.LOCATION_DATA]))["response"]
            assert "location_data" not in data
            drive = data["drive_state"]
            assert (drive["latitude"], drive["longitude"]) == (52.3702, 4.8952)
            for field in ("heading", "gps_as_of", "native_latitude", "native_longitude"):
                assert field in drive, field
            for field in ("charge_energy_added", "charge_rate", "fast_charger_type", "ideal_battery_range",
                          "time_to_full_charge", "battery_level", "charge_limit_soc"):
                assert field in data["charge_state"], field
            unlocated = (await car.vehicle_data([VehicleDataEndpoint.DRIVE_STATE]))["response"]["drive_state"]
            assert "latitude" not in unlocated, "without location_data no position"
            everything = (await car.vehicle_data(list(VehicleDataEndpoint)))["response"]
            for section in ("charge_schedule_data", "closures_state", "preconditioning_schedule_data", "gui_settings"):
                assert section in everything, section
    asyncio.run(run())


def test_wake_fleet_status_and_commands(fleet):
    async def run():
        async with aiohttp.ClientSession() as session:
            await register_partner(session, fleet)
            api = await owner_api(session, fleet)
            status = (await api.vehicles.createFleet(MODEL_3).fleet_status([MODEL_3, MODEL_S]))["response"]
            assert status["vehicle_info"][MODEL_3]["vehicle_command_protocol_required"] is True
            assert status["vehicle_info"][MODEL_S]["vehicle_command_protocol_required"] is False

            model_s = api.vehicles.createFleet(MODEL_S)
            assert model_s.pre2021, "the library's VIN rule agrees with the fake's"
            requests.patch(f"{fleet.url}/_fake/vehicles/{MODEL_S}", json={"state": "asleep"})
            with pytest.raises(VehicleOffline):
                await model_s.vehicle_data([VehicleDataEndpoint.CHARGE_STATE])
            model_s._wake_poll_interval = 0.2
            assert (await model_s.wake_up(wait=True, timeout=10))["response"]["state"] == "online"

            assert (await model_s.charge_start())["response"] == {"result": True, "reason": ""}
            assert (await model_s.charge_stop())["response"]["result"] is True
            assert (await model_s.charge_stop())["response"] == {"result": False, "reason": "not_charging"}
            assert (await model_s.set_charge_limit(80))["response"] == {"result": False, "reason": "already_set"}
            assert (await model_s.door_unlock())["response"]["result"] is True
            assert (await model_s.auto_conditioning_start())["response"]["result"] is True
            assert (await model_s.set_sentry_mode(True))["response"]["result"] is True
            assert (await model_s.door_lock())["response"]["result"] is True

            with pytest.raises(Forbidden) as refused:
                await api.vehicles.createFleet(MODEL_3).door_unlock()
            assert "Vehicle Command Protocol required" in str(refused.value.data)
            api.private_key = ec.generate_private_key(ec.SECP256R1())
            with pytest.raises(NotOnWhitelistFault):
                await api.vehicles.createSigned(MODEL_3).door_unlock()
    asyncio.run(run())


def test_region_recovery_rate_limit_proxy_and_billing(fleet):
    async def run():
        async with aiohttp.ClientSession() as session:
            await register_partner(session, fleet)
            eu = await owner_api(session, fleet, email="eu-owner@example.com", region="eu")
            eu.server = SERVERS["na"]
            with pytest.raises(InvalidRegion):
                await eu.vehicles.createFleet(MODEL_Y).list()
            assert await eu.find_server() == "eu" and eu.server == SERVERS["eu"]
            model_y = eu.vehicles.createFleet(MODEL_Y)
            for _ in range(3):
                await model_y.wake_up()
            with pytest.raises(RateLimited) as limited:
                await model_y.wake_up()
            assert int(limited.value.data["after"]) > 0 and int(limited.value.data["reset"]) > 0

            token = await eu._access_token() if callable(eu._access_token) else eu._access_token
            proxied = TeslaFleetApi(session, access_token=token, server=f"{fleet.url}/proxy")
            assert {car["vin"] for car in (await proxied.products())["response"]} == {MODEL_Y}
            located = (await proxied.vehicles.createFleet(MODEL_Y).vehicle_data([VehicleDataEndpoint.LOCATION_DATA]))
            assert "latitude" in located["response"]["drive_state"], "the proxy forwards reads to the owner's region"

            assert requests.post(f"{fleet.url}/_fake/billing", json={"disabled": True}).status_code == 204
            try:
                with pytest.raises(PaymentRequired):
                    await model_y.vehicle()
            finally:
                requests.post(f"{fleet.url}/_fake/billing", json={"disabled": False})
            assert (await model_y.vehicle())["response"]["vin"] == MODEL_Y
    asyncio.run(run())
