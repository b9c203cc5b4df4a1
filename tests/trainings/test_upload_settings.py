"""PORTAL_MAX_UPLOAD_MB: a default, a value, and refusals of values the portal cannot use."""

import pytest

from portal.settings import Settings, SettingsError


def test_default_upload_limit_is_50_mb(tmp_path):
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40})
    assert settings.max_upload_mb == 50
    assert settings.materials_dir == tmp_path / "materials"


def test_upload_limit_from_the_environment(tmp_path):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40, "PORTAL_MAX_UPLOAD_MB": "200"}
    assert Settings.from_env(env).max_upload_mb == 200


@pytest.mark.parametrize("value", ["0", "lots", "4096"])
def test_unusable_upload_limits_are_refused(tmp_path, value):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40, "PORTAL_MAX_UPLOAD_MB": value}
    with pytest.raises(SettingsError, match="PORTAL_MAX_UPLOAD_MB"):
        Settings.from_env(env)
