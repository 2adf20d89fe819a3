"""Where a webhook may go, and sending it there: public http(s) only, pinned, short, no redirects.

The host is resolved once; every address must be public (unless HUDDLES_WEBHOOK_ALLOW_PRIVATE),
and the connection goes to the address that was checked, so a DNS answer that changes between
the check and the request (rebinding) cannot reach inside.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _

from huddles.validation import FieldError

MAX_URL_LENGTH = 500
TIMEOUT_SECONDS = 5.0
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def check_url(raw: str) -> str:
    """The URL, trimmed, if it is http(s) with a host; else FieldError('webhook_url')."""
    url = (raw or "").strip()
    if len(url) > MAX_URL_LENGTH:
        raise FieldError(
            "webhook_url", _("Keep the webhook URL under %(n)s characters.", n=MAX_URL_LENGTH)
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        raise FieldError("webhook_url", _("This is not a valid URL.")) from None
    if parts.scheme not in ("http", "https"):
        raise FieldError("webhook_url", _("A webhook URL must start with https:// (or http://)."))
    if not parts.hostname:
        raise FieldError("webhook_url", _("The webhook URL has no host name."))
    if parts.username or parts.password:
        raise FieldError(
            "webhook_url", _("Put no user name or password in the URL; use a secret path.")
        )
    if port == 0:
        raise FieldError("webhook_url", _("This is not a valid URL."))
    return url


def resolve(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host and check every address; FieldError('webhook_url') if inside."""
    url = check_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FieldError(
            "webhook_url", _("The host %(host)s cannot be found.", host=host)
        ) from None
    addresses = sorted({str(info[4][0]) for info in infos})
    if not addresses:
        raise FieldError("webhook_url", _("The host %(host)s cannot be found.", host=host))
    if not allow_private and not all(_is_public(address) for address in addresses):
        raise FieldError(
            "webhook_url",
            _(
                "%(host)s points to a private, loopback or reserved address: "
                "webhooks only go to public addresses.",
                host=host,
            ),
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate checked against the host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(target: Target, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST the body; (status, start of the response). Redirects are answers, never followed."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, TIMEOUT_SECONDS)
    else:
        connection = http.client.HTTPConnection(
            target.address, target.port, timeout=TIMEOUT_SECONDS
        )
    default_port = 443 if target.scheme == "https" else 80
    host_header = f"[{target.host}]" if ":" in target.host else target.host
    if target.port != default_port:
        host_header += f":{target.port}"
    try:
        connection.request("POST", target.path, body=body, headers={"Host": host_header, **headers})
        response = connection.getresponse()
        text = response.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace")
        return response.status, text
    finally:
        connection.close()
