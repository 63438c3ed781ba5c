"""Settings from the environment and `.env` (pydantic-settings)."""

from __future__ import annotations

import json
import re
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# uz is Uzbek in Latin script (what Telegram reports), uz_Cyrl the same language in Cyrillic, chosen with /lang.
Language = Literal["ru", "kk", "uz", "uz_Cyrl", "en"]
LANGUAGES: tuple[Language, ...] = ("ru", "kk", "uz", "uz_Cyrl", "en")
Country = Literal["KZ", "UZ"]
COUNTRIES: tuple[Country, ...] = ("KZ", "UZ")
DEFAULT_COUNTRY: Country = "KZ"
# Each language's main catalog is worded for the country most of its readers live in: Kazakhstan's "участковый
# инспектор полиции" in ru, kk and en; Uzbekistan's "profilaktika inspektori" in Uzbek. locales/<language>@<country>
# holds only what the other country says otherwise (ru@UZ, kk@UZ, en@UZ, uz@KZ, uz_Cyrl@KZ).
HOME_COUNTRIES: dict[str, Country] = {"ru": "KZ", "kk": "KZ", "uz": "UZ", "uz_Cyrl": "UZ", "en": "KZ"}

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    # An empty `NAME=` (as in a copied .env template) means "not set", not "set to nothing".
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    bot_token: SecretStr
    database_url: str = "sqlite+aiosqlite:///data/bot.sqlite3"
    telegram_api_url: str | None = None
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    default_language: Language = "ru"
    timezone: str = "Asia/Almaty"
    # The country of new buildings: its law sets appeal deadlines, its calendar the working days.
    country: Country = DEFAULT_COUNTRY
    # Who processes residents' personal data, named in the consent and /privacy. Unset: the district police
    # department (or the internal affairs body in Uzbekistan), in the reader's language.
    operator_name: str | None = Field(default=None, max_length=300)
    redis_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0:8080"
    # Connections Telegram opens to the webhook at once, for all instances together (it spreads no more than this).
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Updates handled at once. Kept below the database pool (5 + 10 connections) so no update waits for
    # a connection until it times out; the rest wait, unconfirmed and safe, at Telegram.
    max_concurrent_updates: int = Field(default=12, ge=1, le=200)
    appeal_first_response_hours: int = Field(default=24, ge=1, le=24 * 15)
    appeal_rate_limit: int = Field(default=5, ge=1, le=100)
    # Words that make a message look like an emergency, and the numbers shown; None: the file the bot ships.
    emergency_words_file: Path | None = None
    # The outbox's pace. Telegram allows about 30 messages a second in all, 20 a minute in one group and about
    # one a second in one private chat; it flexes these, and replies the bot sends directly share the 30.
    outbox_rate: int = Field(default=28, ge=1, le=1000)
    outbox_group_rate: int = Field(default=20, ge=1, le=60)
    outbox_private_rate: int = Field(default=1, ge=1, le=10)
    # Tries on a 5xx or a connection that failed before a message is given up (backoff 5 s, 10 s, 20 s...).
    outbox_attempts: int = Field(default=5, ge=1, le=20)
    # Seconds to wait for Telegram's answer; after that a message may or may not have arrived: it is sent once more.
    outbox_timeout: int = Field(default=30, ge=1, le=300)
    # Updates a second taken from one person in one chat; more are dropped before the handlers (a flood).
    flood_rate: int = Field(default=5, ge=1, le=1000)

    # The scheduler: how often it ticks (seconds); how late a reminder may still go after the bot was down (hours;
    # older ones are listed to the inspector as missed); when meetings are recalled (hours before); the hours
    # nothing goes to residents or building chats (deferred to their end); the weekly digest's day and time.
    # Inspectors' own reminders wait for their working hours, which each sets with /hours.
    scheduler_tick: int = Field(default=30, ge=5, le=3600)
    reminder_grace_hours: int = Field(default=6, ge=0, le=72)
    meeting_reminder_hours: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [24, 2])
    quiet_hours: str = "22:00-08:00"
    weekly_digest: str = "mon 09:00"
    # Days the outbox's sent messages and files, processed update ids and message pairs are kept (appeals and the
    # audit trail are kept for good).
    retention_days: int = Field(default=180, ge=1, le=3650)
    # Questions one person may ask in one building chat in an hour, replies one resident may send into appeals' threads
    # in an hour.
    question_rate_limit: int = Field(default=10, ge=1, le=1000)
    reply_rate_limit: int = Field(default=30, ge=1, le=1000)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("expected the form 123456789:AAE... that @BotFather gives")
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        try:
            driver = make_url(value).drivername
        except ArgumentError:
            driver = ""
        if driver not in SUPPORTED_DRIVERS:
            raise ValueError("use sqlite+aiosqlite:///path/to/file or postgresql+asyncpg://user:password@host/database")
        return value

    @field_validator("telegram_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        # A malformed URL would fail only at the first request, in an error that carries the token.
        if value is None:
            return None
        try:
            url = urlsplit(value)
            valid = url.scheme in ("http", "https") and bool(url.hostname) and not any(c.isspace() for c in value)
            url.port  # noqa: B018 -- raises ValueError on a port that is not a number in range
        except ValueError:
            valid = False
        if not valid:
            raise ValueError("expected an http:// or https:// URL, for example https://bot.example.org")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_or_json(cls, value: Any) -> Any:
        # People type `1,2`; pydantic-settings alone accepts only JSON (`[1,2]`).
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return []
            if text.startswith("["):
                try:
                    return json.loads(text)
                except json.JSONDecodeError:
                    raise ValueError("expected Telegram user ids like 1,2 or [1,2]") from None
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("meeting_reminder_hours", mode="before")
    @classmethod
    def _hours_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.strip().strip("[]").split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError("expected hours before the meeting like 24,2")
            return [int(part) for part in parts]
        return value

    @field_validator("meeting_reminder_hours")
    @classmethod
    def _sensible_hours(cls, value: list[int]) -> list[int]:
        if not all(1 <= hours <= 24 * 14 for hours in value):
            raise ValueError("each must be between 1 and 336 hours")
        return sorted(set(value), reverse=True)

    @field_validator("quiet_hours")
    @classmethod
    def _time_range(cls, value: str) -> str:
        parse_range(value)
        return value

    @field_validator("weekly_digest")
    @classmethod
    def _weekday_time(cls, value: str) -> str:
        parse_weekly(value)
        return value

    @field_validator("country", mode="before")
    @classmethod
    def _country_code(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("emergency_words_file", mode="before")
    @classmethod
    def _optional_path(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("emergency_words_file")
    @classmethod
    def _readable_words(cls, value: Path | None) -> Path | None:
        if value is not None:
            from bot.services import emergency  # the file is checked at start, not at the first emergency

            try:
                emergency.load(value)
            except (OSError, ValueError) as exc:
                raise ValueError(f"cannot read it: {exc}") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("default_language", mode="before")
    @classmethod
    def _language_code(cls, value: Any) -> Any:
        # uz_Cyrl keeps its script's capital; uz-cyrl and UZ_CYRL mean the same.
        if isinstance(value, str):
            language, _, script = value.strip().replace("-", "_").partition("_")
            return f"{language.lower()}_{script.title()}" if script else language.lower()
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone; use an IANA name such as Asia/Almaty or Asia/Tashkent") from None
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("expected host:port, for example 0.0.0.0:8080")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("use 1-256 characters of A-Z a-z 0-9 _ -")
        return value

    @property
    def default_locale(self) -> str:
        """What someone the bot knows nothing about reads: the default language in COUNTRY's wording."""
        return reading_locale(self.default_language, self.country)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet(self) -> tuple[time, time]:
        return parse_range(self.quiet_hours)

    @property
    def digest_at(self) -> tuple[int, time]:
        return parse_weekly(self.weekly_digest)

    def is_admin(self, telegram_id: int) -> bool:
        return telegram_id in self.admin_ids

    @property
    def alone(self) -> bool:
        """On SQLite the bot runs as one process (it takes the database file for itself): no other instance to share
        locks or Telegram's pace with."""
        return make_url(self.database_url).get_backend_name() == "sqlite"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK_RE = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_clock(text: str) -> time:
    match = _CLOCK_RE.match(text.strip())
    if match is None:
        raise ValueError(f"expected a time like 09:00, not {text.strip()!r}")
    return time(int(match.group(1)), int(match.group(2)))


def parse_range(text: str) -> tuple[time, time]:
    """ "22:00-08:00" → (22:00, 08:00): from, to; may run past midnight."""
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError("expected a range of hours like 22:00-08:00")
    first, last = parse_clock(start), parse_clock(end)
    if first == last:
        raise ValueError("the range is empty: its start and end are the same")
    return first, last


def parse_weekly(text: str) -> tuple[int, time]:
    """ "mon 09:00" → (0, 09:00)."""
    day, _, at = text.strip().lower().partition(" ")
    if day[:3] not in WEEKDAYS:
        raise ValueError("expected a weekday and a time like mon 09:00")
    return WEEKDAYS.index(day[:3]), parse_clock(at)


def reading_locale(language: str, country: str) -> str:
    """The gettext locale a reader reads in: their language, with their building's country's wording.

    `ru@UZ` is gettext's form for a variant of a catalog; Babel formats it as plain `ru`.
    """
    return language if country == HOME_COUNTRIES.get(language, DEFAULT_COUNTRY) else f"{language}@{country}"


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning pydantic's report into one line that names the variable."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
        if error["type"] == "missing":
            raise ConfigError(f"{name} is not set (put it in the environment or in .env)") from None
        message = error["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{name} is malformed: {message}") from None
    except SettingsError as exc:
        raise ConfigError(str(exc)) from None
    require_webhook_secret(settings)
    return settings


def require_webhook_secret(settings: Settings) -> None:
    """Webhook mode takes updates from anyone who can reach the port: only Telegram knows the secret."""
    if settings.webhook_url and settings.webhook_secret is None:
        raise ConfigError("WEBHOOK_SECRET is not set: webhook mode (WEBHOOK_URL) refuses to start without it")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
