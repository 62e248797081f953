"""The dispatch board's stream under a real EventSource client, over HTTP against the
`make run` stack: node's `eventsource` package (4.1.1, installed by
``infra/local/eventsource.py`` into ``.local/tools``), whose reconnects, ``retry:`` and
``Last-Event-ID`` are the WHATWG EventSource's. Two clients at once: the token in the
``access_token`` query parameter (what a browser's EventSource can do) and the
reference's header form (``Authorization`` and ``X-Tenant-Id``, through the package's
``fetch`` option). Each response ends after the events since ``Last-Event-ID``; the
client reconnects with the last id it saw. The test makes an assignment after the
clients connected and sees it arrive, then makes job changes between at least three
reconnects and checks that each client got every change exactly once, in order, as the
jobs' histories record them."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from infra.local import eventsource
from tests.e2e.conftest import ok

CLIENT = Path(__file__).with_name("sse_client.cjs")
PASSWORD = "techPassword123!"
WAIT_S = 30.0  # for an event to arrive: the settle second plus a 3 s retry, with margin


@pytest.fixture(scope="module")
def package() -> Path:
    try:
        eventsource.node()
        return eventsource.install()
    except eventsource.Unavailable as exc:
        pytest.skip(f"no EventSource client: {exc}")


class Client:
    """One ``sse_client.cjs`` process and what it printed so far."""

    def __init__(self, package: Path, url: str, mode: str, token: str, tenant: str) -> None:
        self.mode = mode
        self.lines: list[dict[str, Any]] = []
        self._new: queue.Queue[dict[str, Any]] = queue.Queue()
        self.process = subprocess.Popen(
            [eventsource.node(), str(CLIENT), str(package), url, mode, token, tenant],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self._new.put(json.loads(raw))

    def _drain(self, timeout: float) -> bool:
        try:
            self.lines.append(self._new.get(timeout=timeout))
        except queue.Empty:
            return False
        while True:
            try:
                self.lines.append(self._new.get_nowait())
            except queue.Empty:
                return True

    def wait_for(self, what: str, check: Any) -> None:
        """Until ``check(lines)`` holds (fails after ``WAIT_S``)."""
        deadline = time.monotonic() + WAIT_S
        while not check(self.lines):
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None:
                pytest.fail(f"{self.mode} client: no {what}; saw {self.lines}; {self.stderr()}")
            self._drain(min(left, 0.5))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line["kind"] == kind]

    def messages(self) -> list[dict[str, Any]]:
        return self.of("message")

    def requests(self) -> int:
        return len(self.of("request"))

    def stderr(self) -> str:
        if self.process.poll() is None:
            return ""
        return self.process.stderr.read() if self.process.stderr else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _has_event(kind: str, job_id: int | None = None):  # noqa: ANN202
    def check(lines: list[dict[str, Any]]) -> bool:
        return any(
            line["kind"] == "message"
            and line["update"]["type"] == kind
            and (job_id is None or line["update"].get("job", {}).get("id") == job_id)
            for line in lines
        )

    return check


def _requests_past(count: int):  # noqa: ANN202
    return lambda lines: sum(1 for line in lines if line["kind"] == "request") > count


def test_eventsource_sees_an_assignment_and_resumes_without_gap_or_repeat(stack, package):
    account = stack.register("Stream Cooling")
    headers, tenant, token = account["headers"], account["tenant_id"], account["access_token"]
    tech = stack.create(
        "/admin/technicians",
        {
            "name": "Sam Stream",
            "pay_type": "hourly",
            "base_pay_cents": 2500,
            "username": "samstream",
            "password": PASSWORD,
        },
        headers,
    )
    login = ok(
        stack.request(
            "POST",
            "/api/v1/auth/login",
            {"username": "samstream", "password": PASSWORD},
            {"X-Tenant-Id": tenant},
        )
    )
    tech_headers = {"Authorization": f"Bearer {login['access_token']}", "X-Tenant-Id": tenant}

    def job(title: str) -> int:
        return stack.create("/admin/dispatch", {"title": title, "service_zip": "33601"}, headers)[
            "id"
        ]

    def patch(path: str, body: Any = None, as_: dict[str, str] = headers) -> None:
        ok(stack.request("PATCH", f"/api/v1{path}", body or {}, as_))

    first = job("Before the clients connected")
    url = f"{stack.base_url}/api/v1/admin/dispatch/stream"
    clients = [Client(package, url, mode, token, tenant) for mode in ("query", "header")]
    try:
        for client in clients:
            client.wait_for("open", lambda lines: any(x["kind"] == "open" for x in lines))
        # the last few minutes come first: the job created before connecting
        for client in clients:
            client.wait_for("job.created", _has_event("job.created", first))

        # an assignment made after the clients connected reaches both
        patch(f"/admin/dispatch/{first}/assign", {"technician_id": tech["id"]})
        for client in clients:
            client.wait_for("the assignment", _has_event("job.assigned", first))

        # changes between reconnects: each round waits for a new connection, then changes
        jobs = [first]
        rounds = [
            lambda: patch(f"/tech/dispatch/my-jobs/{first}/acknowledge", None, tech_headers),
            lambda: jobs.append(job("Made between reconnects")),
            lambda: (
                patch(f"/admin/dispatch/{jobs[1]}/assign", {"technician_id": tech["id"]}),
                stack.request(
                    "POST",
                    "/api/v1/tech/dispatch/location",
                    {"latitude": 27.9506, "longitude": -82.4572},
                    tech_headers,
                ),
            ),
            lambda: (
                patch(
                    f"/tech/dispatch/my-jobs/{first}/status", {"status": "en_route"}, tech_headers
                ),
                patch(f"/admin/dispatch/{jobs[1]}/cancel", {"reason": "called off"}),
            ),
        ]
        for change in rounds:
            seen = [c.requests() for c in clients]
            for client, count in zip(clients, seen, strict=True):
                client.wait_for("a reconnect", _requests_past(count))
            change()
        for client in clients:
            client.wait_for("the cancellation", _has_event("job.cancelled", jobs[1]))
            # and one more reconnect after it: nothing comes twice
            client.wait_for("a last reconnect", _requests_past(client.requests()))
    finally:
        for client in clients:
            client.stop()

    # what happened, from the jobs' own histories (each move is one stream event)
    expected: list[tuple[str, str, int | None]] = []
    for job_id in jobs:
        history = ok(
            stack.request("GET", f"/api/v1/admin/dispatch/{job_id}/history", headers=headers)
        )
        expected += [(m["at"], f"job.{m['action']}", job_id) for m in history["items"]]
    expected.append(("", "technician.location", None))
    want = sorted((kind, job_id) for _, kind, job_id in expected)

    streams = []
    for client in clients:
        messages = client.messages()
        ids = [m["id"] for m in messages]
        assert len(ids) == len(set(ids)), f"{client.mode}: an event came twice: {ids}"
        assert ids == sorted(ids), f"{client.mode}: events out of order: {ids}"
        got = sorted((m["update"]["type"], m["update"].get("job", {}).get("id")) for m in messages)
        assert got == want, f"{client.mode}: missed or extra events"
        # per job, in the order its history has them
        for job_id in jobs:
            mine = [
                m["update"]["type"]
                for m in messages
                if m["update"].get("job", {}).get("id") == job_id
            ]
            assert mine == [kind for _, kind, j in sorted(expected[:-1]) if j == job_id]
        # every reconnection sent the id of the last event received before it
        last = None
        reconnects = 0
        for line in client.lines:
            if line["kind"] == "message":
                last = line["id"]
            elif line["kind"] == "request":
                assert line["last_event_id"] == last, (client.mode, line, last)
                reconnects += line["last_event_id"] is not None
        assert reconnects >= 4, (client.mode, reconnects)
        # and waited the server's retry (3 s) after each response ended
        ends = [line["at"] for line in client.of("error")]
        starts = [line["at"] for line in client.of("request")][1 : len(ends) + 1]
        assert all(s - e >= 2500 for e, s in zip(ends, starts, strict=False)), (ends, starts)
        streams.append(ids)
    assert streams[0] == streams[1]  # query token and headers: the same stream
