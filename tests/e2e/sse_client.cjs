// A real EventSource client (the npm `eventsource` package, installed by
// infra/local/eventsource.py) on the dispatch board's stream, for
// tests/e2e/test_dispatch_stream_e2e.py. It prints one JSON line per thing that happens:
//   {"kind": "request", "last_event_id": ...}   each (re)connection the client makes
//   {"kind": "open"} / {"kind": "error", ...}    the EventSource's own events
//   {"kind": "message", "id": ..., "update": ...} each event, as the reference's onmessage
// and stops when its standard input closes.
//
// usage: node sse_client.cjs <eventsource package dir> <stream url> query|header <token> <tenant>
"use strict";

const [moduleDir, url, mode, token, tenant] = process.argv.slice(2);
const { EventSource } = require(moduleDir);

const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

// The reference's form sends the headers; browsers cannot, so the token may also ride in
// the query (`access_token`). Either way every request is logged with its Last-Event-ID.
const target = mode === "query" ? `${url}?access_token=${encodeURIComponent(token)}` : url;
const extra = mode === "header" ? { Authorization: `Bearer ${token}`, "X-Tenant-Id": tenant } : {};

const eventSource = new EventSource(target, {
  fetch: (input, init) => {
    const headers = { ...(init.headers || {}), ...extra };
    print({ kind: "request", last_event_id: headers["Last-Event-ID"] ?? null, at: Date.now() });
    return fetch(input, { ...init, headers });
  },
});

eventSource.onopen = () => print({ kind: "open", at: Date.now() });
eventSource.onerror = (event) =>
  print({ kind: "error", code: event.code ?? null, message: event.message ?? null, at: Date.now() });

// the reference's handler
eventSource.onmessage = (event) => {
  const update = JSON.parse(event.data);
  print({ kind: "message", id: event.lastEventId, update, at: Date.now() });
};

process.stdin.resume();
process.stdin.on("end", () => {
  eventSource.close();
  process.exit(0);
});
