import stat

import pytest

from portal.settings import Settings, SettingsError


def test_defaults(tmp_path):
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path)})
    assert settings.port == 8000
    assert settings.host == "127.0.0.1"
    assert settings.timezone == "Asia/Dhaka"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.sqlite_path == tmp_path / "portal.sqlite3"
    assert settings.secure_cookies is False


def test_secret_key_is_generated_once_with_owner_only_permissions(tmp_path):
    first = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path)}).secret_key
    second = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 48
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_secret_key_from_environment_wins(tmp_path):
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40})
    assert settings.secret_key == "k" * 40
    assert not (tmp_path / "secret_key").exists()


def test_https_base_url_turns_on_secure_cookies(tmp_path):
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_BASE_URL": "https://portal.example/"})
    assert settings.base_url == "https://portal.example"
    assert settings.secure_cookies is True


@pytest.mark.parametrize("env", [{"PORTAL_PORT": "eighty"}, {"PORTAL_PORT": "0"}, {"PORTAL_WORKERS": "-1"},
                                 {"PORTAL_TIMEZONE": "Mars/Olympus"}, {"PORTAL_BASE_URL": "portal.example"},
                                 {"PORTAL_SECURE_COOKIES": "maybe"}, {"PORTAL_EXPORT_RETENTION_HOURS": "0"},
                                 {"PORTAL_EXPORT_RETENTION_HOURS": "a day"}])
def test_bad_values_are_refused_with_the_variable_name(tmp_path, env):
    with pytest.raises(SettingsError, match=next(iter(env))):
        Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), **env})


def test_export_retention_defaults_to_a_day_and_can_be_set(tmp_path):
    assert Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path)}).export_retention_hours == 24
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_EXPORT_RETENTION_HOURS": "72"})
    assert settings.export_retention.total_seconds() == 72 * 3600
    assert settings.exports_dir == tmp_path / "exports"
