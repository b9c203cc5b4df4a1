"""QR codes drawn as one vector path (reportlab's QrCodeWidget makes one shape per dark run: slow)."""

from __future__ import annotations

import re
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import mask_func
from reportlab.lib.colors import Color, black, white
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of light margin that the QR standard requires around the symbol


_FINDER_LIKE = ("10111010000", "00001011101")
_LONG_RUN = re.compile(r"0{5,}|1{5,}")


class _QRCode(qrcode.QRCode):
    """qrcode's QRCode with a faster, identical choice of mask.

    The encoder picks the mask with the lowest penalty (ISO/IEC 18004, 7.8.3). qrcode rebuilds the
    whole symbol for each of the 8 masks and scores it cell by cell, which took half of a
    certificate's time. Here the symbol is built once, each mask is applied to the data modules with
    XOR on row bit masks, and the same four rules are scored on bit strings: same mask, ~2x faster.
    """

    def best_mask_pattern(self) -> int:
        self.makeImpl(True, 0)  # test mode, like qrcode: format modules light for every mask
        width = self.modules_count
        rows = [int("".join("1" if cell else "0" for cell in row), 2) for row in self.modules]
        masks = _mask_bits(self.version, width)
        data = [row ^ m for row, m in zip(rows, masks[0], strict=True)]
        scores = [
            (_penalty([row ^ m for row, m in zip(data, masks[mask], strict=True)], width), mask)
            for mask in range(8)
        ]
        return min(scores)[1]


@lru_cache(maxsize=40)
def _mask_bits(version: int, width: int) -> tuple[tuple[int, ...], ...]:
    """For each mask, per row, the bits of the data modules that the mask inverts (column 0 = top bit)."""
    probe = qrcode.QRCode(version=version)
    probe.modules_count = width
    probe.modules = [[None] * width for _ in range(width)]
    for row, col in ((0, 0), (width - 7, 0), (0, width - 7)):
        probe.setup_position_probe_pattern(row, col)
    probe.setup_position_adjust_pattern()
    probe.setup_timing_pattern()
    probe.setup_type_info(True, 0)
    if version >= 7:
        probe.setup_type_number(True)
    data = [(r, c) for r in range(width) for c in range(width) if probe.modules[r][c] is None]
    tables = []
    for mask in range(8):
        inverts = mask_func(mask)
        rows = [0] * width
        for r, c in data:
            if inverts(r, c):
                rows[r] |= 1 << (width - 1 - c)
        tables.append(tuple(rows))
    return tuple(tables)


def _penalty(bits: list[int], width: int) -> int:
    """Score a symbol by the four penalty rules, exactly as qrcode.util.lost_point does."""
    rows = [format(b, f"0{width}b") for b in bits]
    # Rows and columns in one string, separated by "2" so no pattern spans two lines.
    lines = "2".join(rows) + "2" + "2".join(map("".join, zip(*rows, strict=True)))
    # N1: runs of five or more modules of one colour, 3 points plus 1 for each module beyond five.
    runs = _LONG_RUN.findall(lines)
    score = sum(map(len, runs)) - 2 * len(runs)
    # N3: patterns that look like a finder pattern, 40 points each (neither can overlap itself).
    score += 40 * sum(lines.count(pattern) for pattern in _FINDER_LIKE)
    # N2: 2x2 blocks of one colour, 3 points each; bit j compares modules j and j+1.
    full, pairs = (1 << width) - 1, (1 << (width - 1)) - 1
    for upper, lower in zip(bits, bits[1:], strict=False):
        same = ~(upper ^ lower) & full
        block = same & (same >> 1) & ~(upper ^ (upper >> 1)) & pairs
        score += 3 * block.bit_count()
    # N4: 10 points for each 5% that the share of dark modules differs from half.
    dark = sum(b.bit_count() for b in bits)
    score += 10 * (abs(200 * dark - 100 * width * width) // (10 * width * width))
    return score


@lru_cache(maxsize=2048)
def qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """Return (modules per side, dark runs as (row, first column, length)) for data, quiet zone excluded."""
    code = _QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    runs = []
    for row, cells in enumerate(matrix):
        col = 0
        while col < len(cells):
            if cells[col]:
                start = col
                while col < len(cells) and cells[col]:
                    col += 1
                runs.append((row, start, col - start))
            else:
                col += 1
    return len(matrix), tuple(runs)


def draw_qr(
    canvas: Canvas,
    data: str,
    x: float,
    y: float,
    size: float,
    *,
    color: Color = black,
    background: Color | None = white,
) -> None:
    """Draw a QR code (error correction M) filling the square at (x, y) of side size, quiet zone included."""
    modules, runs = qr_runs(data)
    module = size / (modules + 2 * QUIET_ZONE)
    top = y + size - QUIET_ZONE * module
    left = x + QUIET_ZONE * module
    canvas.saveState()
    if background is not None:
        # Paint the quiet zone too: a scanner needs light margin even on a tinted page.
        canvas.setFillColor(background)
        canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(color)
    # Work in module units, y pointing down, so the path is small integers: half the bytes of points.
    canvas.transform(module, 0, 0, -module, left, top)
    path = canvas.beginPath()
    for row, col, length in runs:
        path.rect(col, row, length, 1)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
