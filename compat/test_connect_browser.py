"""A real headless Chromium clicks through Connect in test mode, using the element ids Smartcar's tests drive."""
import os
import shutil
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


@pytest.fixture()
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    assert chromium and driver_path, "Debian packages chromium and chromium-driver are required"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    yield driver
    driver.quit()


def shot(driver, name):
    directory = os.environ.get("CARPORT_SCREENSHOTS")
    if directory:
        os.makedirs(directory, exist_ok=True)
        driver.save_screenshot(os.path.join(directory, f"{name}.png"))


def test_browser_clicks_through_connect_and_lands_with_a_code(carport, app, browser):
    redirect = carport.base_url + "/demo/callback"
    query = urlencode({"response_type": "code", "client_id": app["clientId"], "redirect_uri": redirect,
                       "scope": "required:read_vehicle_info read_battery read_location control_charge",
                       "mode": "test", "state": "browser-state"})
    wait = WebDriverWait(browser, 15)
    browser.get(f"{carport.base_url}/oauth/authorize?{query}")

    wait.until(EC.element_to_be_clickable((By.ID, "continue-button")))
    shot(browser, "1-preamble")
    browser.find_element(By.ID, "continue-button").click()

    search = wait.until(EC.presence_of_element_located((By.ID, "brand-search")))
    shot(browser, "2-brands")
    search.send_keys("kia")
    assert not browser.find_element(By.CSS_SELECTOR, "button#TESLA.brand-list-item").is_displayed()
    browser.find_element(By.CSS_SELECTOR, "button#KIA.brand-list-item").click()

    wait.until(EC.presence_of_element_located((By.ID, "username"))).send_keys("browser+2@example.com")
    browser.find_element(By.ID, "password").send_keys("password")
    shot(browser, "3-sign-in")
    browser.find_element(By.ID, "sign-in-button").click()

    wait.until(EC.element_to_be_clickable((By.ID, "vehicles-continue-button")))
    shot(browser, "4-vehicles")
    browser.find_element(By.ID, "vehicles-continue-button").click()

    wait.until(EC.element_to_be_clickable((By.ID, "approval-button")))
    required = browser.find_element(By.ID, "permission-read_vehicle_info")
    assert required.get_attribute("disabled") is not None and required.is_selected()
    browser.find_element(By.ID, "permission-read_location").click()
    shot(browser, "5-consent")
    browser.find_element(By.ID, "approval-button").click()

    wait.until(lambda driver: driver.current_url.startswith(redirect))
    shot(browser, "6-callback")
    params = parse_qs(urlparse(browser.current_url).query)
    assert params["state"] == ["browser-state"]
    assert params["code"][0].startswith("cpc_")
    assert "Your car is connected" in browser.page_source
