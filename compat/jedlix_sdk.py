"""A client that drives Jedlix connect sessions exactly as the Jedlix mobile SDKs do (jedlix.md §6): a fresh web
view (cookie jar) per run, load `startUrl`, follow every navigation until one starts with `redirectUrl`, then POST
`info` (when `redirectInfo` is set) or GET the session, and repeat until `isFinished`. A scripted owner acts on
each page the web view shows."""
import base64
import json
import re
import time
from urllib.parse import urljoin

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import OctKey

ISSUER = "https://idp.app.example"
AUDIENCE = "carport-jedlix"


class JedlixApp:
    """An application of the Jedlix face: API key, client-credentials token for `POST /users`, and the HS256 key
    it signs its users' tokens with (registered with `carport apps user-token-key`)."""

    def __init__(self, carport, mode="test"):
        self.carport = carport
        self.credentials = carport.create_app(mode=mode)
        registered = carport.cli("apps", "user-token-key", self.credentials["clientId"],
                                 "--issuer", ISSUER, "--audience", AUDIENCE)
        padded = registered["key"] + "=" * (-len(registered["key"]) % 4)
        self.key = base64.urlsafe_b64decode(padded)
        self.base = carport.base_url + "/api/v1"

    def management_token(self):
        oauth = OAuth2Session(self.credentials["clientId"], self.credentials["clientSecret"])
        return oauth.fetch_token(self.carport.base_url + "/oauth/token", grant_type="client_credentials")["access_token"]

    def create_user(self, country="NL"):
        response = requests.post(self.base + "/users", json={"defaultCountry": country, "locale": "EN"}, headers={
            "ApiKey": self.credentials["apiKey"], "Authorization": "Bearer " + self.management_token()})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def user_token(self, user_id, expires_in=600, key=None):
        claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + expires_in, "jedlix_user_id": user_id}
        return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(key or self.key))

    def api(self, user_id, token=None):
        return JedlixAPI(self, user_id, token or self.user_token(user_id))

    def user_at_home(self):
        """A new user's API and their charging location in Utrecht."""
        api = self.api(self.create_user())
        location = api.ok("POST", "/charging-locations", {"coordinates": {"latitude": 52.09, "longitude": 5.12},
                                                           "address": {"street": "Oudegracht", "houseNumber": "1", "city": "Utrecht",
                                                                       "country": "NL", "region": "Utrecht"}}, status=201)
        return api, location


class JedlixAPI:
    """The SDK's HTTP side for one user: its headers on every call (jedlix.md §2)."""

    def __init__(self, app, user_id, token):
        self.app, self.user_id, self.token = app, user_id, token

    def call(self, method, path, body=None):
        headers = {"Authorization": "Bearer " + self.token, "ApiKey": self.app.credentials["apiKey"],
                   "Accept-Language": "en-US", "Jedlix-CorrelationId": "c0ffee00-0000-4000-8000-000000000001",
                   "Jedlix-ClientName": "com.jedlix.sdk-android", "Jedlix-ClientVersion": "1.8.7"}
        data = None
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            headers["Content-Type"] = "application/json"
            data = json.dumps({} if body is None else body)
        return requests.request(method, f"{self.app.base}/users/{self.user_id}{path}", headers=headers, data=data)

    def ok(self, method, path, body=None, status=200):
        response = self.call(method, path, body)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def drive(self, session, owner, max_steps=12):
        """The SDK loop from a created or resumed session until it finishes; returns the finished session."""
        web = requests.Session()  # a fresh web view: no cookies
        for _ in range(max_steps):
            if session["isFinished"]:
                return session
            start, prefix, info = session["startUrl"], session["redirectUrl"], session["redirectInfo"]
            assert start and prefix, session
            if info is not None:
                assert set(info) == {"includeBody", "includeCookies", "includeRedirectUrl"}, info
            intercepted, last_page = self._load_until(web, start, prefix, owner)
            if info is None:
                session = self.ok("GET", f"/connect-sessions/{session['id']}")
            else:
                report = {"body": json.dumps(last_page) if info["includeBody"] else None}
                cookies = {name: web.cookies.get(name) for name in info["includeCookies"] if web.cookies.get(name)}
                if cookies:
                    report["cookies"] = cookies
                if info["includeRedirectUrl"]:
                    report["redirectUrl"] = intercepted
                session = self.ok("POST", f"/connect-sessions/{session['id']}/info", report)
        raise AssertionError(f"session did not finish: {session}")

    @staticmethod
    def _load_until(web, url, prefix, owner):
        """Loads `url` and lets the owner work the pages; returns the navigation that starts with `prefix`."""
        response = web.get(url, allow_redirects=False)
        html = None
        for _ in range(40):
            if response.is_redirect:
                target = urljoin(response.url, response.headers["Location"])
                if target.startswith(prefix):
                    return target, html
                response = web.get(target, allow_redirects=False)
                continue
            assert response.status_code == 200, f"{response.url}: {response.status_code} {response.text[:300]}"
            html = response.text
            response = owner(web, response)
        raise AssertionError("the web view never reached " + prefix)


def owner(brand="KIA", email="owner@example.com", password="secret", charger_brand="ZAPTEC"):
    """An owner who goes through every page the way a person would: Carport's Connect pages, the Tesla fake's
    login page, the charger and energy-supplier pages."""

    def act(web, page):
        html, url = page.text, page.url
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
        form = re.search(r'<form method="post" action="([^"]+)"', html)
        action = urljoin(url, form.group(1)) if form else None
        if 'name="identity"' in html:  # the brand's own login (Tesla)
            scopes = re.findall(r'name="granted_scope" value="([^"]+)"', html)
            return web.post(url, data={**fields, "identity": email, "credential": password, "granted_scope": scopes},
                            allow_redirects=False)
        if 'id="continue-button"' in html:
            return web.post(action, data=fields, allow_redirects=False)
        if 'class="brand-list-item"' in html:
            return web.post(action, data={**fields, "brand": brand}, allow_redirects=False)
        if 'id="charger-brand"' in html:
            return web.post(action, data={**fields, "brand": charger_brand, "username": email, "password": password},
                            allow_redirects=False)
        if 'id="charger-continue-button"' in html:
            serial = re.findall(r'name="serial" value="([^"]+)"', html)[0]
            return web.post(action, data={**fields, "serial": serial}, allow_redirects=False)
        if 'id="supplier"' in html:
            return web.post(action, data={**fields, "supplier": "vattenfall", "contract_number": "VF-778899"},
                            allow_redirects=False)
        if 'id="sign-in-button"' in html:
            return web.post(action, data={**fields, "username": email, "password": password}, allow_redirects=False)
        if 'id="vehicles-continue-button"' in html:
            vin = re.findall(r'name="vin" value="([^"]+)"', html)[0]
            return web.post(action, data={**fields, "vin": vin}, allow_redirects=False)
        if 'id="approval-button"' in html:
            permissions = re.findall(r'name="permission" value="([^"]+)"', html)
            return web.post(action, data={**fields, "decision": "approve", "permission": permissions}, allow_redirects=False)
        raise AssertionError("the owner does not know this page: " + html[:400])

    return act
