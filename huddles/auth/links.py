"""Invite and reset links: the token rides in the fragment, which no browser sends to a server."""

from __future__ import annotations

import re

from flask import current_app, has_request_context, url_for

# What itsdangerous puts in a token: URL-safe base64 and the dots between its parts.
_TOKEN = re.compile(r"[A-Za-z0-9_\-.]{1,500}")
OLD_PATH = "/set-password/"


def set_password_link(token: str) -> str:
    """The one-time link, `…/set-password#<token>`, under HUDDLES_PUBLIC_URL when that is set.

    The token after '#' stays in the browser: it reaches no access log, proxy or Referer.
    """
    base = str(current_app.config.get("HUDDLES_PUBLIC_URL") or "").rstrip("/")
    if has_request_context():
        if not base:
            return url_for("auth.choose_password", _external=True, _anchor=token)
        path = url_for("auth.choose_password")
    else:
        # The CLI has no request to take a host from: the path under the public address.
        path = current_app.url_map.bind("").build("auth.choose_password")
    return f"{base}{path}#{token}"


def token_from_pasted(text: str) -> str | None:
    """The token in what a person pasted: the code, the whole link or an old link; else None."""
    text = text.strip().strip("<>\"'")
    if "#" in text:
        text = text.rsplit("#", 1)[1]
    elif OLD_PATH in text:
        text = text.split(OLD_PATH, 1)[1]
    text = text.strip().rstrip("/")
    return text if _TOKEN.fullmatch(text) else None
