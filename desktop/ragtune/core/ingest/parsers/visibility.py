"""Whether a reader can see a piece of text: one rule for the formats that draw text (PDF, DOCX).

Text a person cannot see on the page is not indexed (a hidden instruction must not become a cited
passage). Two measures, chosen to leave out only what nobody reads:

- size: text under :data:`MIN_READABLE_PT` points. Printed fine print is 5 to 6 pt and its sub- and
  superscripts about 3.5 pt; 1 or 2 pt is a line a reader sees at most as a smudge.
- colour: text whose contrast with its background is under :data:`MIN_CONTRAST` (the WCAG contrast
  ratio, 1 for identical colours, 21 for black on white). WCAG asks 4.5 for body text and 3 for large
  text; under 1.2 is white, near-white or the palest grey (#EBEBEB and paler) on white, which no one
  reads. Not 1.3: real papers label figure curves in cyan (#00FFFF, 1.25 on white), and a person
  reads those (the ResNet paper's "18-layer" lost that way, measured on real PDFs).
"""

from __future__ import annotations

#: an (r, g, b) colour, each channel 0 to 1
Rgb = tuple[float, float, float]

WHITE: Rgb = (1.0, 1.0, 1.0)
#: text smaller than this (points) is not read (see the module docstring)
MIN_READABLE_PT = 3.0
#: text whose contrast ratio with its background is under this is not seen
MIN_CONTRAST = 1.2


def rgb_from_int(value: int) -> Rgb:
    """0xRRGGBB (PyMuPDF's sRGB integer) as channels 0 to 1."""
    return ((value >> 16 & 0xFF) / 255, (value >> 8 & 0xFF) / 255, (value & 0xFF) / 255)


def luminance(color: Rgb) -> float:
    """Relative luminance (sRGB, as WCAG defines it)."""

    def linear(channel: float) -> float:
        channel = min(max(channel, 0.0), 1.0)
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    r, g, b = color
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: Rgb, b: Rgb) -> float:
    """WCAG contrast ratio of two colours, 1 (the same) to 21 (black and white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def too_faint(color: Rgb, background: Rgb = WHITE) -> bool:
    """Text in ``color`` cannot be told from ``background``."""
    return contrast(color, background) < MIN_CONTRAST


def too_small(points: float) -> bool:
    """Text this size cannot be read (a size of 0 or less is none at all)."""
    return points < MIN_READABLE_PT
