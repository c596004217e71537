"""Settings layer: defaults < config file < HUDANG_* environment, with sources."""

from __future__ import annotations

import pytest

from hudang.settings import SettingsError, load_settings


def test_defaults_under_home(tmp_path):
    s = load_settings(env={"HUDANG_HOME": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'hudang.sqlite3'}"
    assert s.rules_dir == tmp_path / "rules" and s.sources["rules_dir"] == "default"


def test_file_then_env_override(tmp_path):
    (tmp_path / "config.toml").write_text(
        '[hudang]\nlanguage = "en"\nterminal = "库房终端2"\n'
        '[watch]\nquiet_seconds = 5\n', encoding="utf-8")
    s = load_settings(env={"HUDANG_HOME": str(tmp_path), "HUDANG_TERMINAL": "desk-9"})
    assert s.language == "en" and s.sources["language"].startswith("file ")
    assert s.terminal == "desk-9" and s.sources["terminal"] == "env HUDANG_TERMINAL"


def test_bad_values_are_clear_errors(tmp_path):
    (tmp_path / "config.toml").write_text('[hudang]\nlangauge = "en"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="unknown setting"):
        load_settings(env={"HUDANG_HOME": str(tmp_path)})
    with pytest.raises(SettingsError, match="whole number"):
        load_settings(env={"HUDANG_HOME": str(tmp_path / "x"), "HUDANG_IDLE_LOCK_MINUTES": "ten"})


def test_types_are_checked_and_sources_named(tmp_path):
    (tmp_path / "config.toml").write_text('[hudang]\ncard_only_signin = true\n'
                                          'label_layout = "roll"\n', encoding="utf-8")
    s = load_settings(env={"HUDANG_HOME": str(tmp_path), "HUDANG_SIGNIN_MAX_FAILURES": "3"})
    assert s.card_only_signin is True and s.sources["card_only_signin"].startswith("file ")
    assert s.signin_max_failures == 3
    assert s.sources["signin_max_failures"] == "env HUDANG_SIGNIN_MAX_FAILURES"
    with pytest.raises(SettingsError, match="label_layout must be one of"):
        load_settings(env={"HUDANG_HOME": str(tmp_path), "HUDANG_LABEL_LAYOUT": "a5"})
    with pytest.raises(SettingsError, match="true or false"):
        load_settings(env={"HUDANG_HOME": str(tmp_path), "HUDANG_CARD_ONLY_SIGNIN": "maybe"})
    with pytest.raises(SettingsError, match="at least 1"):
        load_settings(env={"HUDANG_HOME": str(tmp_path), "HUDANG_SIGNIN_MAX_FAILURES": "0"})


def test_built_directly_settings_read_no_environment(tmp_path, monkeypatch):
    from hudang.settings import Settings

    monkeypatch.setenv("HUDANG_LANGUAGE", "en")
    s = Settings(home=tmp_path)
    assert s.language == "zh" and s.rules_dir == tmp_path / "rules"
    assert s.database_url == f"sqlite:///{tmp_path / 'hudang.sqlite3'}"
