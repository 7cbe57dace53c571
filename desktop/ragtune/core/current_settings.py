"""``CurrentSettings``: this session's settings, held in one place. Every part of the service reads
``.value`` when it needs a setting (never a copy taken at start), so a change made through the
facade (``svc.settings = ...``, ``svc.update_settings``) or a model switch (``svc.models.load_model``)
is seen by all of them at once."""

from __future__ import annotations

from ragtune.settings import Settings


class CurrentSettings:
    """A box holding the settings in force; assign ``value`` to change them for this session."""

    def __init__(self, value: Settings) -> None:
        self.value = value
