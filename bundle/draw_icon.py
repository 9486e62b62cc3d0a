"""Draws the Claude Desktop bundle's icon, bundle/icon.png (512x512 RGBA), with the standard library only.

    python bundle/draw_icon.py            # rewrite bundle/icon.png
    python bundle/draw_icon.py --check    # exit 1 when bundle/icon.png is not what this script draws

A rounded violet square (a vertical gradient) holding a white speech bubble, the interview, with a play
button cut out of it, the recording. Every shape is a signed distance field, so edges are anti-aliased
without supersampling; the PNG is written with zlib and is byte-for-byte reproducible.
"""

from __future__ import annotations

import argparse
import math
import struct
import sys
import zlib
from pathlib import Path

SIZE = 512
ICON = Path(__file__).resolve().with_name("icon.png")

TOP = (104, 72, 246)  # gradient, top of the square
BOTTOM = (58, 31, 184)  # gradient, bottom
WHITE = (255, 255, 255)

Point = tuple[float, float]


def rounded_rect(x: float, y: float, box: tuple[float, float, float, float], radius: float) -> float:
    """Signed distance from (x, y) to a rounded rectangle (left, top, right, bottom): negative inside."""
    left, top, right, bottom = box
    cx, cy = (left + right) / 2, (top + bottom) / 2
    qx = abs(x - cx) - ((right - left) / 2 - radius)
    qy = abs(y - cy) - ((bottom - top) / 2 - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def convex_polygon(x: float, y: float, points: list[Point]) -> float:
    """Signed distance, exact along the edges, to a convex polygon (vertices in either order)."""
    edges = list(zip(points, points[1:] + points[:1], strict=True))
    area = sum(ax * by - bx * ay for (ax, ay), (bx, by) in edges)
    outward = 1.0 if area > 0 else -1.0
    distance = -math.inf
    for (ax, ay), (bx, by) in edges:
        ex, ey = bx - ax, by - ay
        distance = max(distance, outward * ((x - ax) * ey - (y - ay) * ex) / math.hypot(ex, ey))
    return distance


def coverage(distance: float) -> float:
    """How much of a pixel a shape covers, from the signed distance at the pixel's centre."""
    return min(1.0, max(0.0, 0.5 - distance))


def mix(under: tuple[float, ...], over: tuple[float, ...], alpha: float) -> tuple[float, ...]:
    return tuple(u + (o - u) * alpha for u, o in zip(under, over, strict=True))


BUBBLE = (96.0, 112.0, 416.0, 352.0)
BUBBLE_RADIUS = 56.0
TAIL: list[Point] = [(150.0, 330.0), (132.0, 424.0), (236.0, 340.0)]
PLAY: list[Point] = [(222.0, 172.0), (222.0, 292.0), (322.0, 232.0)]


CORNER = 112.0
FIGURE = (94.0, 110.0, 418.0, 426.0)
"""A box around the bubble and its tail: outside it only the square's gradient is drawn."""


def pixel(px: int, py: int) -> tuple[int, int, int, int]:
    x, y = px + 0.5, py + 0.5
    t = y / SIZE
    background = tuple(a + (b - a) * t for a, b in zip(TOP, BOTTOM, strict=True))
    near_corner = min(x, SIZE - x) < CORNER and min(y, SIZE - y) < CORNER
    square = coverage(rounded_rect(x, y, (0.0, 0.0, SIZE, SIZE), CORNER)) if near_corner else 1.0
    figure = FIGURE[0] <= x <= FIGURE[2] and FIGURE[1] <= y <= FIGURE[3]
    bubble = (
        coverage(min(rounded_rect(x, y, BUBBLE, BUBBLE_RADIUS), convex_polygon(x, y, TAIL)))
        if figure
        else 0.0
    )
    play = coverage(convex_polygon(x, y, PLAY)) if bubble else 0.0
    color = mix(background, WHITE, bubble * (1.0 - play))
    return (round(color[0]), round(color[1]), round(color[2]), round(255 * square))


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def draw() -> bytes:
    rows = [bytes(v for px in range(SIZE) for v in pixel(px, py)) for py in range(SIZE)]
    return png(SIZE, SIZE, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with bundle/icon.png, write nothing")
    args = parser.parse_args(argv)
    image = draw()
    if args.check:
        same = ICON.exists() and ICON.read_bytes() == image
        print(f"{ICON.name} is {'up to date' if same else 'stale: run python bundle/draw_icon.py'}")
        return 0 if same else 1
    ICON.write_bytes(image)
    print(f"wrote {ICON} ({len(image):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
