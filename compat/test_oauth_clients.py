"""Standard OAuth 2.0 client libraries against a running Carport: authorization code + PKCE, refresh, revocation."""
import os
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.common.security import generate_token
from requests_oauthlib import OAuth2Session as OAuthlibSession

from connect_pages import approve

# oauthlib insists on https; the server under test is on loopback.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

REDIRECT = "https://app.example/callback"
SCOPE = "read_vehicle_info read_battery"


def introspect(carport, app, token):
    response = requests.post(carport.base_url + "/oauth/introspect", data={"token": token},
                             auth=(app["clientId"], app["clientSecret"]))
    assert response.status_code == 200
    return response.json()


def test_authlib_code_with_pkce_refresh_and_revocation(carport, app):
    metadata = requests.get(carport.base_url + "/.well-known/oauth-authorization-server").json()
    client = OAuth2Session(app["clientId"], app["clientSecret"], scope=SCOPE, redirect_uri=REDIRECT,
                           code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic",
                           revocation_endpoint_auth_method="client_secret_basic")
    verifier = generate_token(64)
    url, state = client.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, mode="test")
    assert "code_challenge=" in url

    callback = approve(url, carport.base_url)
    assert callback.startswith(REDIRECT)
    query = parse_qs(urlparse(callback).query)
    assert query["state"] == [state]
    assert query["iss"] == [metadata["issuer"]]

    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 7200
    assert set(token["scope"].split()) == set(SCOPE.split())
    assert introspect(carport, app, token["access_token"])["active"] is True

    refreshed = client.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert refreshed["access_token"] != token["access_token"]

    response = client.revoke_token(metadata["revocation_endpoint"], token=refreshed["refresh_token"],
                                   token_type_hint="refresh_token")
    assert response.status_code == 200
    assert introspect(carport, app, refreshed["access_token"])["active"] is False
    with pytest.raises(Exception):
        client.refresh_token(metadata["token_endpoint"], refresh_token=refreshed["refresh_token"])


def test_authlib_rejects_a_wrong_verifier(carport, app):
    client = OAuth2Session(app["clientId"], app["clientSecret"], scope=SCOPE, redirect_uri=REDIRECT,
                           code_challenge_method="S256")
    url, _ = client.create_authorization_url(carport.base_url + "/oauth/authorize", code_verifier=generate_token(64), mode="test")
    callback = approve(url, carport.base_url)
    with pytest.raises(Exception) as raised:
        client.fetch_token(carport.base_url + "/oauth/token", authorization_response=callback, code_verifier=generate_token(64))
    assert "invalid_grant" in str(raised.value)


def test_requests_oauthlib_code_with_pkce_and_refresh(carport, app):
    session = OAuthlibSession(app["clientId"], redirect_uri=REDIRECT, scope=SCOPE.split(), pkce="S256")
    url, state = session.authorization_url(carport.base_url + "/oauth/authorize", mode="test")
    callback = approve(url, carport.base_url, brand="VOLKSWAGEN", email="driver+2@example.com")
    token = session.fetch_token(carport.base_url + "/oauth/token", authorization_response=callback,
                                client_secret=app["clientSecret"], include_client_id=False)
    assert token["token_type"] == "Bearer"
    refreshed = session.refresh_token(carport.base_url + "/oauth/token", auth=(app["clientId"], app["clientSecret"]))
    assert refreshed["access_token"] != token["access_token"]
