"""Walks the Connect pages over plain HTTP the way a browser would (for clients that have no browser)."""
import re
from urllib.parse import urljoin

import requests


def _csrf(html):
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def _flow_path(html):
    match = re.search(r'action="(/connect/[0-9a-f-]+)/', html)
    assert match, "page has no Connect form"
    return match.group(1)


def brand_login(session, authorize_url, email, password, scopes=None):
    """Signs in on a brand's own login page (the Tesla fake's form with its `tesla-auth.sid` cookie) and returns
    where the brand redirects: Carport's callback."""
    page = session.get(authorize_url, allow_redirects=False)
    assert page.status_code == 200 and "tesla-auth.sid" in session.cookies, page.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    offered = re.findall(r'name="granted_scope" value="([^"]+)"', page.text)
    response = session.post(authorize_url, allow_redirects=False, data={
        **hidden, "identity": email, "credential": password, "granted_scope": offered if scopes is None else scopes})
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def approve(authorization_url, base_url, brand="TESLA", email="owner@example.com", password="secret", session=None):
    """Runs authorize → continue → brand → sign-in (Carport's form, or the brand's own page) → (vehicles) →
    approve; returns the final redirect URL."""
    session = session or requests.Session()
    page = session.get(authorization_url, allow_redirects=True)
    assert page.status_code == 200, page.text
    flow = urljoin(base_url, _flow_path(page.text))

    def post(action, **fields):
        response = session.post(f"{flow}/{action}", data={"csrf_token": _csrf(page_text[0]), **fields}, allow_redirects=False)
        assert response.status_code == 303, response.text
        location = response.headers["Location"]
        if location.startswith("/connect/"):
            page_text[0] = session.get(urljoin(base_url, location)).text
        return location

    page_text = [page.text]
    post("continue")
    if 'class="brand-list-item"' in page_text[0]:
        post("brand", brand=brand)
    # An owner who already granted everything asked for is not asked again (approval_prompt=auto).
    if "external-sign-in-button" in page_text[0]:
        callback = brand_login(session, post("external"), email, password)
        response = session.get(callback, allow_redirects=False)
        assert response.status_code == 303, response.text
        location = response.headers["Location"]
        if location.startswith("/connect/"):
            page_text[0] = session.get(urljoin(base_url, location)).text
    else:
        location = post("sign-in", username=email, password=password)
    if not location.startswith("/connect/"):
        return location
    if "vehicles-continue-button" in page_text[0]:
        location = post("vehicles", vin=re.findall(r'name="vin" value="([^"]+)"', page_text[0]))
        if not location.startswith("/connect/"):
            return location
    permissions = re.findall(r'name="permission" value="([^"]+)"', page_text[0])
    return post("consent", decision="approve", permission=permissions)
