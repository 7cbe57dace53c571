"""The default library: one name for the CLI and the window, and the CLI's older one kept where a
library of that name is the only default there is."""

from __future__ import annotations

from ragtune.core.library_names import DEFAULT_LIBRARY, LEGACY_DEFAULT_LIBRARY, default_library


def test_the_default_library_is_one_name_for_the_cli_and_the_window() -> None:
    assert default_library([]) == DEFAULT_LIBRARY
    assert default_library(["legal"]) == DEFAULT_LIBRARY
    assert default_library([LEGACY_DEFAULT_LIBRARY]) == LEGACY_DEFAULT_LIBRARY  # made by an older CLI
    assert default_library([LEGACY_DEFAULT_LIBRARY, DEFAULT_LIBRARY]) == DEFAULT_LIBRARY
