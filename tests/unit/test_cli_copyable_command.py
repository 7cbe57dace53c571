"""The commands the CLI offers to copy and paste name the very path they are about."""

from __future__ import annotations

import shlex

from ragtune.cli import copyable_command


def test_a_plain_path_round_trips_through_the_shell() -> None:
    path = "/home/ann/My Docs/it's here"
    command = copyable_command("ragtune", "remove", path, "--library", "default")
    assert command is not None
    assert shlex.split(command) == ["ragtune", "remove", path, "--library", "default"]


def test_no_command_is_offered_for_a_path_with_a_newline_or_control_character() -> None:
    # one_line would print the newline as a literal backslash-n inside the quotes: another path
    assert copyable_command("ragtune", "remove", "/docs/a\nb", "--library", "default") is None
    assert copyable_command("ragtune", "index", "/docs/x", "--library", "lib\x1b]52;c;") is None
