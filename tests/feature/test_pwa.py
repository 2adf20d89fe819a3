"""Installable: the manifest, icons, favicon and the service worker with a scope over the app."""

from __future__ import annotations

from huddles.displays.icons import draw, ico, png
from huddles.displays.pwa import shell_version


def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["name"] == "Huddles" and manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as served:
            assert served.status_code == 200, icon["src"]
            data = served.get_data()
        if icon["type"] == "image/png":
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
            width = int.from_bytes(data[16:20], "big")
            assert f"{width}x{width}" == icon["sizes"]


def test_the_favicon_is_an_icon_not_a_404(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO header


def test_the_service_worker_is_served_from_the_root_with_a_scope_over_the_app(client):
    with client.get("/sw.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Service-Worker-Allowed"] == "/"
        assert response.headers["Cache-Control"] == "no-cache"
        text = response.get_data(as_text=True)
    assert "/display/state" in text and 'indexOf("/api/")' in text


def test_the_worker_names_its_cache_after_the_static_files(client, app):
    """A release that changes a script or a style changes sw.js, so screens install the new
    worker and drop the old copies (it keeps static files cache first)."""
    response = client.get("/sw.js")
    text = response.get_data(as_text=True)
    version = shell_version(app.static_folder)
    assert f'var VERSION = "huddles-{version}";' in text
    assert "huddles-v1" not in text
    # The browser's update check of an unchanged release costs no body.
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_shell_version_changes_with_any_static_file(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("one")
    (tmp_path / "app.css").write_text("body {}")
    first = shell_version(str(tmp_path))
    assert shell_version(str(tmp_path)) == first  # the same files, the same name
    (tmp_path / "js" / "a.js").write_text("two")
    assert shell_version(str(tmp_path)) != first


def test_pages_link_the_manifest_and_the_csp_allows_only_our_worker(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert 'rel="manifest"' in html and "sw-register.js" in html
    policy = response.headers["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy


def test_the_icon_drawing_makes_valid_images():
    image = png(draw(16))
    assert image.startswith(b"\x89PNG") and image[12:16] == b"IHDR"
    icon = ico({16: image})
    assert icon[:6] == b"\x00\x00\x01\x00\x01\x00"
