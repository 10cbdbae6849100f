"""schemathesis (`--checks all`, a bounded number of examples) against each face's served OpenAPI document, with
real credentials and the ids of real objects, so that cases reach past authentication and lookups. The run fails
on any server error or check failure; the cases generated per face are printed with the run's figures."""
import base64
import os
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import requests
import smartcar
from authlib.integrations.requests_client import OAuth2Session

from conftest import FIGURES
from connect_pages import approve
from jedlix_sdk import JedlixApp, owner

REDIRECT = "https://app.example/callback"
EXAMPLES = os.environ.get("CARPORT_FUZZ_EXAMPLES", "10")


def schemathesis(face, document_url, base_url, config, tmp_path):
    """Runs schemathesis with `config` (TOML); returns its output after asserting it found nothing."""
    path = tmp_path / f"{face}.toml"
    path.write_text(config)
    command = [os.path.join(os.path.dirname(sys.executable), "schemathesis"), "--config-file", str(path), "run", document_url,
               "--url", base_url, "--checks", "all", "--max-examples", EXAMPLES, "--no-color"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    (tmp_path / f"{face}.out").write_text(output)
    generated = re.search(r"(\d+) generated", output)
    failures = re.search(r"(\d+) found (\d+) unique failures?", output)
    FIGURES.append(f"schemathesis {face}: {generated.group(1) if generated else '?'} cases generated, "
                   f"failures {failures.group(2) if failures else 0} (--checks all, --max-examples {EXAMPLES})")
    assert result.returncode == 0 and generated, output[-8000:]
    return output


def toml_table(values):
    return "\n".join(f'"{key}" = "{value}"' for key, value in values.items())


def test_enode_face_survives_schemathesis(carport, tmp_path):
    app = carport.create_app(name="Enode fuzz", mode="simulated", redirect_uris=(REDIRECT,))
    car = carport.cli("sim", "create", "--app", app["clientId"], "--make", "TESLA", "--email", "enode-fuzz@example.com")
    enode = carport.base_url + "/enode"
    client = OAuth2Session(app["clientId"], app["clientSecret"], token_endpoint_auth_method="client_secret_basic")
    client_token = client.fetch_token(enode + "/oauth2/token", grant_type="client_credentials")["access_token"]
    link_state = client.post(enode + "/users/fuzz-user/link", json={"vendor": "TESLA"}).json()["linkState"]
    user = OAuth2Session(app["clientId"], app["clientSecret"], scope="all offline_access", redirect_uri=REDIRECT)
    url, _ = user.create_authorization_url(enode + "/oauth2/auth", state=link_state)
    callback = approve(url, carport.base_url, email=car["email"], password=car["password"])
    assert parse_qs(urlparse(callback).query)["state"] == [link_state]
    user_token = user.fetch_token(enode + "/oauth2/token", authorization_response=callback)["access_token"]
    vehicle = user.get(enode + "/vehicles").json()[0]["id"]
    requests.post(f"{carport.base_url}/simulator/vehicles/{car['vin']}/plug", headers={"Authorization": "Bearer " + app["managementToken"]})
    action = user.post(f"{enode}/vehicles/{vehicle}/charging", json={"action": "STOP"}).headers["Location"].rsplit("/", 1)[1]
    # A user the fuzzer may delete, and a vendor this user has not linked, keep the objects above in place.
    client.post(enode + "/users/fuzz-throwaway/link", json={"vendor": "TESLA"})
    # The charging location is left to the stateful phase's links: a fixed id would be deleted by the first DELETE.
    parameters = {"vehicleId": vehicle, "actionId": action, "userId": "fuzz-throwaway", "vendor": "BMW"}
    config = f"""
headers = {{ Authorization = "Bearer {user_token}" }}

[parameters]
{toml_table(parameters)}

# Users and the firehose webhook take the client's own token.
[[operations]]
include-path-regex = "^/(users|webhooks)"
headers = {{ Authorization = "Bearer {client_token}" }}

# Refusals (400, in the document's problem responses) of what JSON Schema cannot say: a statistics range of more
# than 10,000 buckets (how far apart two dates are); a webhook host that does not resolve to a public address.
[[operations]]
include-path = ["/statistics/charging", "/webhooks/firehose"]
checks.positive_data_acceptance.expected-statuses = ["2XX", 400, 401, 403, 404, 409, 429]
"""
    schemathesis("enode", carport.base_url + "/openapi/enode.yaml", enode, config, tmp_path)


SMARTCAR_SCOPE = ["read_vehicle_info", "read_vin", "read_battery", "read_charge", "read_fuel", "read_tires", "read_engine_oil",
                  "read_odometer", "read_location", "read_security", "read_service_history", "read_diagnostics",
                  "control_charge", "control_security", "control_navigation"]


def test_smartcar_face_survives_schemathesis(carport, tmp_path):
    app = carport.create_app(name="Smartcar fuzz", mode="simulated", redirect_uris=(REDIRECT,))
    # Two plug-in hybrids (every endpoint has data), each connected on its own: the fuzzer may disconnect the second.
    client = smartcar.AuthClient(app["clientId"], app["clientSecret"], REDIRECT, mode="simulated")

    def connect(email):
        car = carport.cli("sim", "create", "--app", app["clientId"], "--make", "BMW", "--model", "330e", "--email", email)
        callback = approve(client.get_auth_url(SMARTCAR_SCOPE, {"state": "fuzz"}), carport.base_url, brand="BMW",
                           email=car["email"], password=car["password"])
        token = client.exchange_code(parse_qs(urlparse(callback).query)["code"][0]).access_token
        return token, smartcar.get_vehicles(token).vehicles[0], smartcar.get_user(token).id

    (token, kept, _), (other_token, disconnectable, other_user) = connect("smartcar-fuzz@example.com"), connect("smartcar-fuzz+2@example.com")
    management = base64.b64encode(f"default:{app['managementToken']}".encode()).decode()
    credentials = base64.b64encode(f"{app['clientId']}:{app['clientSecret']}".encode()).decode()
    # A webhook to subscribe to and manage (its callback refuses connections: it stays unverified).
    webhook = requests.post(carport.base_url + "/v2.0/management/webhooks", headers={"Authorization": "Basic " + management},
                            json={"name": "Fuzz", "url": "http://127.0.0.1:9/hook", "triggers": ["charge-ischarging"]}).json()["id"]
    config = f"""
headers = {{ Authorization = "Bearer {token}" }}

[parameters]
vehicleId = "{kept}"
webhookId = "{webhook}"

# Unsubscribing takes the management token as a bearer token, as the SDK sends it.
[[operations]]
include-path = "/vehicles/{{vehicleId}}/webhooks/{{webhookId}}"
include-method = "DELETE"
headers = {{ Authorization = "Bearer {app['managementToken']}" }}

[[operations]]
include-path = "/vehicles/{{vehicleId}}/application"
parameters = {{ vehicleId = "{disconnectable}" }}
headers = {{ Authorization = "Bearer {other_token}" }}

# The management API's filters name the second owner, whom the fuzzer may disconnect (a link from GET /user would
# otherwise hand it the first owner's id).
[[operations]]
include-path-regex = "^/management/"
headers = {{ Authorization = "Basic {management}" }}
parameters = {{ user_id = "{other_user}" }}

[[operations]]
include-path-regex = "^/compatibility"
headers = {{ Authorization = "Basic {credentials}" }}

# Refusals (400, in the document's error responses) of what JSON Schema cannot say: a service-history range whose
# start is after its end; a vehicle id the token no longer covers (after the fuzzer disconnected it); a webhook
# whose parts do not fit its kind or whose callback is not https or points into a private network.
[[operations]]
include-path = ["/vehicles/{{vehicleId}}/service/history", "/vehicles/{{vehicleId}}/application", "/management/webhooks"]
checks.positive_data_acceptance.expected-statuses = ["2XX", 400, 401, 403, 404, 409, 429]
"""
    schemathesis("smartcar", carport.base_url + "/openapi/smartcar.yaml", carport.base_url + "/v2.0", config, tmp_path)
    # The v3 API of the same vehicle (its budget may be spent by now: 429 is a documented answer).
    v3 = f"""
headers = {{ Authorization = "Bearer {token}" }}

[parameters]
vehicleId = "{kept}"
"""
    schemathesis("smartcar-v3", carport.base_url + "/openapi/smartcar-v3.yaml", carport.base_url + "/v3", v3, tmp_path)


def test_jedlix_face_survives_schemathesis(carport, tmp_path):
    jedlix = JedlixApp(carport)

    def user_with_vehicle(email):
        user = jedlix.create_user()
        api = jedlix.api(user)
        session = api.drive(api.ok("POST", "/vehicles/connect-sessions", status=201), owner(brand="KIA", email=email))
        return user, api, session

    user, api, session = user_with_vehicle("jedlix-fuzz@example.com")
    location = api.ok("POST", "/charging-locations", {"coordinates": {"latitude": 52.09, "longitude": 5.12}}, status=201)["id"]
    throwaway_location = api.ok("POST", "/charging-locations", {"coordinates": {"latitude": 52.1, "longitude": 5.1}}, status=201)["id"]
    chargers = [api.drive(api.ok("POST", f"/charging-locations/{location}/chargers/connect-sessions", status=201),
                          owner(email=email, charger_brand="EASEE"))["chargerId"]
                for email in ("jedlix-fuzz@example.com", "jedlix-fuzz+charger@example.com")]
    assert chargers[0] != chargers[1]
    # What the fuzzer may delete is not what the other operations read: a second user's vehicle, a second location,
    # a second charger. Their ids are fixed, so the stateful phase has nothing to carry into these operations (its
    # links would only look like a fresh object answering 404 once the first DELETE removed it).
    other_user, other_api, other_session = user_with_vehicle("jedlix-fuzz+2@example.com")
    config = f"""
headers = {{ ApiKey = "{jedlix.credentials['apiKey']}", Authorization = "Bearer {api.token}" }}

[parameters]
{toml_table({"userId": user, "vehicleId": session["vehicleId"], "locationId": location,
             "chargerId": chargers[0], "sessionId": session["id"]})}

[[operations]]
include-path = "/users"
headers = {{ ApiKey = "{jedlix.credentials['apiKey']}", Authorization = "Bearer {jedlix.management_token()}" }}

[[operations]]
include-operation-id = "deleteVehicle"
phases.stateful.enabled = false
headers = {{ ApiKey = "{jedlix.credentials['apiKey']}", Authorization = "Bearer {other_api.token}" }}
parameters = {{ userId = "{other_user}", vehicleId = "{other_session['vehicleId']}" }}

[[operations]]
include-operation-id = "deleteChargingLocation"
phases.stateful.enabled = false
parameters = {{ locationId = "{throwaway_location}" }}

[[operations]]
include-operation-id = "deleteCharger"
phases.stateful.enabled = false
parameters = {{ chargerId = "{chargers[1]}" }}

# Refusals (400, in the document's problem responses) of what JSON Schema cannot say: a report whose redirect is
# not the session step's; a session a user cannot start now (a second vehicle).
[[operations]]
include-path-regex = "connect-sessions"
checks.positive_data_acceptance.expected-statuses = ["2XX", 400, 401, 403, 404, 409, 429]
"""
    schemathesis("jedlix", carport.base_url + "/openapi/jedlix.yaml", carport.base_url + "/api/v1", config, tmp_path)
