"""Settings read from environment variables, with safe defaults.

Every field is documented in README.md ("Configuration"). Nothing here is a secret baked
into the code: the secret key is generated once per data directory when not given.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from litestar.datastructures import State


class SettingsError(ValueError):
    """A setting in the environment has a value the portal cannot use."""


def _int(env: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def load_secret_key(data_dir: Path) -> str:
    """Return the key stored in the data directory, creating it (mode 0600) on first use."""
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: when two workers start at once, exactly one writes and the other reads it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def database_location(env: dict[str, str] | None = None) -> tuple[str, Path]:
    """DATABASE_URL and the SQLite file path, read without touching the secret key."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("PORTAL_DATA_DIR", "").strip() or "data").resolve()
    return env.get("DATABASE_URL", "").strip(), data_dir / "portal.sqlite3"


MAX_UPLOAD_MB_CEILING = 2048


def _max_upload_mb(env: dict[str, str]) -> int:
    value = _int(env, "PORTAL_MAX_UPLOAD_MB", 50, minimum=1)
    if value > MAX_UPLOAD_MB_CEILING:
        raise SettingsError(f"PORTAL_MAX_UPLOAD_MB must be at most {MAX_UPLOAD_MB_CEILING}, got {value}")
    return value


def _storage_url(env: dict[str, str]) -> str:
    url = env.get("PORTAL_STORAGE_URL", "").strip()
    if url and (not url.startswith("s3://") or len(url) <= len("s3://")):
        raise SettingsError(f"PORTAL_STORAGE_URL must be empty (the data folder) or s3://bucket[/prefix], got {url!r}")
    return url


def _jobs(env: dict[str, str]) -> str:
    raw = env.get("PORTAL_JOBS", "").strip().lower()
    database_url = env.get("DATABASE_URL", "").strip()
    if not raw:
        return "queue" if database_url else "inline"
    if raw not in {"inline", "queue"}:
        raise SettingsError(f"PORTAL_JOBS must be inline or queue, got {raw!r}")
    if raw == "queue" and not database_url:
        raise SettingsError("PORTAL_JOBS=queue needs DATABASE_URL (the queue lives in PostgreSQL)")
    return raw


def _choice(env: dict[str, str], name: str, default: str, allowed: set[str], lower: bool = True) -> str:
    raw = env.get(name, "").strip()
    raw = raw.lower() if lower else raw.upper()
    if not raw:
        return default
    if raw not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(sorted(allowed))}, got {raw!r}")
    return raw


def _message_settings(env: dict[str, str]) -> dict[str, object]:
    tls = _choice(env, "PORTAL_SMTP_TLS", "none", {"none", "starttls", "tls"})
    smtp_host = env.get("PORTAL_SMTP_HOST", "").strip()
    smtp_from = env.get("PORTAL_SMTP_FROM", "").strip()
    if smtp_host and not smtp_from:
        raise SettingsError("PORTAL_SMTP_FROM is needed with PORTAL_SMTP_HOST (the address messages come from)")
    sms_url = env.get("PORTAL_SMS_URL", "").strip()
    if sms_url and not sms_url.startswith(("http://", "https://")):
        raise SettingsError(f"PORTAL_SMS_URL must start with http:// or https://, got {sms_url!r}")
    success = env.get("PORTAL_SMS_SUCCESS", "").strip()
    if success:
        try:
            re.compile(success)
        except re.error as exc:
            raise SettingsError(f"PORTAL_SMS_SUCCESS is not a regular expression: {exc}") from None
    return {
        "smtp_host": smtp_host,
        "smtp_port": _int(env, "PORTAL_SMTP_PORT", {"tls": 465, "starttls": 587}.get(tls, 25), minimum=1),
        "smtp_user": env.get("PORTAL_SMTP_USER", "").strip(),
        "smtp_password": env.get("PORTAL_SMTP_PASSWORD", ""),
        "smtp_tls": tls,
        "smtp_from": smtp_from,
        "sms_url": sms_url,
        "sms_method": _choice(env, "PORTAL_SMS_METHOD", "POST", {"GET", "POST"}, lower=False),
        "sms_to_param": env.get("PORTAL_SMS_TO_PARAM", "").strip() or "to",
        "sms_text_param": env.get("PORTAL_SMS_TEXT_PARAM", "").strip() or "text",
        "sms_sender_param": env.get("PORTAL_SMS_SENDER_PARAM", "").strip(),
        "sms_sender": env.get("PORTAL_SMS_SENDER", "").strip(),
        "sms_params": env.get("PORTAL_SMS_PARAMS", "").strip(),
        "sms_user": env.get("PORTAL_SMS_USER", "").strip(),
        "sms_password": env.get("PORTAL_SMS_PASSWORD", ""),
        "sms_token": env.get("PORTAL_SMS_TOKEN", "").strip(),
        "sms_success": success,
        "sms_number_format": _choice(env, "PORTAL_SMS_NUMBER_FORMAT", "e164", {"e164", "international", "national"}),
        "sms_inbound_secret": env.get("PORTAL_SMS_INBOUND_SECRET", "").strip(),
        "message_max_attempts": _int(env, "PORTAL_MESSAGE_MAX_ATTEMPTS", 5, minimum=1),
        "message_retry_seconds": _int(env, "PORTAL_MESSAGE_RETRY_SECONDS", 60, minimum=1),
    }


