"""Draws Huddles' icons (PNG and ICO) without any imaging library: three people in a circle.

Run `python -m huddles.displays.icons` to write them into huddles/static/icons/; the files are
committed, so this runs only when the design changes. It matches icons/icon.svg.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

INK = (13, 17, 23)
RING = (63, 182, 139)
PEOPLE = (245, 241, 232)
ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"


def _cover(distance: float) -> float:
    """Coverage of a pixel whose centre is `distance` pixels outside a shape's edge."""
    return max(0.0, min(1.0, 0.5 - distance))


def _rounded_square(x: float, y: float, size: float, radius: float) -> float:
    half = size / 2
    qx, qy = abs(x - half) - (half - radius), abs(y - half) - (half - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def draw(size: int, *, maskable: bool = False) -> list[list[tuple[int, int, int, int]]]:
    """RGBA rows of the icon at size × size."""
    scale = size * (0.8 if maskable else 1.0)
    offset = (size - scale) / 2
    centre = (offset + 0.5 * scale, offset + 0.53 * scale)
    ring_radius, ring_half = 0.27 * scale, 0.045 * scale
    dot_radius = 0.095 * scale
    dots = [
        (centre[0] + ring_radius * math.cos(angle), centre[1] + ring_radius * math.sin(angle))
        for angle in (math.radians(-90), math.radians(30), math.radians(150))
    ]
    rows = []
    for j in range(size):
        row = []
        for i in range(size):
            x, y = i + 0.5, j + 0.5
            alpha = 1.0 if maskable else _cover(_rounded_square(x, y, size, 0.22 * size))
            colour = INK
            ring = _cover(abs(math.hypot(x - centre[0], y - centre[1]) - ring_radius) - ring_half)
            colour = _mix(colour, RING, ring)
            for dx, dy in dots:
                # A halo of the background colour lets each person stand out of the ring.
                halo = _cover(math.hypot(x - dx, y - dy) - dot_radius * 1.45)
                colour = _mix(colour, INK, halo)
                colour = _mix(colour, PEOPLE, _cover(math.hypot(x - dx, y - dy) - dot_radius))
            row.append((*colour, round(alpha * 255)))
        rows.append(row)
    return rows


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def png(rows: list[list[tuple[int, int, int, int]]]) -> bytes:
    """An RGBA PNG of the rows."""
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(value for pixel in row for value in pixel) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(images: dict[int, bytes]) -> bytes:
    """An ICO holding PNG images (understood by every browser since 2010)."""
    sizes = sorted(images)
    head = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = images[size]
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return head + entries + blobs


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (ICONS / f"icon-{size}.png").write_bytes(png(draw(size)))
    (ICONS / "icon-maskable-512.png").write_bytes(png(draw(512, maskable=True)))
    (ICONS / "apple-touch-icon.png").write_bytes(png(draw(180, maskable=True)))
    (ICONS / "favicon.ico").write_bytes(ico({size: png(draw(size)) for size in (16, 32, 48)}))


if __name__ == "__main__":
    main()
