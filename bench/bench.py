"""Carport benchmark: every figure measured against a limit taken in the same run (see bench/run)."""
import argparse
import base64
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import parse_qs, urlparse

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "compat"))
from conftest import (TESLA_ENV, Carport, ClusterProxy, TeslaFake, fresh_postgres_database, free_port,  # noqa: E402
                      wait_until_healthy)  # (the compat suite's fixtures, reused)
from connect_pages import approve  # noqa: E402
from ocpp_load import ocpp_load  # noqa: E402
from webhook_fanout import fan_out  # noqa: E402

LUA = os.path.join(ROOT, "bench", "lua")
REDIRECT = "https://bench.example/callback"
SCOPE = "read_vehicle_info read_battery read_odometer"
# Rate limits out of the way (the runner measures Carport, not its limiter); one max-age window per minute.
BENCH_ENV = {"CARPORT_RATE_APP": "1000000/s,1000000", "CARPORT_RATE_VEHICLE": "1000000/s,1000000", "CARPORT_MAX_AGE": "60"}


class Settings:
    def __init__(self, quick):
        self.quick = quick
        self.duration = 2 if quick else 10
        self.vehicles = 16 if quick else 200
        self.codes = 100 if quick else 3000
        self.flows = 15 if quick else 200
        self.read_connections = 64
        self.token_connections = 16 if quick else 32
        self.pollers = 100
        self.fleet = 100_000
        self.webhook_vehicles = 500 if quick else 10_000
        self.chargers = 200 if quick else 2_000
        self.charger_seconds = 5 if quick else 30
        self.study_vehicles, self.study_days = (100, 2) if quick else (1_000, 7)
        self.study_pass = 1_000 if quick else 10_000


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs).stdout


def wrk(url, script, args, connections, duration, settings):
    """Runs wrk from a second process; returns the JSON line the Lua script reports."""
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", "-s",
               os.path.join(LUA, script), url]
    if args:
        command += ["--", *args]
    output = run(command, env=dict(os.environ, BENCH_LUA_DIR=LUA), timeout=duration + 60)
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[len("BENCH "):])
    result["command"] = portable(command)
    return result


def portable(command):
    """The command as the results file shows it: paths relative to the repository, the run's own files as
    <data-dir>/…, client credentials elided."""
    shown = []
    for part in command:
        if part.startswith(ROOT + os.sep):
            part = os.path.relpath(part, ROOT)
        elif part.startswith(tempfile.gettempdir() + os.sep):
            part = "<data-dir>/" + os.path.basename(part)
        elif re.fullmatch(r"[A-Za-z0-9+/=]{40,}", part):
            part = "<client-credentials>"
        shown.append(part)
    return " ".join(shown)


def rss_megabytes(pid):
    with open(f"/proc/{pid}/status") as status:
        kilobytes = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return round(kilobytes / 1024, 1)


def metric(base_url, name):
    text = requests.get(base_url + "/metrics").text
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def requests_served(base_url):
    """The node's own count of the requests it answered (Vapor's `http_requests_total`, every route and status)."""
    text = requests.get(base_url + "/metrics").text
    return sum(float(value) for value in re.findall(r"^http_requests_total\{[^}]*\} (\S+)$", text, re.MULTILINE))