@dataclass(frozen=True)
class Settings:
    """Typed settings; build with `Settings.from_env()`."""

    data_dir: Path = field(default_factory=lambda: Path("data").resolve())
    database_url: str = ""
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    timezone: str = "Asia/Dhaka"
    base_url: str = "http://127.0.0.1:8000"
    admin_email: str = ""
    admin_password: str = ""
    secure_cookies: bool = False
    debug: bool = False  # also: templates are re-read when their file changes (portal/templating.py)
    # Largest material upload accepted, in MB (the whole request is read before the file is checked).
    max_upload_mb: int = 50
    # Hours a finished export file is kept in data_dir/exports before it is deleted (the job then
    # says "expired, export again"). Checked at start-up, every 6 hours and when a new export job starts.
    export_retention_hours: int = 24
    # Where shared files live: "" for the data folder, or s3://bucket[/prefix] for an S3-compatible store
    # (with the four s3_* settings below). portal/core/storage.py.
    storage_url: str = ""
    s3_endpoint_url: str = ""  # e.g. http://minio.internal:9000; empty: the cloud's own endpoint for the region
    s3_region: str = ""
    s3_access_key_id: str = ""  # empty: botocore's chain (AWS_ACCESS_KEY_ID, a profile, an instance role)
    s3_secret_access_key: str = ""
    # How jobs run (portal/core/jobs.py): "inline" in the web process, or "queue" through PostgreSQL,
    # run by `portal worker` processes. Default: queue when DATABASE_URL is set, else inline.
    jobs: str = "inline"
    # A worker's heartbeat; a worker silent for three of them is dead and its jobs run again elsewhere.
    worker_heartbeat_seconds: float = 10.0
    # Messages (portal/messages): email over SMTP, SMS through an HTTP gateway. Without a host or URL the
    # channel is not configured: its messages wait in the outbox (shown on /manage/messages).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "none"  # none, starttls, tls
    smtp_from: str = ""
    sms_url: str = ""
    sms_method: str = "POST"  # GET (parameters in the query) or POST (a form body)
    sms_to_param: str = "to"
    sms_text_param: str = "text"
    sms_sender_param: str = ""
    sms_sender: str = ""
    sms_params: str = ""  # fixed parameters, a query string ("api_key=...&type=unicode")
    sms_user: str = ""  # HTTP basic auth
    sms_password: str = ""
    sms_token: str = ""  # Authorization: Bearer
    sms_success: str = ""  # a regular expression the gateway's answer must contain; empty: any 2xx
    sms_number_format: str = "e164"  # e164 (+8801...), international (8801...), national (01...)
    # The secret the gateway's delivery and reply callbacks carry (/m/sms/inbound); empty: callbacks refused.
    sms_inbound_secret: str = ""
    message_max_attempts: int = 5
    message_retry_seconds: int = 60  # the first retry's delay; doubled for each later one (at most 6 hours)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read settings from `env` (default: the process environment)."""
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("PORTAL_DATA_DIR", "").strip() or "data").resolve()
        port = _int(env, "PORTAL_PORT", 8000, minimum=1)
        host = env.get("PORTAL_HOST", "").strip() or "127.0.0.1"
        timezone = env.get("PORTAL_TIMEZONE", "").strip() or "Asia/Dhaka"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(f"PORTAL_TIMEZONE is not a known time zone: {timezone!r}") from None
        base_url = (env.get("PORTAL_BASE_URL", "").strip() or f"http://{host}:{port}").rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise SettingsError(f"PORTAL_BASE_URL must start with http:// or https://, got {base_url!r}")
        return cls(
            data_dir=data_dir,
            database_url=env.get("DATABASE_URL", "").strip(),
            secret_key=env.get("PORTAL_SECRET_KEY", "").strip() or load_secret_key(data_dir),
            host=host,
            port=port,
            workers=_int(env, "PORTAL_WORKERS", 1, minimum=1),
            timezone=timezone,
            base_url=base_url,
            admin_email=env.get("PORTAL_ADMIN_EMAIL", "").strip(),
            admin_password=env.get("PORTAL_ADMIN_PASSWORD", ""),
            secure_cookies=_bool(env, "PORTAL_SECURE_COOKIES", base_url.startswith("https://")),
            debug=_bool(env, "PORTAL_DEBUG", False),
            max_upload_mb=_max_upload_mb(env),
            export_retention_hours=_int(env, "PORTAL_EXPORT_RETENTION_HOURS", 24, minimum=1),
            storage_url=_storage_url(env),
            s3_endpoint_url=env.get("PORTAL_S3_ENDPOINT_URL", "").strip(),
            s3_region=env.get("PORTAL_S3_REGION", "").strip(),
            s3_access_key_id=env.get("PORTAL_S3_ACCESS_KEY_ID", "").strip(),
            s3_secret_access_key=env.get("PORTAL_S3_SECRET_ACCESS_KEY", "").strip(),
            jobs=_jobs(env),
            worker_heartbeat_seconds=_int(env, "PORTAL_WORKER_HEARTBEAT_SECONDS", 10, minimum=1),
            **_message_settings(env),
        )

    @property
    def sqlite_path(self) -> Path:
        """Where the embedded database lives when DATABASE_URL is not set."""
        return self.data_dir / "portal.sqlite3"

    @property
    def tz(self) -> ZoneInfo:
        """The programme's time zone for display and for "today"."""
        return ZoneInfo(self.timezone)

    @property
    def exports_dir(self) -> Path:
        """Where background export jobs write their files."""
        return self.data_dir / "exports"

    @property
    def export_retention(self) -> dt.timedelta:
        """How long a finished export file is kept."""
        return dt.timedelta(hours=self.export_retention_hours)

    @property
    def materials_dir(self) -> Path:
        """Where uploaded course materials are stored, by content hash."""
        return self.data_dir / "materials"


def provide_settings(state: State) -> Settings:
    """The app's settings as a Litestar dependency: a handler that takes `settings: NamedDependency[Settings]` gets them
    (read from app.state at each request, so a test may replace them on a built app)."""
    return state.settings

