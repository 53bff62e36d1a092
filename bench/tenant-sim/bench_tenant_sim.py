#!/usr/bin/python3
"""Benchmark: tenant-sim is never the bottleneck of the app's own benchmarks.

Every figure is a ratio against a baseline measured in this same run (see bench/README.md):
  1. start-up: process start to the "tenant-sim listening on" line, N users against 2,000 users;
  2. $search answer time (p50/p95) over one kept-alive connection, for every 1- to 12-character prefix of real
     display names, fresh (first time the simulator sees the query) and repeated (its match cache answers), and
     the walk through every page of the directory at $top=999; baseline: a trivial stdlib HTTP server started by
     this script, answering a fixed body of the same size;
  3. sustained requests per second with the server pinned to one core and the load generator on the other:
     $search (fresh and repeated), GET /v1.0/users/{id}, and paging through @odata.nextLink; same baseline.

    bench_tenant_sim.py [--users 100000] [--json PATH]      the full benchmark (about a minute and a half)
    bench_tenant_sim.py --quick [--json PATH]                smoke run: 2,000 users, a few seconds

Exit status 1 when a figure is missing or an answer was not 200 (a throttled or failed run proves nothing).
Standard library only; run it with Debian's /usr/bin/python3, like the simulator.
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import os
import platform
import re
import select
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlencode, urlsplit

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TENANT_SIM = os.path.join(REPO, "tests", "tenant-sim", "tenant-sim")
SIM_LISTENING = re.compile(r"^tenant-sim listening on (http://\S+)\n$")
BASELINE_LISTENING = re.compile(r"^baseline listening on (http://\S+)\n$")

TENANT_ID = "eab3a016-fcf8-474d-95ca-6878c36cb3b2"
CLIENT_ID = "8c3791a0-3f69-437d-9f93-53f516aafdb3"
OPERATOR = "helpdesk@contoso.test"
PASSWORD = "Passw0rd!"
SCOPE = "https://graph.microsoft.com/User.Read.All https://graph.microsoft.com/User.RevokeSessions.All"
# Throttling off: far more resource units and writes per window than any run here can spend.
UNTHROTTLED = ["--ru-limit", "1000000000", "--write-limit", "1000000000"]
BASELINE_USERS = 2000

SELECT = "id,displayName,userPrincipalName,mail,department,jobTitle,accountEnabled"
SEARCH_PROPERTIES = ("displayName", "userPrincipalName", "mail")
PAGE_TARGET = f"/v1.0/users?$select={SELECT}&$top=999&$count=true"
MAX_PREFIX = 12
SIM_CORE, LOAD_CORE = 0, 1
NEXT_LINK = re.compile(rb'"@odata\.nextLink":"([^"]+)"')


# -- statistics -----------------------------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * p / 100
    lo = math.floor(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "max_ms": max(ms)}


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


# -- HTTP with the least client work --------------------------------------------------------------------------------
def frame(buffer: bytes | bytearray) -> tuple[int, int, bytes] | None:
    """(status, total length, lower-cased head) once the head is in; both servers always send Content-Length."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).lower()
    status = int(head[9:12])
    at = head.find(b"\r\ncontent-length:")
    if at < 0:
        raise RuntimeError("an answer without Content-Length")
    stop = head.find(b"\r\n", at + 2)
    length = int(head[at + 17:stop if stop >= 0 else len(head)])
    return status, end + 4 + length, head


def encode_request(host: str, target: str, token: str, eventual: bool) -> bytes:
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}", f"Authorization: Bearer {token}", "Accept: application/json"]
    if eventual:
        lines.append("ConsistencyLevel: eventual")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def link_target(url: bytes | str) -> str:
    """The path and query of an absolute @odata.nextLink: the next request goes down the same connection."""
    text = url.decode() if isinstance(url, bytes) else url
    parts = urlsplit(text)
    return parts.path + ("?" + parts.query if parts.query else "")


@dataclass
class Answer:
    status: int
    head: bytes
    body: bytes
    seconds: float


