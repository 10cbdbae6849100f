"""schemathesis (`--checks all`, a bounded number of examples) against each face's served OpenAPI document, with
real credentials and the ids of real objects, so that cases reach past authentication and lookups. The run fails
on any server error or check failure; the cases generated per face are printed with the run's figures."""
import os
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import requests
from authlib.integrations.requests_client import OAuth2Session

from conftest import FIGURES
from connect_pages import approve

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
