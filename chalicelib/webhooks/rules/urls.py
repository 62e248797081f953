"""SSRF-safe endpoint URL validation (:func:`validate_url`).

Standard library only, and no network: host names are resolved by the ``resolver`` the
caller passes (the webhook transport's ``default_resolver`` in production, a fake in
tests), so the same check serves the API (at create and update) and the transport
(right before each send, against the address it will connect to).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from urllib.parse import urlsplit

from chalicelib.webhooks.rules.events import WebhookValidationError

MAX_URL_LENGTH = 2048
"""Maximum accepted endpoint URL length."""

Resolver = Callable[[str], list[str]]
"""Maps a host name to the list of IP address strings it resolves to."""

_BLOCKED_HOSTNAMES = frozenset({"localhost", "metadata.google.internal", "metadata"})
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _blocked_reason(ip: IPAddress) -> str | None:
    """Return why ``ip`` must not be contacted, or ``None`` if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            # ::ffff:a.b.c.d is reached as a.b.c.d: judge it by the IPv4 address.
            inner = _blocked_reason(ip.ipv4_mapped)
            return None if inner is None else f"IPv4-mapped {ip.ipv4_mapped}: {inner}"
        embedded: ipaddress.IPv4Address | None = ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = _blocked_reason(embedded)
            if inner is not None:
                return f"embeds IPv4 {embedded}: {inner}"
        if ip.is_site_local:
            return "site-local"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "carrier-grade NAT"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "not globally routable"
    return None


def parse_ip(text: str) -> IPAddress | None:
    """Parse an IP literal (dropping any IPv6 zone id), or ``None``."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def validate_url(url: str, *, local_mode: bool, resolver: Resolver) -> str:
    """Validate a subscriber endpoint URL against SSRF and return it.

    Rules:

    * scheme must be ``https`` (``http`` is also accepted when ``local_mode``);
    * a host is required; userinfo (``user:pass@``) is refused; an explicit
      port is allowed (1-65535); no whitespace/control characters; at most
      :data:`MAX_URL_LENGTH` characters;
    * outside ``local_mode``, the host names ``localhost`` (and
      ``*.localhost``), ``metadata``, ``metadata.google.internal`` are refused,
      and the host (an IP literal, or every address ``resolver`` returns for
      it) must be publicly routable: private, loopback, link-local (incl.
      169.254.169.254), unspecified, multicast, reserved, carrier-grade NAT
      (100.64/10), IPv6 site-local, and IPv4-mapped/6to4/NAT64 IPv6 forms of
      any of these are refused. If **any** address is non-public the URL is
      refused. An unresolvable host is refused.

    ``local_mode`` skips the host/address checks entirely (local development
    talks to ``localhost``).

    Note: this check alone does not stop DNS rebinding. The delivery worker
    should re-validate right before each send and connect to a validated
    address.

    :param resolver: ``host -> [ip, ...]``, called only outside ``local_mode``
        for a host that is not an IP literal. Callers pass the transport's
        ``default_resolver`` (DNS) unless they inject one; tests pass a fake.
    :returns: the URL, with surrounding whitespace stripped.
    :raises WebhookValidationError: describing the first rule violated.
    """
    if not isinstance(url, str):
        raise WebhookValidationError("webhook URL must be a string")
    url = url.strip()
    if not url:
        raise WebhookValidationError("webhook URL is required")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookValidationError(f"webhook URL must be at most {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise WebhookValidationError(
            "webhook URL must not contain whitespace or control characters"
        )

    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise WebhookValidationError(f"webhook URL is malformed: {exc}") from exc

    scheme = parts.scheme.lower()
    allowed_schemes = ("http", "https") if local_mode else ("https",)
    if scheme not in allowed_schemes:
        raise WebhookValidationError(
            "webhook URL must use https" + (" or http (local mode)" if local_mode else "")
        )
    if "@" in parts.netloc:
        raise WebhookValidationError("webhook URL must not contain credentials (user:pass@)")
    host = parts.hostname
    if not host:
        raise WebhookValidationError("webhook URL must include a host")
    try:
        port = parts.port
    except ValueError as exc:
        raise WebhookValidationError("webhook URL has an invalid port") from exc
    if port is not None and not 1 <= port <= 65535:
        raise WebhookValidationError("webhook URL has an invalid port")
    if parts.netloc.endswith(":"):
        raise WebhookValidationError("webhook URL has an invalid port")

    if local_mode:
        return url

    name = host.lower().rstrip(".")
    if not name:
        raise WebhookValidationError("webhook URL must include a host")
    if name in _BLOCKED_HOSTNAMES or name.endswith(".localhost"):
        raise WebhookValidationError(f"webhook URL host {host!r} is not allowed")

    literal = parse_ip(name)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        unresolved = f"webhook URL host {host!r} could not be resolved"
        try:
            resolved = list(resolver(name))
        except (OSError, UnicodeError) as exc:
            raise WebhookValidationError(unresolved) from exc
        if not resolved:
            raise WebhookValidationError(unresolved)
        addresses = []
        for text in resolved:
            ip = parse_ip(str(text))
            if ip is None:
                raise WebhookValidationError(
                    f"webhook URL host {host!r} resolved to an invalid address {text!r}"
                )
            addresses.append(ip)

    for ip in addresses:
        reason = _blocked_reason(ip)
        if reason is not None:
            raise WebhookValidationError(
                f"webhook URL host {host!r} resolves to a non-public address {ip} ({reason})"
            )
    return url
