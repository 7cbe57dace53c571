"""Settings load/save and the RAGTUNE_HOME override."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ragtune import paths, settings


def test_ragtune_home_moves_everything(ragtune_home: Path) -> None:
    for directory in (paths.data_dir(), paths.config_dir(), paths.log_dir()):
        assert ragtune_home in directory.parents
    assert paths.database_path().parent == paths.data_dir()


def test_resources_and_catalogue_found() -> None:
    assert (paths.catalogue_dir() / "all-minilm-l6-v2" / "tokenizer.json").is_file()
    assert paths.resources_dir().is_dir()


def test_settings_round_trip_and_bad_values() -> None:
    s = replace(settings.Settings(), passages=5, temperature=0.3)
    settings.save(s)
    assert settings.load() == s
    settings.settings_path().write_text('{"passages": "many", "threads": 3, "bogus": 1}')
    loaded = settings.load()
    assert loaded.passages == settings.Settings().passages
    assert loaded.threads == 3
    settings.settings_path().write_text("{not json")
    assert settings.load() == settings.Settings()


def test_chunking_change_needs_reindex() -> None:
    base = settings.Settings()
    assert base.needs_reindex(replace(base, chunk_tokens=100))
    assert not base.needs_reindex(replace(base, temperature=0.5))
