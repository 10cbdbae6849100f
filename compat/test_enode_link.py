"""Enode v1 Link with a standard OAuth client: client token → link → authorize (state == linkState) → user token,
then vehicles with field selection and charging (test mode). test_enode_api.py covers the rest on a simulated car."""
import os
from urllib.parse import parse_qs, urlparse

import requests
from authlib.integrations.requests_client import OAuth2Session

from connect_pages import approve

REDIRECT = "https://app.example/callback"


def test_enode_link_flow_with_authlib(carport, app):
    enode = carport.base_url + "/enode"
    client_session = OAuth2Session(app["clientId"], app["clientSecret"], token_endpoint_auth_method="client_secret_basic")
    client_token = client_session.fetch_token(enode + "/oauth2/token", grant_type="client_credentials")
    assert client_token["token_type"].lower() == "bearer" and client_token["expires_in"] == 3599

    linked = client_session.post(enode + "/users/enode-user-1/link", json={"vendor": "KIA", "userName": "Ada"})
    assert linked.status_code == 200
    link_state = linked.json()["linkState"]

    user_session = OAuth2Session(app["clientId"], app["clientSecret"], scope="all offline_access", redirect_uri=REDIRECT)
    url, state = user_session.create_authorization_url(enode + "/oauth2/auth", state=link_state)
    callback = approve(url, carport.base_url, email="enode-owner@example.com")
    assert parse_qs(urlparse(callback).query)["state"] == [link_state]
    token = user_session.fetch_token(enode + "/oauth2/token", authorization_response=callback)
    assert token["refresh_token"]

    me = user_session.get(enode + "/me").json()
    assert me["id"] == "enode-user-1" and me["linkedVendors"] == [{"vendor": "KIA", "isValid": True}]
    vehicles = user_session.get(enode + "/vehicles", params={"field[]": ["chargeState", "information"]}).json()
    assert vehicles[0]["information"]["brand"] == "Kia"
    assert 0 <= vehicles[0]["chargeState"]["batteryLevel"] <= 100
    vehicle_id = vehicles[0]["id"]
    for action in ("START", "STOP"):
        assert user_session.post(f"{enode}/vehicles/{vehicle_id}/charging", json={"action": action}).status_code == 204
    charge = user_session.get(f"{enode}/vehicles/{vehicle_id}/charge-state").json()
    assert set(charge) >= {"batteryLevel", "range", "isPluggedIn", "isCharging", "chargeLimit"}

    problem = requests.get(enode + "/vehicles", headers={"Authorization": "Bearer nope"})
    assert problem.status_code == 401 and problem.headers["Content-Type"] == "application/problem+json"
    by_header = client_session.get(enode + "/vehicles", headers={"Enode-User-Id": "enode-user-1"})
    assert [v["id"] for v in by_header.json()] == [vehicle_id]