class Nginx:
    """nginx serving one static file: the loopback limit for the same response bytes."""

    def __init__(self, body):
        self.dir = tempfile.mkdtemp(prefix="carport-bench-nginx-")
        self.port = free_port()
        os.makedirs(os.path.join(self.dir, "www"))
        with open(os.path.join(self.dir, "www", "battery"), "wb") as file:
            file.write(body)
        os.chmod(self.dir, 0o755)
        workers = os.cpu_count() or 1
        with open(os.path.join(self.dir, "nginx.conf"), "w") as conf:
            conf.write(f"""
worker_processes {workers};
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {self.dir}/body;
  proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi;
  uwsgi_temp_path {self.dir}/uwsgi;
  scgi_temp_path {self.dir}/scgi;
  server {{
    listen 127.0.0.1:{self.port};
    root {self.dir}/www;
    location / {{ default_type application/json; }}
  }}
}}
""")
        self.process = subprocess.Popen(["nginx", "-c", os.path.join(self.dir, "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/battery", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


class Seed:
    """An application, and vehicles connected through the real Connect flow, each with its tokens."""

    def __init__(self, server, count, base_url=None):
        self.app = server.create_app(name="Bench", redirect_uris=(REDIRECT,))
        self.basic = base64.b64encode(f"{self.app['clientId']}:{self.app['clientSecret']}".encode()).decode()
        self.server = server
        self.base_url = base_url or server.base_url
        self.connections = [self.connect(f"bench{index}@example.com") for index in range(count)]

    def authorize_url(self, state):
        return (f"{self.base_url}/oauth/authorize?response_type=code&client_id={self.app['clientId']}"
                f"&redirect_uri={REDIRECT}&scope={SCOPE.replace(' ', '%20')}&mode=test&state={state}")

    def code(self, email, session=None):
        callback = approve(self.authorize_url("bench"), self.base_url, brand="TESLA", email=email, session=session)
        return parse_qs(urlparse(callback).query)["code"][0]

    def exchange(self, code, session=requests):
        response = session.post(self.base_url + "/oauth/token", headers={"Authorization": "Basic " + self.basic},
                                data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
        response.raise_for_status()
        return response.json()

    def connect(self, email):
        tokens = self.exchange(self.code(email))
        headers = {"Authorization": "Bearer " + tokens["access_token"]}
        vehicle = requests.get(self.base_url + "/v2.0/vehicles", headers=headers).json()["vehicles"][0]
        return {"access": tokens["access_token"], "refresh": tokens["refresh_token"], "vehicle": vehicle}


def read_targets(seed):
    """wrk's target file for the cached read: every seeded vehicle's battery with its access token."""
    path = os.path.join(seed.server.data_dir, "reads.txt")
    with open(path, "w") as file:
        for connection in seed.connections:
            file.write(f"/v2.0/vehicles/{connection['vehicle']}/battery {connection['access']}\n")
    return path


def refresh_grants(seed, settings, commands):
    """The `refresh_token` grant in a closed loop, each connection rotating its own vehicles' token chains."""
    path = os.path.join(seed.server.data_dir, "refresh.txt")
    with open(path, "w") as file:
        file.write("\n".join(c["refresh"] for c in seed.connections) + "\n")
    # wrk calls request() once per thread before the run (a probe that is never sent), which takes one token
    # from each thread's chain: keep two spare chains.
    refresh = wrk(seed.base_url, "refresh.lua", [path, seed.basic, "2"],
                  min(settings.token_connections, settings.vehicles - 2), settings.duration, settings)
    commands.append(refresh.pop("command"))
    return refresh


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def connect_flow_latency(seed, settings):
    """authorize → sign-in → consent → code → token → first read, scripted over HTTP, one flow at a time.
    Server time is the sum of the `Server-Timing` durations of the flow's responses; the client-observed time
    adds the Python client and loopback."""
    server_times, client_times, counts = [], [], []
    for index in range(settings.flows):
        session = requests.Session()
        timings = []
        session.hooks["response"].append(
            lambda response, *args, **kwargs: timings.append(float(response.headers["Server-Timing"].split("dur=")[1])))
        began = time.perf_counter()
        tokens = seed.exchange(seed.code(f"latency{index}@example.com", session=session), session=session)
        headers = {"Authorization": "Bearer " + tokens["access_token"]}
        vehicle = session.get(seed.base_url + "/v2.0/vehicles", headers=headers).json()["vehicles"][0]
        session.get(f"{seed.base_url}/v2.0/vehicles/{vehicle}/battery", headers=headers).raise_for_status()
        client_times.append((time.perf_counter() - began) * 1000)
        server_times.append(sum(timings))
        counts.append(len(timings))
    return {"flows": len(server_times), "p50_ms": round(percentile(server_times, 0.5), 2),
            "p99_ms": round(percentile(server_times, 0.99), 2),
            "client_p50_ms": round(percentile(client_times, 0.5), 2),
            "client_p99_ms": round(percentile(client_times, 0.99), 2), "requests_per_flow": max(counts)}


def machine_facts(bin_dir, configuration):
    def first_line(command):
        result = subprocess.run(command, capture_output=True, text=True)
        lines = (result.stdout or result.stderr).strip().splitlines()
        return lines[0] if lines else "unknown"
    with open("/proc/meminfo") as meminfo:
        memory_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    with open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown")
    return {
        "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024 / 1024, 1), "cpu": cpu,
        "kernel": platform.release(), "swift": first_line(["swift", "--version"]),
        "nginx": first_line(["nginx", "-v"]),
        "wrk": first_line(["wrk", "--version"]).split(" [")[0], "python": platform.python_version(),
        "build": configuration, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def targets(figures):
    read, token, flow = figures["cached_read"], figures["token_endpoint"], figures["connect_flow"]
    upstream, fleet, memory = figures["upstream_efficiency"], figures["simulator"], figures["server_memory"]
    return [
        ("Cached read ≥ 0.5 × nginx static", read["ratio_to_nginx"], 0.5, read["ratio_to_nginx"] >= 0.5),
        ("Cached read p99 ≤ 20 ms at 64 connections", read["carport"]["p99_ms"], 20, read["carport"]["p99_ms"] <= 20),
        ("Cached read ≥ 0.7 × Carport trivial route", read["ratio_to_trivial"], 0.7, read["ratio_to_trivial"] >= 0.7),
        ("Refresh grant ≥ 3,000 req/s", token["refresh"]["rps"], 3000, token["refresh"]["rps"] >= 3000),
        ("Connect flow p50 ≤ 15 ms of server time", flow["p50_ms"], 15, flow["p50_ms"] <= 15),
        ("1 connector fetch per max-age window, 100 pollers", upstream["connector_fetches"], 1,
         upstream["connector_fetches"] == 1),
        ("Tesla fake, 6 endpoints: Fleet data requests per max-age window (0 wakes, none rate-limited)",
         upstream["tesla_fake"]["data_requests"] / upstream["tesla_fake"]["windows"], 1,
         upstream["tesla_fake"]["data_requests"] == upstream["tesla_fake"]["windows"] and upstream["tesla_fake"]["wakes"] == 0
         and upstream["tesla_fake"]["rate_limited"] == 0),
        ("100,000 simulated vehicles tick ≤ 100 ms", fleet["tickMilliseconds"], 100, fleet["tickMilliseconds"] <= 100),
        ("Simulator RSS ≤ 300 MB", fleet["rssMegabytes"], 300, fleet["rssMegabytes"] <= 300),
        ("Server RSS ≤ 150 MB after the read test", memory["after_read_mb"], 150, memory["after_read_mb"] <= 150),
    ] + study_targets(figures["smart_charging"]) + webhook_targets(figures["webhooks"]) + charger_targets(figures["chargers"]) + cluster_targets(figures.get("databases"))


def study_targets(study):
    met = study["deadlinesMet"] / max(1, study["deadlinesFeasible"])
    ratio = round(study["smartCost"] / study["optimalCost"], 3) if study["optimalCost"] > 0 else float("inf")
    fleet = f"{study['vehicles']:,} cars × {study['days']} days"
    return [
        (f"Smart charging, {fleet}: feasible deadlines met", round(met, 4), 1, met == 1 and study["deadlinesFeasible"] > 0),
        ("Smart charging: cost ≤ 1.05 × the offline optimum", ratio, 1.05, ratio <= 1.05),
        ("Smart charging: commands per car-day ≤ 4", study["commandsPerCarDay"], 4, study["commandsPerCarDay"] <= 4),
        (f"Smart charging: one planning pass over {study['passVehicles']:,} plugged-in cars ≤ 1 s CPU",
         study["planningPassCPUSeconds"], 1, study["planningPassCPUSeconds"] <= 1),
        ("Smart charging: the study ≤ 60 s", study["wallSeconds"], 60, study["wallSeconds"] <= 60),
    ]


def study_line(study):
    return (f"Smart charging study: {study['vehicles']:,} simulated cars × {study['days']} days on a virtual clock, "
            f"{study['sessions']:,} sessions, {study['energyKWh']:,.0f} kWh; deadlines met {study['deadlinesMet']:,} of "
            f"{study['deadlinesFeasible']:,} feasible; cost {study['smartCost']:,.2f} {study['currency']} smart, "
            f"{study['immediateCost']:,.2f} charging at once, {study['optimalCost']:,.2f} offline optimum; "
            f"{study['commandsPerCarDay']} commands per car-day; control loop {study['plannerCPUSeconds']} s CPU; "
            f"{study['wallSeconds']} s in all.")


def webhook_targets(hooks):
    every = hooks["updates_delivered"] / hooks["vehicles"]
    keeping_up = round(hooks["deliveries_per_second"] / hooks["changes_per_second"], 3)
    return [
        ("Smartcar webhooks: deliveries/s ÷ changes/s of the same run ≥ 0.95", keeping_up, 0.95, keeping_up >= 0.95),
        (f"Smartcar webhooks, {hooks['vehicles']:,} vehicles: deliveries/s ≥ 1,000 (SQLite)", hooks["deliveries_per_second"], 1000,
         hooks["deliveries_per_second"] >= 1000),
        ("Smartcar webhooks: every change delivered, all signed (delivered ÷ changes)", every, 1,
         every == 1 and hooks["unsigned"] == 0 and hooks["first_deliveries"] == hooks["subscribed"]),
    ]


def charger_targets(load):
    per_second = load["meter_values_per_second"]
    return [
        (f"OCPP: connections held of {load['chargers']:,}", load["connections_held"], load["chargers"],
         load["connections_held"] == load["chargers"] and load["call_errors"] == 0),
        ("OCPP: added server RSS per connection ≤ 50 KB", load["added_rss_kb_per_connection"], 50, load["added_rss_kb_per_connection"] <= 50),
        (f"OCPP: meter values persisted/s ≥ 0.95 × offered ({load['offered_per_second']:,}/s)", per_second,
         0.95 * load["offered_per_second"], per_second >= 0.95 * load["offered_per_second"]),
        (f"OCPP, {load['chargers']:,} chargers: meter values persisted/s ≥ 2,000 (SQLite)", per_second, 2000, per_second >= 2000),
        ("OCPP: p99 CALLRESULT ≤ 50 ms", load["p99_ms"], 50, load["p99_ms"] <= 50),
    ]


def cluster_targets(databases):
    """With two nodes behind nginx, both carry the load: the busier one answers at most twice the other's share."""
    if not databases:
        return []
    served = databases["PostgreSQL, 2 nodes behind nginx"]["requests_per_node"]
    balance = round(max(served) / max(1, min(served)), 2)
    return [("Two PostgreSQL nodes behind nginx: busier node's requests ÷ the other's ≤ 2", balance, 2, balance <= 2)]


def markdown(results):
    facts, figures = results["machine"], results["figures"]
    read, token = figures["cached_read"], figures["token_endpoint"]
    lines = [
        "# Carport benchmark results", "",
        f"{facts['date']} · {facts['cores']} cores · {facts['memory_gb']} GB · {facts['cpu']} · {facts['build']} build · "
        f"{results['database']} · {facts['swift']} · {facts['nginx']} · {facts['wrk']}", "",
        "| Figure | req/s | p50 ms | p99 ms |", "| --- | ---: | ---: | ---: |",
    ]
    for label, row in [("nginx static file (loopback limit)", read["nginx"]),
                       ("Carport trivial route `/health/live`", read["trivial"]),
                       ("Carport cached read `GET /v2.0/vehicles/{id}/battery`", read["carport"]),
                       ("`refresh_token` grant", token["refresh"]), ("`authorization_code` grant", token["code"])]:
        lines.append(f"| {label} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} |")
    flow, upstream = figures["connect_flow"], figures["upstream_efficiency"]
    fleet, memory = figures["simulator"], figures["server_memory"]
    lines += [
        "", f"Cached read: {read['ratio_to_nginx']:.2f} × nginx, {read['ratio_to_trivial']:.2f} × the trivial route "
        f"({read['vehicles']} vehicles, 64 connections).",
        f"Connect flow (authorize → sign-in → consent → code → token → first read, {flow['requests_per_flow']} requests): "
        f"server time p50 {flow['p50_ms']} ms, p99 {flow['p99_ms']} ms (sum of `Server-Timing`); client-observed p50 "
        f"{flow['client_p50_ms']} ms, p99 {flow['client_p99_ms']} ms (Python client) over {flow['flows']} flows.",
        f"Upstream efficiency: {upstream['pollers']} pollers on one vehicle for {upstream['seconds']} s "
        f"({upstream['requests']:,} requests, max age {upstream['max_age_s']} s) → {upstream['connector_fetches']:g} "
        f"connector fetch(es). Against the Tesla fake (same pollers, live mode, six endpoints of one car in turn, "
        f"{upstream['tesla_fake']['requests']:,} reads): {upstream['tesla_fake']['connector_fetches']:g} connector "
        f"fetch(es), {upstream['tesla_fake']['data_requests']} Fleet data request(s) in {upstream['tesla_fake']['windows']} "
        f"max-age window(s) ({upstream['tesla_fake']['data_per_1000_reads']:g} per 1,000 app reads), "
        f"{upstream['tesla_fake']['state_requests']} free state check(s), {upstream['tesla_fake']['wakes']} wake(s), "
        f"{upstream['tesla_fake']['rate_limited']} rate-limited.",
        f"Simulator: {fleet['vehicles']:,} vehicles advance one 60 s tick in {fleet['tickMilliseconds']} ms, "
        f"RSS {fleet['rssMegabytes']} MB.",
        f"Server RSS: {memory['idle_mb']} MB idle, {memory['after_read_mb']} MB after the read test.",
        study_line(figures["smart_charging"]),
        webhook_line(figures["webhooks"]),
        charger_line(figures["chargers"]),
    ]
    lines += databases_table(figures.get("databases"), facts)
    lines += [
        "", "| Target | Measured | Limit | Met |", "| --- | ---: | ---: | :---: |",
    ]
    for name, measured, limit, met in results["targets"]:
        lines.append(f"| {name} | {measured:g} | {limit:g} | {'yes' if met else 'no'} |")
    lines += ["", "Commands:", ""] + [f"    {command}" for command in results["commands"]]
    return "\n".join(lines) + "\n"


def webhook_line(hooks):
    return (f"Smartcar webhooks: {hooks['vehicles']:,} simulated vehicles ({hooks['owners']} owners) subscribed with the "
            f"SDK's call, {hooks['first_deliveries']:,} FIRST_DELIVERY events; then each plugged in once through the simulator "
            f"API at {hooks['changes_per_second']:,.0f} changes/s → {hooks['updates_delivered']:,} VEHICLE_STATE events "
            f"delivered ({hooks['duplicates']} duplicates, {hooks['unsigned']} with a bad SC-Signature) at "
            f"{hooks['deliveries_per_second']:,.0f} deliveries/s from the first change to the last delivery; change → delivery "
            f"p50 {hooks['change_to_delivery_p50_ms']} ms, p99 {hooks['change_to_delivery_p99_ms']} ms.")


def charger_line(load):
    return (f"OCPP chargers: {load['chargers']:,} 1.6 charge points connected in {load['connect_seconds']} s and held for "
            f"{load['seconds']} s ({load['connections_held']:,} open at the end, {load['call_errors']} CALLERRORs); server RSS "
            f"{load['rss_before_mb']} MB → {load['rss_held_mb']} MB held ({load['added_rss_kb_per_connection']} KB per connection) "
            f"→ {load['rss_loaded_mb']} MB under load; {load['meter_values']:,} MeterValues answered after being saved, "
            f"{load['meter_values_per_second']:,.0f}/s of {load['offered_per_second']:,}/s offered; CALLRESULT p50 "
            f"{load['p50_ms']} ms, p99 {load['p99_ms']} ms.")


def databases_table(databases, facts):
    if not databases:
        return []
    lines = ["", f"Databases and nodes ({facts['cores']} cores shared by the nodes, PostgreSQL, nginx and wrk: the point "
             "is correctness and the cost of PostgreSQL, not linear scaling). Connect flow is server time (sum of "
             "`Server-Timing`), client-observed in brackets.", "",
             "| Setup | cached read req/s | p99 ms | refresh grant req/s | p99 ms | Connect flow p50 ms | p99 ms | requests per node |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for setup, row in databases.items():
        read, refresh, flow = row["cached_read"], row["refresh"], row["connect_flow"]
        served = " / ".join(f"{count:,.0f}" for count in row.get("requests_per_node", [])) or "all"
        lines.append(f"| {setup} | {read['rps']:,.0f} | {read['p99_ms']:.2f} | {refresh['rps']:,.0f} | "
                     f"{refresh['p99_ms']:.2f} | {flow['p50_ms']} ({flow['client_p50_ms']}) | {flow['p99_ms']} "
                     f"({flow['client_p99_ms']}) | {served} |")
    return lines


TESLA_ENDPOINTS = ["battery", "charge", "charge/limit", "odometer", "location", "security"]
TESLA_SCOPE = "read_vehicle_info read_battery read_charge read_odometer read_location read_security"


def tesla_polling(server, tesla, settings, commands):
    """The pollers again, on a Tesla connected in live mode through the fake's login, each reading six different
    endpoints in turn: Carport's connector fetches and the Fleet API requests the fake counted by category (its
    per-car limit is 60 data requests a minute; Tesla bills every one)."""
    app = server.create_app(name="Bench Tesla", redirect_uris=(REDIRECT,), mode="live")
    basic = base64.b64encode(f"{app['clientId']}:{app['clientSecret']}".encode()).decode()
    url = (f"{server.base_url}/oauth/authorize?response_type=code&client_id={app['clientId']}&redirect_uri={REDIRECT}"
           f"&scope={TESLA_SCOPE.replace(' ', '%20')}&mode=live&state=bench")
    callback = approve(url, server.base_url, brand="TESLA", email="owner@example.com", password="tesla-password")
    tokens = requests.post(server.base_url + "/oauth/token", headers={"Authorization": "Basic " + basic},
                           data={"grant_type": "authorization_code", "code": parse_qs(urlparse(callback).query)["code"][0],
                                 "redirect_uri": REDIRECT}).json()
    headers = {"Authorization": "Bearer " + tokens["access_token"]}
    vehicle = requests.get(server.base_url + "/v2.0/vehicles", headers=headers).json()["vehicles"][0]
    poll_file = os.path.join(server.data_dir, "tesla-poll.txt")
    with open(poll_file, "w") as file:
        for endpoint in TESLA_ENDPOINTS:
            file.write(f"/v2.0/vehicles/{vehicle}/{endpoint} {tokens['access_token']}\n")
    before_fetches = metric(server.base_url, "carport_connector_fetches_total")
    before = requests.get(tesla.url + "/_fake/stats").json()
    polled = wrk(server.base_url, "read.lua", [poll_file], settings.pollers, settings.duration, settings)
    commands.append(polled.pop("command"))
    after = requests.get(tesla.url + "/_fake/stats").json()
    if polled["non2xx"] or polled["socket_errors"]:
        raise SystemExit(f"bench: Tesla polling had {polled['non2xx']} non-2xx answers and {polled['socket_errors']} socket errors")
    def delta(key):
        return after.get(key, 0) - before.get(key, 0)
    max_age = float(server.env["CARPORT_MAX_AGE"])
    data = delta("data")
    return {"requests": polled["requests"], "endpoints": len(TESLA_ENDPOINTS), "seconds": settings.duration,
            "max_age_s": max_age, "windows": math.ceil(settings.duration / max_age),
            "connector_fetches": metric(server.base_url, "carport_connector_fetches_total") - before_fetches,
            "fleet_api_requests": delta("requests"), "data_requests": data, "state_requests": delta("state"),
            "wakes": delta("wakes"), "rate_limited": delta("rate_limited"),
            "data_per_1000_reads": round(data * 1000 / max(1, polled["requests"]), 4)}


def database_figures(seed, nodes, settings, commands):
    """Cached reads, refresh grants and the Connect flow through `seed.base_url`, and how many requests each
    node answered meanwhile."""
    before = [requests_served(node.base_url) for node in nodes]
    read = wrk(seed.base_url, "read.lua", [read_targets(seed)], settings.read_connections, settings.duration, settings)
    commands.append(read.pop("command"))
    refresh = refresh_grants(seed, settings, commands)
    flow = connect_flow_latency(seed, settings)
    for name, row in [("read", read), ("refresh", refresh)]:
        if row["non2xx"] or row["socket_errors"]:
            raise SystemExit(f"bench: {name} via {seed.base_url} had {row['non2xx']} non-2xx answers and "
                             f"{row['socket_errors']} socket errors")
    served = [requests_served(node.base_url) - count for node, count in zip(nodes, before)]
    return {"cached_read": read, "refresh": refresh, "connect_flow": flow, "requests_per_node": served}


def scale_out(postgres_url, settings, commands, sqlite):
    """PostgreSQL with one node, then two nodes behind nginx (examples/cluster/nginx.conf), each on a fresh
    database, measured like SQLite's node in the same run."""
    shared = {**BENCH_ENV, "CARPORT_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode()}
    rows = {"SQLite, 1 node": sqlite}
    node = Carport(environment={**shared, "DATABASE_URL": fresh_postgres_database("carport_bench", postgres_url)})
    node.start()
    try:
        rows["PostgreSQL, 1 node"] = database_figures(Seed(node, settings.vehicles), [node], settings, commands)
    finally:
        node.stop()
    ports = [free_port(), free_port()]
    proxy = ClusterProxy(ports)
    cluster = {**shared, "DATABASE_URL": fresh_postgres_database("carport_bench", postgres_url),
               "CARPORT_PUBLIC_URL": proxy.url}
    nodes = [Carport(port=port, environment=cluster) for port in ports]
    try:
        for node in nodes:  # one after the other: the first start migrates the database
            node.start()
        if not wait_until_healthy(proxy.url + "/health", seconds=10):
            raise SystemExit("bench: nginx did not pass requests to the nodes")
        seed = Seed(nodes[0], settings.vehicles, base_url=proxy.url)
        rows["PostgreSQL, 2 nodes behind nginx"] = database_figures(seed, nodes, settings, commands)
    finally:
        for node in nodes:
            node.stop()
        proxy.stop()
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--configuration", default="release")
    parser.add_argument("--postgres-url", help="a PostgreSQL server to measure one and two nodes on, besides SQLite")
    options = parser.parse_args()
    settings = Settings(options.quick)
    os.environ["CARPORT_BIN"] = os.path.join(options.bin_dir, "carport")

    port = free_port()
    tesla = TeslaFake(redirect_uri=f"http://127.0.0.1:{port}/connect/oem/callback")
    server = Carport(port=port, environment={**TESLA_ENV, **BENCH_ENV})
    server.start()
    nginx = None
    commands = []
    try:
        idle = rss_megabytes(server.process.pid)
        seed = Seed(server, settings.vehicles)
        first = seed.connections[0]
        battery = requests.get(f"{server.base_url}/v2.0/vehicles/{first['vehicle']}/battery",
                               headers={"Authorization": "Bearer " + first["access"]}).content
        nginx = Nginx(battery)

        targets_file = read_targets(seed)
        trivial_file = os.path.join(server.data_dir, "trivial.txt")
        with open(trivial_file, "w") as file:
            file.write("/health/live none\n")
        static_file = os.path.join(server.data_dir, "static.txt")
        with open(static_file, "w") as file:
            file.write("/battery none\n")

        runs = {}
        for name, url, file in [("nginx", f"http://127.0.0.1:{nginx.port}", static_file),
                                ("trivial", server.base_url, trivial_file), ("carport", server.base_url, targets_file)]:
            runs[name] = wrk(url, "read.lua", [file], settings.read_connections, settings.duration, settings)
            commands.append(runs[name].pop("command"))
        after_read = rss_megabytes(server.process.pid)
        cached_read = {**runs, "vehicles": settings.vehicles,
                       "ratio_to_nginx": round(runs["carport"]["rps"] / runs["nginx"]["rps"], 3),
                       "ratio_to_trivial": round(runs["carport"]["rps"] / runs["trivial"]["rps"], 3)}

        refresh = refresh_grants(seed, settings, commands)
        codes_file = os.path.join(server.data_dir, "codes.txt")
        with open(codes_file, "w") as file:
            for index in range(settings.codes):
                file.write(f"{seed.code(f'code{index % 50}@example.com')} {REDIRECT}\n")
        # Each thread stops when its codes are used up, but wrk waits out the duration: the rate follows from
        # Little's law instead (connections ÷ mean latency of a closed loop that was busy until the codes ran out).
        code = wrk(server.base_url, "code.lua", [codes_file, seed.basic, "2"], settings.token_connections,
                   settings.duration, settings)
        commands.append(code.pop("command"))
        code["codes_minted"] = settings.codes
        code["rps"] = round(settings.token_connections / (code["mean_ms"] / 1000), 1)
        code["rps_method"] = "connections / mean latency (Little's law)"

        flow = connect_flow_latency(seed, settings)

        poller = Seed(server, 1).connections[0]
        poll_file = os.path.join(server.data_dir, "poll.txt")
        with open(poll_file, "w") as file:
            file.write(f"/v2.0/vehicles/{poller['vehicle']}/odometer {poller['access']}\n")
        before = metric(server.base_url, "carport_connector_fetches_total")
        polled = wrk(server.base_url, "read.lua", [poll_file], settings.pollers, settings.duration, settings)
        commands.append(polled.pop("command"))
        upstream = {"pollers": settings.pollers, "seconds": settings.duration, "max_age_s": 60,
                    "requests": polled["requests"], "non2xx": polled["non2xx"],
                    "connector_fetches": metric(server.base_url, "carport_connector_fetches_total") - before,
                    "tesla_fake": tesla_polling(server, tesla, settings, commands)}

        fleet_command = [os.path.join(options.bin_dir, "carport-sim-bench"), str(settings.fleet)]
        fleet = json.loads(run(fleet_command))
        commands.append(portable(fleet_command))
        study_command = [os.path.join(options.bin_dir, "carport"), "smart-charging", "study", "--vehicles", str(settings.study_vehicles),
                         "--days", str(settings.study_days), "--seed", "1", "--pass-vehicles", str(settings.study_pass), "--json"]
        study = json.loads(run(study_command))
        commands.append(portable(study_command))

        figures = {"cached_read": cached_read, "token_endpoint": {"refresh": refresh, "code": code},
                   "connect_flow": flow, "upstream_efficiency": upstream, "simulator": fleet,
                   "smart_charging": study, "server_memory": {"idle_mb": idle, "after_read_mb": after_read}}
        for name, row in [("nginx", runs["nginx"]), ("trivial", runs["trivial"]), ("carport", runs["carport"]),
                          ("refresh", refresh), ("code", code), ("poll", polled)]:
            if row["non2xx"] or row["socket_errors"]:
                raise SystemExit(f"bench: {name} had {row['non2xx']} non-2xx answers and {row['socket_errors']} socket errors")
    finally:
        if nginx:
            nginx.stop()
        server.stop()
        tesla.stop()
    # Smartcar webhooks on a server of their own, without the periodic scan: every event comes from a change.
    hooks = Carport(port=free_port(), environment={**BENCH_ENV, "CARPORT_WEBHOOK_SCAN": "3600"})
    hooks.start()
    try:
        figures["webhooks"] = fan_out(hooks, settings.webhook_vehicles)
        commands.append(f"python bench/webhook_fanout.py: {settings.webhook_vehicles:,} simulated vehicles subscribed, "
                        "each plugged in once through POST /simulator/vehicles/{vin}/plug")
    finally:
        hooks.stop()
    # OCPP chargers on a server of their own.
    chargers = Carport(port=free_port(), environment=BENCH_ENV)
    chargers.start()
    try:
        figures["chargers"] = ocpp_load(chargers, settings.chargers, settings.charger_seconds)
        commands.append(f"python bench/ocpp_load.py: {settings.chargers:,} OCPP 1.6 charge points on one node, MeterValues every "
                        f"second and a Heartbeat every 30 s for {settings.charger_seconds} s")
    finally:
        chargers.stop()
    if options.postgres_url:
        sqlite = {"cached_read": runs["carport"], "refresh": refresh, "connect_flow": flow}
        figures["databases"] = scale_out(options.postgres_url, settings, commands, sqlite)
    results = {"machine": machine_facts(options.bin_dir, options.configuration), "database": "SQLite",
               "quick": options.quick, "figures": figures, "commands": commands}
    results["targets"] = targets(figures)
    failures = [name for name, *_, met in results["targets"] if not met]

    out = tempfile.mkdtemp(prefix="carport-bench-") if options.quick else os.path.join(ROOT, "bench", "results")
    with open(os.path.join(out, "latest.json"), "w") as file:
        json.dump(results, file, indent=2)
    table = markdown(results)
    with open(os.path.join(out, "latest.md"), "w") as file:
        file.write(table)
    print(table)
    print(f"bench: results in {out}/latest.json and latest.md; targets missed: {', '.join(failures) or 'none'}")


if __name__ == "__main__":
    main()
