"""The webhook transport: one POST to a subscriber, made safely.

- DNS is here (:func:`default_resolver`); the rules only judge the addresses they are given.
- Right before sending, the url is validated again against the addresses its host resolves
  to now (SSRF, DNS rebinding: :func:`checked_address`), and the connection goes to the
  address that was checked, with no second lookup (``_PinnedHTTPConnection``); over HTTPS
  the certificate is still verified for the url's host name.
- Redirects are not followed, the timeout bounds the whole exchange, at most
  ``MAX_RESPONSE_BYTES`` of the answer are read, and connection errors and timeouts are
  results (:class:`HttpResult`), never exceptions.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from chalicelib.core import clock
from chalicelib.webhooks import rules

MAX_RESPONSE_BYTES = 64 * 1024
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class HttpResult:
    status_code: int | None
    duration_ms: int
    error: str | None = None
    timed_out: bool = False


def default_resolver(host: str) -> list[str]:
    """Resolve ``host`` with :func:`socket.getaddrinfo` (all families).

    :returns: unique IP address strings in resolver order.
    :raises OSError: (``socket.gaierror``) if the name cannot be resolved.
    """
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    result: list[str] = []
    for info in infos:
        ip = str(info[4][0])
        if ip not in result:
            result.append(ip)
    return result


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand (no second DNS lookup to rebind)."""

    def __init__(self, host: str, port: int, *, timeout: float, address: str | None) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address or self.host, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to a checked address, verifying the certificate for the URL's host name."""

    def __init__(
        self, host: str, port: int, *, timeout: float, address: str | None, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address or self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(  # type: ignore[attr-defined]
            sock, server_hostname=self.host
        )


def checked_address(
    url: str, *, local_mode: bool, resolver: rules.Resolver | None = None
) -> str | None:
    """Validate ``url`` again right before sending (SSRF, DNS rebinding) and return the
    address to connect to (None in local mode: connect by name). ``resolver`` defaults to
    :func:`default_resolver`."""
    resolve = resolver or default_resolver
    if local_mode:
        rules.validate_url(url, local_mode=True, resolver=resolve)
        return None
    host = urlsplit(url).hostname or ""
    if rules.parse_ip(host) is not None:
        addresses = [host]
    else:
        try:
            addresses = list(resolve(host)) if host else []
        except (OSError, UnicodeError) as exc:
            raise rules.WebhookValidationError(f"host {host!r} could not be resolved") from exc
    rules.validate_url(url, local_mode=False, resolver=lambda _host: addresses)
    return addresses[0] if addresses else None


def http_post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    *,
    local_mode: bool,
    resolver: rules.Resolver | None = None,
) -> HttpResult:
    """POST without following redirects; connection errors and timeouts are results."""
    started = clock.monotonic()

    def result(
        status: int | None = None, error: str | None = None, timed_out: bool = False
    ) -> HttpResult:
        return HttpResult(
            status,
            int((clock.monotonic() - started) * 1000),
            error[:MAX_ERROR_CHARS] if error else None,
            timed_out,
        )

    try:
        address = checked_address(url, local_mode=local_mode, resolver=resolver)
    except rules.WebhookValidationError as exc:
        return result(error=f"refused: {exc}")
    parts = urlsplit(url)
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    conn: http.client.HTTPConnection
    if https:
        conn = _PinnedHTTPSConnection(
            parts.hostname or "", port, timeout=timeout, address=address, context=_tls_context()
        )
    else:
        conn = _PinnedHTTPConnection(parts.hostname or "", port, timeout=timeout, address=address)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("POST", target, body=body, headers=headers)
        remaining = timeout - (clock.monotonic() - started)
        if remaining <= 0:
            raise TimeoutError
        if conn.sock is not None:
            conn.sock.settimeout(remaining)  # the timeout bounds the whole exchange
        response = conn.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        return result(status=response.status)
    except TimeoutError:
        return result(error=f"timed out after {timeout:g} s", timed_out=True)
    except (OSError, http.client.HTTPException) as exc:
        return result(error=f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


_tls: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    global _tls
    if _tls is None:
        _tls = ssl.create_default_context()
    return _tls