class Connection:
    """One kept-alive HTTP/1.1 connection, one request at a time, timed from the first byte sent to the last
    byte received."""

    def __init__(self, address: tuple[str, int], timeout: float = 60.0) -> None:
        self.sock = socket.create_connection(address, timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def exchange(self, request: bytes) -> Answer:
        started = time.perf_counter()
        self.sock.sendall(request)
        buffer = bytearray()
        framed = None
        while framed is None or len(buffer) < framed[1]:
            chunk = self.sock.recv(1 << 18)
            if not chunk:
                raise RuntimeError("the server closed a kept-alive connection")
            buffer += chunk
            if framed is None:
                framed = frame(buffer)
        seconds = time.perf_counter() - started
        status, total, head = framed
        if len(buffer) != total:
            raise RuntimeError("more bytes than one answer")
        return Answer(status, head, bytes(buffer[len(head) + 4:]), seconds)

    def close(self) -> None:
        self.sock.close()


# -- child processes ------------------------------------------------------------------------------------------------
def taskset(core: int | None) -> list[str]:
    return ["taskset", "-c", str(core)] if core is not None else []


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    startup_s: float
    stderr_path: str
    address: tuple[str, int] = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 80)

    @property
    def host(self) -> str:
        return f"{self.address[0]}:{self.address[1]}"

    def cpu_snapshot(self) -> dict[str, float]:
        """CPU seconds used so far by each thread of the process (nanosecond precision from
        /proc/PID/task/TID/schedstat; the process total in clock ticks from /proc/PID/stat where that is
        missing). Use cpu_between() on two snapshots."""
        pid = self.process.pid
        times: dict[str, float] = {}
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                try:
                    with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as f:
                        times[tid] = int(f.read().split()[0]) / 1e9
                except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                    pass                    # the thread ended meanwhile
        except FileNotFoundError:
            times.clear()
        if not times or not any(times.values()):
            with open(f"/proc/{pid}/stat", encoding="ascii") as f:
                fields = f.read().rpartition(")")[2].split()
            return {"process": (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")}
        return times

    @staticmethod
    def cpu_between(before: dict[str, float], after: dict[str, float]) -> float:
        """CPU seconds between two snapshots: threads that ended in between are left out (a small undercount,
        never a negative one)."""
        return sum(seconds - before.get(tid, 0.0) for tid, seconds in after.items())

    def rss_mb(self) -> float:
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return math.nan

    def stop(self, kill: bool = False) -> None:
        """SIGTERM and wait for the exit; `kill`: SIGKILL, for the start-up probes, which hold nothing and would
        otherwise spend up to 0.7 s noticing the signal."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def child_environment(work: str) -> dict[str, str]:
    """Servers cache their bytecode in the run's directory (never in the source tree), whatever the caller's
    PYTHONDONTWRITEBYTECODE says: start-up times are then not compile times, on every machine."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(work, "pycache")
    return env


def start(command: list[str], listening: re.Pattern[str], work: str, name: str, timeout: float = 120.0) -> Server:
    """Starts a server and times it from just before the process is created to its listening line."""
    stderr_path = os.path.join(work, f"{name}.stderr")
    env = child_environment(work)
    with open(stderr_path, "wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
                                   env=env)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline().decode() if ready else ""
    seconds = time.perf_counter() - started
    match = listening.match(line)
    if match is None:
        process.kill()
        process.wait()
        with open(stderr_path, encoding="utf-8", errors="replace") as f:
            raise RuntimeError(f"{command[0]} did not start (stdout {line!r}): {f.read()}")
    return Server(process, match[1], seconds, stderr_path)


def start_sim(users: int, core: int | None, work: str) -> Server:
    command = [*taskset(core), sys.executable, TENANT_SIM, "--listen", "127.0.0.1:0", "--users", str(users),
               *UNTHROTTLED]
    return start(command, SIM_LISTENING, work, "sim")


def start_baseline(core: int | None, work: str) -> Server:
    command = [*taskset(core), sys.executable, os.path.abspath(__file__), "--serve-baseline"]
    return start(command, BASELINE_LISTENING, work, "baseline")


# -- the baseline: a trivial stdlib HTTP server ---------------------------------------------------------------------
class BaselineHandler(BaseHTTPRequestHandler):
    """Answers every GET with a fixed body, of the size tenant-sim gave for that kind of request; the benchmark
    sets each body (PUT /_body/search, /_body/user, /_body/page) once it has the simulator's answer."""
    protocol_version = "HTTP/1.1"          # keep-alive, like the simulator
    disable_nagle_algorithm = True         # as the simulator: no delayed-ACK stall between head and body
    bodies: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's naming)
        path = self.path
        kind = "search" if "search=" in path else "user" if path.startswith("/v1.0/users/") else "page"
        body = self.bodies.get(kind, b"{}")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:  # noqa: N802
        self.bodies[self.path.rsplit("/", 1)[-1]] = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def serve_baseline() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaselineHandler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"baseline listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


def put_body(server: Server, kind: str, body: bytes) -> None:
    connection = http.client.HTTPConnection(*server.address, timeout=30)
    try:
        connection.request("PUT", f"/_body/{kind}", body)
        response = connection.getresponse()
        response.read()
        if response.status != 204:
            raise RuntimeError(f"the baseline server refused the {kind} body")
    finally:
        connection.close()


# -- the queries an operator types ----------------------------------------------------------------------------------
def search_target(text: str, variant: int | None = None) -> str:
    """The app's query for what the operator typed. `variant` only changes the white space between the clauses
    (same meaning, same answer), so that the simulator's match cache, keyed on the $search text, misses."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    clauses = [f'"{prop}:{escaped}"' for prop in SEARCH_PROPERTIES]
    if variant is None:
        search = " OR ".join(clauses)
    else:
        gaps = [" " * (1 + variant // 6 ** i % 6) for i in range(5)]      # 6^5 distinct spacings
        search = (gaps[0][1:] + clauses[0] + gaps[1] + "OR" + gaps[2] + clauses[1] + gaps[3] + "OR" + gaps[4]
                  + clauses[2])
    return (f"/v1.0/users?$search={quote(search, safe='')}&$select={SELECT}&$top=50&$count=true")


def typed_prefixes(name: str) -> list[str]:
    """What the search box holds after each of the first 12 key presses (the app trims white space)."""
    seen: list[str] = []
    for n in range(1, min(MAX_PREFIX, len(name)) + 1):
        text = name[:n].strip()
        if text and text not in seen:
            seen.append(text)
    return seen


def _initial(name: str) -> str:
    return unicodedata.normalize("NFKD", name[:1].casefold())[:1]


def pick_names(names: list[str], count: int) -> list[str]:
    """`count` display names of 12 characters or more, spread evenly through the directory, each with a different
    first letter (so that every prefix is a distinct query)."""
    chosen: list[str] = []
    initials: set[str] = set()
    step = max(1, len(names) // count)
    for k in range(count):
        for i in range(len(names)):
            name = names[(k * step + i) % len(names)]
            if len(name) >= MAX_PREFIX and _initial(name) not in initials and name not in chosen:
                chosen.append(name)
                initials.add(_initial(name))
                break
    return chosen


# -- load generator -------------------------------------------------------------------------------------------------
@dataclass
class Plan:
    """What each connection asks: a list of pre-encoded requests (each connection starts at its own offset and
    goes round), or a walk through @odata.nextLink that starts again at the first page at the end."""
    requests: list[bytes] = field(default_factory=list)
    walk_first: str = ""
    host: str = ""
    token: str = ""


class _Stream:
    def __init__(self, address: tuple[str, int], plan: Plan, index: int) -> None:
        self.sock = socket.create_connection(address, timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.plan = plan
        self.index = index
        self.buffer = bytearray()
        self.framed: tuple[int, int, bytes] | None = None
        self.sent_at = 0.0

    def send(self, body_at: int | None = None) -> None:
        """The next request; in a walk, `body_at` is where the last answer's body starts in the buffer."""
        plan = self.plan
        if plan.requests:
            request = plan.requests[self.index % len(plan.requests)]
            self.index += 1
        else:
            link = NEXT_LINK.search(self.buffer, body_at, body_at + 8192) if body_at is not None else None
            target = link_target(link[1]) if link else plan.walk_first
            request = encode_request(plan.host, target, plan.token, eventual=True)
        self.buffer.clear()
        self.framed = None
        self.sent_at = time.monotonic()
        if self.sock.send(request) != len(request):     # requests are small: the send buffer takes them whole
            raise RuntimeError("short send")


def _load_worker(pipe, release, core: int | None, address: tuple[str, int], plan: Plan, first: int,
                 connections: int, spacing: int, warm_at: float, stop_at: float) -> None:
    """One load-generating process: `connections` kept-alive connections, each with one request in flight, driven
    by a selector (no thread switches). Counts answers completed between warm_at and stop_at. The connections stay
    open until `release` is set: the server's connection threads must still exist when their CPU time is read."""
    try:
        if core is not None:
            os.sched_setaffinity(0, {core})
        selector = selectors.DefaultSelector()
        streams = [_Stream(address, plan, first + c * spacing) for c in range(connections)]
        for stream in streams:
            selector.register(stream.sock, selectors.EVENT_READ, stream)
            stream.send()
        count = nbytes = 0
        statuses: dict[int, int] = {}
        latencies: list[float] = []
        cpu_start = wall_start = None
        while True:
            now = time.monotonic()
            if cpu_start is None and now >= warm_at:
                cpu_start, wall_start = time.process_time(), now
            if now >= stop_at:
                break
            for key, _ in selector.select(min(stop_at, warm_at if cpu_start is None else stop_at) - now):
                stream: _Stream = key.data
                chunk = stream.sock.recv(1 << 18)
                if not chunk:
                    raise RuntimeError("the server closed a kept-alive connection")
                stream.buffer += chunk
                if stream.framed is None:
                    stream.framed = frame(stream.buffer)
                if stream.framed is None or len(stream.buffer) < stream.framed[1]:
                    continue
                done = time.monotonic()
                status, total, head = stream.framed
                if warm_at <= done < stop_at:
                    count += 1
                    nbytes += total
                    statuses[status] = statuses.get(status, 0) + 1
                    latencies.append(done - stream.sent_at)
                stream.send(len(head) + 4)
        cpu = time.process_time() - (cpu_start if cpu_start is not None else time.process_time())
        wall = time.monotonic() - (wall_start if wall_start is not None else time.monotonic())
        pipe.send({"count": count, "bytes": nbytes, "statuses": statuses, "cpu_s": cpu, "wall_s": wall,
                   "latencies": latencies})
        release.wait(60)
        for stream in streams:
            stream.sock.close()
    except Exception as exc:  # reported to the parent, which fails the run
        pipe.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        pipe.close()


def sustained(server: Server, plan: Plan, args: argparse.Namespace, first: int = 0) -> dict:
    """One round of load: args.processes x args.connections kept-alive connections, one request in flight on
    each, measured for args.duration seconds after args.warmup seconds; with the CPU time the server and the load
    generator used meanwhile."""
    context = multiprocessing.get_context("fork")
    processes, connections = args.processes, args.connections
    total = processes * connections
    spacing = max(1, len(plan.requests) // total) if plan.requests else 0
    warm_at = time.monotonic() + 0.2 + args.warmup        # 0.2 s to fork and connect
    stop_at = warm_at + args.duration
    workers = []
    release = context.Event()
    for p in range(processes):
        receiver, sender = context.Pipe(duplex=False)
        worker = context.Process(target=_load_worker, args=(sender, release, args.load_core, server.address, plan,
                                                            first + p * connections * spacing, connections,
                                                            spacing, warm_at, stop_at), daemon=True)
        worker.start()
        sender.close()
        workers.append((worker, receiver))
    time.sleep(max(0.0, warm_at - time.monotonic()))
    cpu_before = server.cpu_snapshot()
    time.sleep(max(0.0, stop_at - time.monotonic()))
    cpu_after = server.cpu_snapshot()
    release.set()
    results = []
    for worker, receiver in workers:
        if not receiver.poll(60):
            raise RuntimeError("a load generator process did not report")
        results.append(receiver.recv())
    for worker, _ in workers:
        worker.join(10)
    errors = [r["error"] for r in results if "error" in r]
    if errors:
        raise RuntimeError(f"load generator: {errors[0]}")
    statuses: dict[str, int] = {}
    for r in results:
        for status, n in r["statuses"].items():
            statuses[str(status)] = statuses.get(str(status), 0) + n
    return {"requests": sum(r["count"] for r in results), "seconds": args.duration, "statuses": statuses,
            "bytes": sum(r["bytes"] for r in results), "server_cpu_s": server.cpu_between(cpu_before, cpu_after),
            "loadgen_cpu_s": sum(r["cpu_s"] for r in results),
            "latencies": [x for r in results for x in r["latencies"]]}


def combine(rounds: list[dict]) -> dict:
    """The rounds of one scenario on one server, as one measurement."""
    requests = sum(r["requests"] for r in rounds)
    seconds = sum(r["seconds"] for r in rounds)
    server_cpu = sum(r["server_cpu_s"] for r in rounds)
    statuses: dict[str, int] = {}
    for r in rounds:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    latencies = [x for r in rounds for x in r["latencies"]]
    return {
        "rps": requests / seconds,
        "rps_rounds": [r["requests"] / r["seconds"] for r in rounds],
        "requests": requests, "seconds": seconds,
        # Requests per second of the server's own CPU time: what one core would serve if nothing else ran on it.
        # Neighbours that take part of the core lower rps, not this.
        "rps_per_cpu_s": requests / server_cpu if server_cpu else math.nan,
        "server_cpu_us_per_request": server_cpu / requests * 1e6 if requests else math.nan,
        "server_cpu": server_cpu / seconds,
        "loadgen_cpu": sum(r["loadgen_cpu_s"] for r in rounds) / seconds,
        "non_200": sum(n for s, n in statuses.items() if s != "200"), "statuses": statuses,
        "mean_answer_bytes": sum(r["bytes"] for r in rounds) / requests if requests else math.nan,
        "latency_under_load": summary_ms(latencies) if latencies else {},
    }


# -- the measurements -----------------------------------------------------------------------------------------------
def password_token(server: Server) -> str:
    connection = http.client.HTTPConnection(*server.address, timeout=30)
    try:
        connection.request("POST", f"/{TENANT_ID}/oauth2/v2.0/token", urlencode({
            "grant_type": "password", "client_id": CLIENT_ID, "username": OPERATOR, "password": PASSWORD,
            "scope": SCOPE}), {"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"ROPC sign-in as {OPERATOR} failed: {response.status} {body[:300]!r}")
        return json.loads(body)["access_token"]
    finally:
        connection.close()


def check_graph_answer(answer: Answer, what: str) -> dict:
    """A 200 with a JSON body, charged resource units and no sign of throttling."""
    if answer.status != 200:
        raise RuntimeError(f"{what}: HTTP {answer.status}: {answer.body[:300]!r}")
    if b"\r\nx-ms-resource-unit:" not in answer.head or b"x-ms-throttle" in answer.head:
        raise RuntimeError(f"{what}: unexpected throttling headers")
    return json.loads(answer.body)


def walk_pages(connection: Connection, host: str, token: str, pages: int | None = None,
               check: bool = False) -> tuple[list[float], list[dict], bytes]:
    """Every page of the directory at $top=999 through @odata.nextLink (or `pages` pages of the baseline's
    endless chain): per-page times, the users seen (checked runs only) and the second page's body."""
    target: str | None = PAGE_TARGET
    times: list[float] = []
    users: list[dict] = []
    sample = b""
    while target is not None and (pages is None or len(times) < pages):
        answer = connection.exchange(encode_request(host, target, token, eventual=True))
        times.append(answer.seconds)
        if answer.status != 200:
            raise RuntimeError(f"page walk: HTTP {answer.status}")
        link = NEXT_LINK.search(answer.body, 0, 8192)
        if check:
            users.extend(check_graph_answer(answer, "page walk")["value"])
        if len(times) == 2 or not sample:
            sample = answer.body
        target = link_target(link[1]) if link else None
    return times, users, sample


def with_cpu(server: Server, work):
    """work()'s result and the server CPU seconds it cost."""
    before = server.cpu_snapshot()
    result = work()
    return result, server.cpu_between(before, server.cpu_snapshot())


def measure_servers(args: argparse.Namespace, work: str, log) -> tuple[dict, dict]:
    """Phases 2 and 3. tenant-sim and the baseline server run side by side on the same core (the idle one takes
    no CPU) so that each measurement of one is right next to the same measurement of the other."""
    sim = start_sim(args.users, args.sim_core, work)
    base = None
    try:
        base = start_baseline(args.sim_core, work)
        token = password_token(sim)
        sim_conn, base_conn = Connection(sim.address), Connection(base.address)
        me = encode_request(sim.host, f"/v1.0/users/{OPERATOR}", token, eventual=False)
        for _ in range(20):                         # warm-up: the token verified once, code paths hot
            check_graph_answer(sim_conn.exchange(me), "warm-up")

        log("  page walk: every page of the directory at $top=999 ...")
        (page_times, users, page_body), page_cpu = with_cpu(sim, lambda: walk_pages(sim_conn, sim.host, token,
                                                                                    check=True))
        if len(users) != args.users:
            raise RuntimeError(f"the page walk saw {len(users)} users, not {args.users}")
        put_body(base, "page", page_body)
        (base_page_times, _, _), base_page_cpu = with_cpu(base, lambda: walk_pages(
            base_conn, base.host, "baseline", pages=len(page_times)))
        names = [u["displayName"] for u in users if u.get("displayName")]
        ids = [u["id"] for u in users]

        chosen = pick_names(names, args.names)
        queries = [text for name in chosen for text in typed_prefixes(name)]
        if len(set(queries)) != len(queries) or len(queries) > 128:
            raise RuntimeError("the typed queries must be distinct and fit the simulator's 128-query match cache")
        log(f"  $search: {len(queries)} typed queries from {len(chosen)} names, fresh then repeated ...")
        requests = [encode_request(sim.host, search_target(q), token, eventual=True) for q in queries]
        fresh, fresh_cpu = with_cpu(sim, lambda: [sim_conn.exchange(r) for r in requests])
        sizes = sorted(fresh, key=lambda a: len(a.body))
        search_body = sizes[len(sizes) // 2].body                   # the median answer size
        put_body(base, "search", search_body)
        base_request = encode_request(base.host, search_target(queries[0]), "baseline", eventual=True)
        for _ in range(20):
            base_conn.exchange(base_request)
        base_answers, base_cpu = with_cpu(base, lambda: [base_conn.exchange(base_request) for _ in queries])
        repeat, repeat_cpu = with_cpu(sim, lambda: [sim_conn.exchange(r) for r in requests])
        more, more_cpu = with_cpu(base, lambda: [base_conn.exchange(base_request) for _ in queries])
        base_answers += more
        base_cpu += more_cpu
        if any(a.status != 200 or len(a.body) != len(search_body) for a in base_answers):
            raise RuntimeError("the baseline server gave an unexpected answer")
        counts = []
        for query, answer in zip(queries + queries, fresh + repeat):
            body = check_graph_answer(answer, f"$search for {query!r}")
            if "@odata.count" not in body or len(body["value"]) > 50:
                raise RuntimeError(f"$search for {query!r}: not a counted page of at most 50 users")
            counts.append(body["@odata.count"])
        by_length: dict[int, list[float]] = {}
        for query, answer in zip(queries, fresh):
            by_length.setdefault(len(query), []).append(answer.seconds * 1000)

        user_answer = sim_conn.exchange(encode_request(sim.host, f"/v1.0/users/{ids[len(ids) // 2]}", token,
                                                       eventual=False))
        check_graph_answer(user_answer, "GET /v1.0/users/{id}")
        put_body(base, "user", user_answer.body)
        sim_conn.close()
        base_conn.close()

        # Fresh $search goes round every typed prefix of up to 600 names, each request with its own spacing, so
        # the simulator computes every answer; repeated $search goes round the typed queries above (all cached).
        distinct = list(dict.fromkeys(names))
        many = distinct[:: max(1, len(distinct) // 600)][:600]
        fresh_texts = [text for name in many for text in typed_prefixes(name)][:6 ** 5]
        spread = ids[:: max(1, len(ids) // 2000)]
        base_user = "/v1.0/users/00000000-0000-4000-8000-000000000000"
        plans = {
            "search_fresh": (Plan([encode_request(sim.host, search_target(t, v), token, True)
                                   for v, t in enumerate(fresh_texts)]), Plan([base_request])),
            "search_repeat": (Plan(requests), Plan([base_request])),
            "user_by_id": (Plan([encode_request(sim.host, f"/v1.0/users/{i}", token, False) for i in spread]),
                           Plan([encode_request(base.host, base_user, "baseline", False)])),
            "paging": (Plan(walk_first=PAGE_TARGET, host=sim.host, token=token),
                       Plan(walk_first=PAGE_TARGET, host=base.host, token="baseline")),
        }
        throughput = {}
        for name, (sim_plan, base_plan) in plans.items():
            log(f"  sustained load: {name} ({args.rounds} round(s) on each server, alternating) ...")
            rounds: dict[str, list[dict]] = {"sim": [], "baseline": []}
            for r in range(args.rounds):
                first = r * len(sim_plan.requests) // (2 * args.rounds)   # new requests in each round
                rounds["sim"].append(sustained(sim, sim_plan, args, first))
                rounds["baseline"].append(sustained(base, base_plan, args))
            throughput[name] = {side: combine(rs) for side, rs in rounds.items()}
        sim_figures = {
            "rss_mb": sim.rss_mb(),
            "names": chosen, "queries": queries,
            "fresh": {**summary_ms([a.seconds for a in fresh]), "cpu_ms": fresh_cpu / len(fresh) * 1000},
            "repeat": {**summary_ms([a.seconds for a in repeat]), "cpu_ms": repeat_cpu / len(repeat) * 1000},
            "fresh_p50_ms_by_prefix_length": {str(k): statistics.median(v) for k, v in sorted(by_length.items())},
            "match_counts": {"min": min(counts), "median": statistics.median(counts), "max": max(counts)},
            "answer_bytes_median": len(search_body),
            "pages": len(page_times), "page_walk_s": sum(page_times),
            "page": {**summary_ms(page_times), "cpu_ms": page_cpu / len(page_times) * 1000},
            "page_bytes": len(page_body), "user_bytes": len(user_answer.body),
            "fresh_load_queries": len(fresh_texts),
        }
        base_figures = {"answers": {**summary_ms([a.seconds for a in base_answers]),
                                    "cpu_ms": base_cpu / len(base_answers) * 1000},
                        "page_walk_s": sum(base_page_times),
                        "page": {**summary_ms(base_page_times), "cpu_ms": base_page_cpu / len(base_page_times) * 1000}}
        return {"sim": sim_figures, "baseline": base_figures}, throughput
    finally:
        sim.stop()
        if base is not None:
            base.stop()


def measure_startup(args: argparse.Namespace, work: str, log) -> dict:
    """Start-up to the listening line, alternating baseline size and full size (a drifting machine hits both)."""
    log("  warm-up start (byte-compiles the simulator, fills the file cache; not counted) ...")
    start_sim(BASELINE_USERS, None, work).stop(kill=True)
    small: list[float] = []
    large: list[float] = []
    for run in range(args.startup_runs):
        for sizes, users in ((small, BASELINE_USERS), (large, args.users)):
            server = start_sim(users, None, work)
            sizes.append(server.startup_s)
            server.stop(kill=True)
        log(f"  start-up run {run + 1}: {BASELINE_USERS} users {small[-1]:.2f} s, {args.users} users "
            f"{large[-1]:.2f} s")
    return {"baseline_users": BASELINE_USERS, "users": args.users,
            "baseline_s": statistics.median(small), "baseline_runs_s": small,
            "s": statistics.median(large), "runs_s": large,
            "ratio": ratio(statistics.median(large), statistics.median(small))}


# -- report ---------------------------------------------------------------------------------------------------------
SCENARIOS = {
    "search_fresh": "$search, fresh (computed)",
    "search_repeat": "$search, repeated (cached)",
    "user_by_id": "GET /v1.0/users/{id}",
    "paging": "nextLink paging, $top=999",
}


def assemble(args: argparse.Namespace, pinned: bool, startup: dict, sequential: dict, throughput: dict) -> dict:
    sim, base = sequential["sim"], sequential["baseline"]
    scenarios = {}
    for name in SCENARIOS:
        s, b = throughput[name]["sim"], throughput[name]["baseline"]
        scenarios[name] = {"sim": s, "baseline": b, "ratio": ratio(s["rps"], b["rps"]),
                           "ratio_per_cpu_s": ratio(s["rps_per_cpu_s"], b["rps_per_cpu_s"])}
    for side in ("sim", "baseline"):
        scenarios["paging"][side]["users_per_s"] = scenarios["paging"][side]["rps"] * 999
    return {
        "benchmark": "tenant-sim",
        "mode": "quick" if args.quick else "full",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "pinned": pinned,
                    "sim_core": args.sim_core, "load_core": args.load_core,
                    "loadavg_at_end": os.getloadavg()},
        "throttling": {"sim_options": UNTHROTTLED,
                       "non_200_answers": sum(t[side]["non_200"] for t in scenarios.values()
                                              for side in ("sim", "baseline"))},
        "load": {"processes": args.processes, "connections_per_process": args.connections, "rounds": args.rounds,
                 "warmup_s": args.warmup, "duration_s": args.duration,
                 "fresh_search_queries": sim["fresh_load_queries"]},
        "startup": {**startup, "rss_mb": sim["rss_mb"]},
        "search_latency": {
            "names": sim["names"], "queries": len(sim["queries"]),
            "match_counts": sim["match_counts"], "answer_bytes_median": sim["answer_bytes_median"],
            "sim": {"fresh": sim["fresh"], "repeat": sim["repeat"],
                    "fresh_p50_ms_by_prefix_length": sim["fresh_p50_ms_by_prefix_length"]},
            "baseline": base["answers"],
            "ratio": {"fresh_p50": ratio(sim["fresh"]["p50_ms"], base["answers"]["p50_ms"]),
                      "fresh_p95": ratio(sim["fresh"]["p95_ms"], base["answers"]["p95_ms"]),
                      "repeat_p50": ratio(sim["repeat"]["p50_ms"], base["answers"]["p50_ms"]),
                      "repeat_p95": ratio(sim["repeat"]["p95_ms"], base["answers"]["p95_ms"]),
                      "fresh_cpu": ratio(sim["fresh"]["cpu_ms"], base["answers"]["cpu_ms"]),
                      "repeat_cpu": ratio(sim["repeat"]["cpu_ms"], base["answers"]["cpu_ms"])},
        },
        "page_walk": {
            "users": args.users, "pages": sim["pages"], "page_bytes": sim["page_bytes"],
            "sim": {"total_s": sim["page_walk_s"], **sim["page"]},
            "baseline": {"total_s": base["page_walk_s"], **base["page"]},
            "ratio": {"total": ratio(sim["page_walk_s"], base["page_walk_s"]),
                      "p50": ratio(sim["page"]["p50_ms"], base["page"]["p50_ms"]),
                      "cpu": ratio(sim["page"]["cpu_ms"], base["page"]["cpu_ms"])},
        },
        "throughput": scenarios,
    }


REQUIRED = [
    "startup.baseline_s", "startup.s", "startup.ratio",
    *(f"search_latency.sim.{kind}.{p}" for kind in ("fresh", "repeat") for p in ("p50_ms", "p95_ms")),
    "search_latency.baseline.p50_ms", "search_latency.baseline.p95_ms",
    "search_latency.sim.fresh.cpu_ms", "search_latency.sim.repeat.cpu_ms", "search_latency.baseline.cpu_ms",
    *(f"search_latency.ratio.{r}" for r in ("fresh_p50", "fresh_p95", "repeat_p50", "repeat_p95", "fresh_cpu",
                                            "repeat_cpu")),
    "page_walk.sim.total_s", "page_walk.sim.p50_ms", "page_walk.baseline.total_s", "page_walk.baseline.p50_ms",
    "page_walk.sim.cpu_ms", "page_walk.baseline.cpu_ms",
    "page_walk.ratio.total", "page_walk.ratio.p50", "page_walk.ratio.cpu",
    *(f"throughput.{name}.{figure}" for name in SCENARIOS
      for figure in ("sim.rps", "baseline.rps", "ratio", "sim.rps_per_cpu_s", "baseline.rps_per_cpu_s",
                     "ratio_per_cpu_s", "sim.loadgen_cpu", "baseline.loadgen_cpu")),
]


def missing_figures(result: dict) -> list[str]:
    missing = []
    for path in REQUIRED:
        value: object = result
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            missing.append(path)
    return missing


def report(result: dict) -> str:
    st, sl, pw, tp = result["startup"], result["search_latency"], result["page_walk"], result["throughput"]
    machine, load = result["machine"], result["load"]
    users = st["users"]
    lines = [
        f"tenant-sim benchmark ({result['mode']}): {users:,} users. Baselines: {st['baseline_users']:,} users for "
        "start-up, a trivial stdlib HTTP server for the rest.",
        f"{machine['cpus']} CPUs, Python {machine['python']}, load average {machine['loadavg_at_end'][0]:.1f}; "
        + (f"servers pinned to core {machine['sim_core']}, load generator and client on core {machine['load_core']}."
           if machine["pinned"] else "NOT pinned (fewer than 2 cores, or no taskset)."),
        f"Throttling off: tenant-sim {' '.join(result['throttling']['sim_options'])}; "
        f"{result['throttling']['non_200_answers']} non-200 answers.",
        "",
        f"{'figure':<44}{'tenant-sim':>12}{'baseline':>12}{'ratio':>9}",
        f"{'start-up to listening line (s)':<44}{st['s']:>12.2f}{st['baseline_s']:>12.2f}{st['ratio']:>8.2f}x"
        f"  {users:,} vs {st['baseline_users']:,} users; RSS {st['rss_mb']:.0f} MB",
    ]
    base = sl["baseline"]
    for kind, label in (("fresh", "fresh"), ("repeat", "repeated")):
        for p in ("p50", "p95"):
            lines.append(f"{f'$search {label}, {p} (ms)':<44}{sl['sim'][kind][f'{p}_ms']:>12.2f}"
                         f"{base[f'{p}_ms']:>12.2f}{sl['ratio'][f'{kind}_{p}']:>8.2f}x")
        lines.append(f"{f'$search {label}, server CPU per answer (ms)':<44}{sl['sim'][kind]['cpu_ms']:>12.2f}"
                     f"{base['cpu_ms']:>12.2f}{sl['ratio'][f'{kind}_cpu']:>8.2f}x")
    lines.append(f"  {sl['queries']} typed queries: every 1-{MAX_PREFIX} character prefix of {len(sl['names'])} "
                 f"display names; {sl['match_counts']['min']}-{sl['match_counts']['max']} matches; answers "
                 f"~{sl['answer_bytes_median']:,} bytes")
    by_length = " ".join(f"{k}:{v:.1f}" for k, v in sl["sim"]["fresh_p50_ms_by_prefix_length"].items())
    lines.append(f"  fresh, by prefix length (ms): {by_length}")
    walk_label = f"page walk, {pw['pages']} pages of 999 (s)"
    lines.append(f"{walk_label:<44}{pw['sim']['total_s']:>12.2f}{pw['baseline']['total_s']:>12.2f}"
                 f"{pw['ratio']['total']:>8.2f}x")
    lines.append(f"{'  one page, p50 (ms)':<44}{pw['sim']['p50_ms']:>12.2f}{pw['baseline']['p50_ms']:>12.2f}"
                 f"{pw['ratio']['p50']:>8.2f}x  ~{pw['page_bytes']:,} bytes")
    lines.append(f"{'  one page, server CPU (ms)':<44}{pw['sim']['cpu_ms']:>12.2f}{pw['baseline']['cpu_ms']:>12.2f}"
                 f"{pw['ratio']['cpu']:>8.2f}x")
    lines.append(f"sustained load, requests/s ({load['processes']} processes x {load['connections_per_process']} "
                 f"kept-alive connections; {load['rounds']} x {load['duration_s']:g} s per server, alternating):")
    for name, label in SCENARIOS.items():
        s, b = tp[name]["sim"], tp[name]["baseline"]
        lines.append(f"{'  ' + label:<44}{s['rps']:>12.0f}{b['rps']:>12.0f}{tp[name]['ratio']:>8.2f}x")
    lines.append("  per second of server CPU (what one free core serves), and CPU shares of a core (server/load):")
    for name, label in SCENARIOS.items():
        s, b = tp[name]["sim"], tp[name]["baseline"]
        lines.append(f"{'  ' + label:<44}{s['rps_per_cpu_s']:>12.0f}{b['rps_per_cpu_s']:>12.0f}"
                     f"{tp[name]['ratio_per_cpu_s']:>8.2f}x  {s['server_cpu']:.0%}/{s['loadgen_cpu']:.0%}"
                     f" vs {b['server_cpu']:.0%}/{b['loadgen_cpu']:.0%}")
    paging = tp["paging"]["sim"]
    lines.append(f"  paging delivers {paging['users_per_s']:,.0f} users/s ({paging['mean_answer_bytes'] / 1024:.0f} "
                 "KiB pages)")
    return "\n".join(lines)


# -- main -----------------------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100000, help="directory size (default 100000)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2,000 users, one short round per load scenario; produces every figure, "
                             "none of them meaningful")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--rounds", type=int, help="rounds of load per scenario and server, alternating "
                                                   "(default 2; 1 with --quick)")
    parser.add_argument("--duration", type=float, help="seconds measured per round (default 2; 0.2 with --quick)")
    parser.add_argument("--warmup", type=float, help="seconds of unmeasured load before each round "
                                                     "(default 0.5; 0.1 with --quick)")
    parser.add_argument("--processes", type=int, default=2, help="load generator processes (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="connections per process (default 4)")
    parser.add_argument("--serve-baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.users = BASELINE_USERS

    def pick(value, full, quick):
        return value if value is not None else quick if args.quick else full

    args.rounds = pick(args.rounds, 2, 1)
    args.duration = pick(args.duration, 2.0, 0.2)
    args.warmup = pick(args.warmup, 0.5, 0.1)
    args.names = 3 if args.quick else 8         # display names whose prefixes are typed (8 x 12 <= 128 queries)
    args.startup_runs = 1 if args.quick else 3
    if args.users < 1 or args.rounds < 1 or args.duration <= 0 or args.warmup < 0 or args.processes < 1 \
            or args.connections < 1:
        parser.error("--users, --rounds, --duration, --processes and --connections must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_baseline:
        return serve_baseline()
    pinned = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None \
        and {SIM_CORE, LOAD_CORE} <= os.sched_getaffinity(0)
    args.sim_core, args.load_core = (SIM_CORE, LOAD_CORE) if pinned else (None, None)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-tenant-sim-") as work:
        log("start-up ...")
        startup = measure_startup(args, work, log)
        if pinned:
            os.sched_setaffinity(0, {LOAD_CORE})      # the sequential client stays off the servers' core
        log(f"tenant-sim ({args.users} users) and the baseline server ...")
        sequential, throughput = measure_servers(args, work, log)
    result = assemble(args, pinned, startup, sequential, throughput)
    result["elapsed_s"] = time.monotonic() - began
    missing = missing_figures(result)
    result["complete"] = not missing and result["throttling"]["non_200_answers"] == 0
    print(report(result))
    print(f"(whole run {result['elapsed_s']:.0f} s)")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2, ensure_ascii=False)
            f.write("\n")
    if missing:
        print(f"bench: missing figures: {', '.join(missing)}", file=sys.stderr)
    if result["throttling"]["non_200_answers"]:
        print("bench: some answers were not 200; the figures are not valid", file=sys.stderr)
    return 0 if result["complete"] else 1


if __name__ == "__main__":
    sys.exit(main())
