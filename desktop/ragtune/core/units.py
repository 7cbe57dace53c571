"""How Ragtune shows sizes: one function, decimal units, used by the CLI and the GUI alike.

1 KB = 1,000 bytes, 1 MB = 1,000,000 bytes, 1 GB = 1,000,000,000 bytes (as disks and downloads
count them): the embedded chat model's 491,400,064 bytes are "491.4 MB" everywhere.
"""

from __future__ import annotations

_UNITS = (("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12))


def format_size(n_bytes: int | float) -> str:
    """``n_bytes`` as "812 B", "3.4 KB", "491.4 MB", "1.2 GB" (one decimal from KB up)."""
    n = max(0.0, float(n_bytes))
    if n < 999.5:
        return f"{n:.0f} B"
    for unit, factor in _UNITS[:-1]:
        if n / factor < 999.95:  # 999.96 KB would print as "1000.0 KB": show "1.0 MB" instead
            return f"{n / factor:.1f} {unit}"
    unit, factor = _UNITS[-1]
    return f"{n / factor:.1f} {unit}"


def duration_text(seconds: float) -> str:
    """A duration as people read it: ``45 s``, ``3 min``, ``3 min 5 s``, ``1 h 2 min``."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        minutes, rest = divmod(s, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    return f"{s // 3600} h {(s % 3600) // 60} min"
