"""What makes Huddles installable: the web app manifest, the favicon and the service worker."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _

bp = Blueprint("pwa", __name__)


@bp.get("/manifest.webmanifest")
def manifest():
    icons = [
        {
            "src": url_for("static", filename=f"icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any",
        }
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": url_for("static", filename="icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    icons.append(
        {
            "src": url_for("static", filename="icons/icon.svg"),
            "sizes": "any",
            "type": "image/svg+xml",
        }
    )
    response = jsonify(
        {
            "name": "Huddles",
            "short_name": "Huddles",
            "description": _("The daily five-minute huddle of your team."),
            "id": "/",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#0d1117",
            "theme_color": "#0d1117",
            "icons": icons,
            "shortcuts": [
                {"name": _("Break-room screen"), "url": "/display"},
            ],
        }
    )
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/favicon.ico")
def favicon():
    response = send_from_directory(
        current_app.static_folder or "", "icons/favicon.ico", mimetype="image/vnd.microsoft.icon"
    )
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


# The worker's cache name as sw.js spells it; the served worker names its cache after the
# static files it keeps.
VERSION_LINE = 'var VERSION = "huddles-v1";'


def shell_version(static_folder: str) -> str:
    """A short digest of every file under the static folder: it changes with any of them.

    The worker keeps the app's CSS, scripts and icons cache first, under a cache of this name.
    A browser installs a new worker only when sw.js itself changes, so without it a screen
    would keep the old scripts and styles of the first release it saw, under every new page."""
    digest = hashlib.sha256()
    root = Path(static_folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def _served_worker(static_folder: str) -> tuple[str, str]:
    """The release's digest and sw.js naming its cache after it; once per process (a release
    is a restart)."""
    version = shell_version(static_folder)
    text = (Path(static_folder) / "js" / "sw.js").read_text(encoding="utf-8")
    return version, text.replace(VERSION_LINE, f'var VERSION = "huddles-{version}";')


@bp.get("/sw.js")
def service_worker():
    version, text = _served_worker(current_app.static_folder or "")
    response = Response(text, mimetype="text/javascript")
    # Served from the root so that its scope covers the whole app; always checked for updates,
    # which an unchanged release answers with a 304.
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(version)
    return response.make_conditional(request)
