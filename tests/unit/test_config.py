"""Configuration: a bad value stops the bot with one line naming it; the token never reaches a log."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

from bot.app import create_fsm
from bot.config import ConfigError, Settings, load_settings
from bot.delivery.pace import Pace, SharedPace, pace_for
from bot.emulator import FakeTelegram
from bot.isolation import LocalIsolation
from bot.logging import setup_logging

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token-for-the-fake-telegram-xyz"
VARIABLES = tuple(name.upper() for name in Settings.model_fields)
# Importing aiogram takes seconds on a slow machine; this bounds a run that should end by itself.
PROCESS_TIMEOUT = 90.0


_environment: pytest.MonkeyPatch | None = None


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No setting leaks in from the developer's shell or a `.env` in the working directory, or out to other tests."""
    global _environment
    for name in list(os.environ):
        if name.upper() in VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    _environment = monkeypatch
    yield
    _environment = None


def settings(**env: str) -> Settings:
    assert _environment is not None
    for name in VARIABLES:
        _environment.delenv(name, raising=False)
    for name, value in env.items():
        _environment.setenv(name, value)
    return load_settings()


def problem(**env: str) -> str:
    with pytest.raises(ConfigError) as caught:
        settings(**env)
    return str(caught.value)


# --- load_settings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1,2", [1, 2]), ("[1,2]", [1, 2]), (" 1 , 2 ", [1, 2]), ("[1, 2]", [1, 2]), ("", []), ("42", [42])],
)
def test_admin_ids_are_read_from_a_comma_list_or_a_json_list(typed: str, expected: list[int]) -> None:
    assert settings(BOT_TOKEN=TOKEN, ADMIN_IDS=typed).admin_ids == expected


def test_admin_ids_left_out_means_no_admins() -> None:
    assert settings(BOT_TOKEN=TOKEN).admin_ids == []


@pytest.mark.parametrize("typed", ["1,x", "[1,2", "1;2", "@admin"])
def test_admin_ids_that_are_not_numbers_stop_the_bot_naming_admin_ids(typed: str) -> None:
    message = problem(BOT_TOKEN=TOKEN, ADMIN_IDS=typed)
    assert message.startswith("ADMIN_IDS is malformed")
    assert "\n" not in message


def test_settings_are_read_from_a_dot_env_file_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nADMIN_IDS=7,8\nDEFAULT_LANGUAGE=kk\n", encoding="utf-8")
    loaded = load_settings()
    assert loaded.bot_token.get_secret_value() == TOKEN
    assert loaded.admin_ids == [7, 8]
    assert loaded.default_language == "kk"


def test_defaults_when_only_the_token_is_given() -> None:
    loaded = settings(BOT_TOKEN=TOKEN)
    assert loaded.database_url == "sqlite+aiosqlite:///data/bot.sqlite3"
    assert loaded.default_language == "ru"
    assert loaded.timezone == "Asia/Almaty"
    assert loaded.log_level == "INFO"
    assert loaded.telegram_api_url is None
    assert loaded.redis_url is None
    assert loaded.webhook_url is None


def test_every_setting_is_shown_in_env_example_and_in_the_readme() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in VARIABLES:
        assert re.search(rf"^(# )?{name}=", example, re.MULTILINE), f"{name} is missing from .env.example"
        assert f"| `{name}` |" in readme, f"{name} is missing from the configuration table in README.md"


def test_empty_lines_copied_from_a_template_mean_not_set() -> None:
    loaded = settings(BOT_TOKEN=TOKEN, REDIS_URL="", WEBHOOK_URL="", WEBHOOK_SECRET="", TIMEZONE="", DATABASE_URL="")
    assert loaded.redis_url is None
    assert loaded.webhook_url is None
    assert loaded.webhook_secret is None
    assert loaded.timezone == "Asia/Almaty"
    assert loaded.database_url == "sqlite+aiosqlite:///data/bot.sqlite3"


def test_a_missing_bot_token_stops_the_bot_with_one_line_naming_it() -> None:
    message = problem()
    assert message == "BOT_TOKEN is not set (put it in the environment or in .env)"


def test_an_empty_bot_token_counts_as_missing() -> None:
    assert problem(BOT_TOKEN="").startswith("BOT_TOKEN is not set")


@pytest.mark.parametrize("token", ["abc", "777", "777:short", "bot123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_a_malformed_bot_token_is_named_but_never_repeated(token: str) -> None:
    message = problem(BOT_TOKEN=token)
    assert message.startswith("BOT_TOKEN is malformed")
    assert token not in message


@pytest.mark.parametrize("zone", ["Mars/Olympus", "UTC+5", "Asia/Almaty/"])
def test_an_unknown_timezone_is_named(zone: str) -> None:
    assert problem(BOT_TOKEN=TOKEN, TIMEZONE=zone).startswith("TIMEZONE is malformed: unknown time zone")


@pytest.mark.parametrize(
    "url", ["mysql://x", "garbage", "sqlite:///data/bot.sqlite3", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"]
)
def test_an_unsupported_database_url_is_named(url: str) -> None:
    message = problem(BOT_TOKEN=TOKEN, DATABASE_URL=url)
    assert message.startswith("DATABASE_URL is malformed")
    assert "sqlite+aiosqlite" in message and "postgresql+asyncpg" in message


@pytest.mark.parametrize("language", ["de", "russian", "ru_RU"])
def test_an_unknown_default_language_is_named(language: str) -> None:
    assert problem(BOT_TOKEN=TOKEN, DEFAULT_LANGUAGE=language).startswith("DEFAULT_LANGUAGE is malformed")


@pytest.mark.parametrize("written", ["uz_Cyrl", "uz-cyrl", "UZ_CYRL"])
def test_uzbek_in_cyrillic_is_a_default_language_however_it_is_written(written: str) -> None:
    assert settings(BOT_TOKEN=TOKEN, DEFAULT_LANGUAGE=written).default_language == "uz_Cyrl"


def test_the_operator_is_unset_unless_named() -> None:
    assert settings(BOT_TOKEN=TOKEN).operator_name is None
    assert settings(BOT_TOKEN=TOKEN, OPERATOR_NAME="ОП Алмалинского района").operator_name == "ОП Алмалинского района"


def test_language_and_log_level_are_read_in_any_case() -> None:
    loaded = settings(BOT_TOKEN=TOKEN, DEFAULT_LANGUAGE=" EN ", LOG_LEVEL="debug")
    assert (loaded.default_language, loaded.log_level) == ("en", "DEBUG")


@pytest.mark.parametrize("level", ["loud", "TRACE", "5"])
def test_an_unknown_log_level_is_named(level: str) -> None:
    assert problem(BOT_TOKEN=TOKEN, LOG_LEVEL=level).startswith("LOG_LEVEL is malformed")


@pytest.mark.parametrize("url", ["localhost:8081", "ftp://example.org", "http://", "http://bad host", "http://h:99999"])
def test_a_telegram_api_url_that_is_not_http_is_named(url: str) -> None:
    assert problem(BOT_TOKEN=TOKEN, TELEGRAM_API_URL=url).startswith("TELEGRAM_API_URL is malformed")


def test_webhook_settings_are_checked() -> None:
    assert problem(BOT_TOKEN=TOKEN, WEBHOOK_URL="example.org").startswith("WEBHOOK_URL is malformed")
    assert problem(BOT_TOKEN=TOKEN, WEBHOOK_SECRET="has spaces").startswith("WEBHOOK_SECRET is malformed")
    assert problem(BOT_TOKEN=TOKEN, WEBHOOK_LISTEN="8080").startswith("WEBHOOK_LISTEN is malformed")


async def test_one_process_on_sqlite_keeps_dialog_locks_and_the_pace_itself_and_instances_share_them_in_redis() -> None:
    redis = "redis://127.0.0.1:6379/0"  # not reached: nothing here talks to Redis
    alone = settings(BOT_TOKEN=TOKEN, DATABASE_URL="sqlite+aiosqlite:///data/bot.sqlite3", REDIS_URL=redis)
    several = settings(BOT_TOKEN=TOKEN, DATABASE_URL="postgresql+asyncpg://bot@db/bot", REDIS_URL=redis)
    assert alone.alone and not several.alone
    for each, isolation, pace in ((alone, LocalIsolation, Pace), (several, RedisEventIsolation, SharedPace)):
        storage, locks = create_fsm(each)
        assert isinstance(storage, RedisStorage)  # dialogs outlive a restart either way
        assert isinstance(locks, isolation)
        shared = pace_for(each)
        assert isinstance(shared, pace)
        await storage.close()
        await shared.close()


def test_webhook_mode_refuses_to_start_without_its_secret() -> None:
    said = problem(BOT_TOKEN=TOKEN, WEBHOOK_URL="https://bot.example.org")
    assert said.startswith("WEBHOOK_SECRET is not set") and "\n" not in said
    assert settings(BOT_TOKEN=TOKEN, WEBHOOK_URL="https://bot.example.org", WEBHOOK_SECRET="s3cret").webhook_secret


# --- the token in logs -----------------------------------------------------------------


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """setup_logging replaces the root handlers; give pytest its own back afterwards."""
    root = logging.getLogger()
    event = logging.getLogger("aiogram.event")
    saved = (root.handlers[:], root.level, event.level)
    yield
    root.handlers[:], _, _ = saved
    root.setLevel(saved[1])
    event.setLevel(saved[2])


def test_a_log_record_carrying_the_token_is_printed_with_stars(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", [TOKEN])
    logging.getLogger("aiogram.dispatcher").info("GET https://api.telegram.org/bot%s/getUpdates", TOKEN)
    err = capsys.readouterr().err
    assert "https://api.telegram.org/bot***/getUpdates" in err
    assert TOKEN not in err


def test_a_traceback_carrying_the_token_is_printed_with_stars(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", [TOKEN])
    try:
        raise RuntimeError(f"Cannot connect to https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        logging.getLogger("bot").exception("request failed")
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError" in err
    assert "bot***/getMe" in err
    assert TOKEN not in err


def test_debug_logging_still_hides_the_token_and_update_contents_stay_out_at_info(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", [TOKEN])
    logging.getLogger("aiogram.event").info("Update id=1 is handled by user 555")
    assert capsys.readouterr().err == ""
    setup_logging("DEBUG", [TOKEN])
    logging.getLogger("aiogram").debug("token=%s", TOKEN)
    err = capsys.readouterr().err
    assert "token=***" in err and TOKEN not in err


# --- `python -m bot` as people run it --------------------------------------------------


def bot_environment(**env: str) -> dict[str, str]:
    clean = {name: value for name, value in os.environ.items() if name.upper() not in VARIABLES}
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), clean.get("PYTHONPATH")]))
    clean.update(env)
    return clean


async def run_bot(cwd: Path, *args: str, **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=bot_environment(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), PROCESS_TIMEOUT)
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
        pytest.fail(f"python -m bot did not stop by itself; stderr:\n{err.decode()}")
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


async def test_the_bot_without_a_token_exits_2_naming_it_and_the_sandbox_with_no_traceback(tmp_path: Path) -> None:
    code, out, err = await run_bot(tmp_path)
    assert code == 2
    assert lines(err) == [
        "configuration error: BOT_TOKEN is not set (put it in the environment or in .env)",
        "to see the bot without a token: python -m bot sandbox",
    ]
    assert out == ""


async def test_a_malformed_value_in_dot_env_exits_2_with_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nTIMEZONE=Asia/Atlantis\n", encoding="utf-8")
    code, _, err = await run_bot(tmp_path)
    assert code == 2
    [line] = lines(err)
    assert line.startswith("configuration error: TIMEZONE is malformed")
    assert TOKEN not in err


async def test_an_unreachable_database_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    code, _, err = await run_bot(
        tmp_path, BOT_TOKEN=TOKEN, DATABASE_URL="postgresql+asyncpg://nobody:hunter2@127.0.0.1:9/x"
    )
    assert code == 1
    [line] = lines(err)
    assert line.startswith("cannot reach the database postgresql+asyncpg://nobody:***@127.0.0.1:9/x")
    assert "hunter2" not in err
    assert "Traceback" not in err


async def test_migrate_against_an_unreachable_database_says_so_in_one_line(tmp_path: Path) -> None:
    code, _, err = await run_bot(
        tmp_path, "migrate", BOT_TOKEN=TOKEN, DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:9/x"
    )
    assert code == 1
    assert [line.split(":")[0] for line in lines(err)] == ["cannot reach the database postgresql+asyncpg"]


async def test_an_unreachable_telegram_stops_the_bot_without_printing_the_token(tmp_path: Path) -> None:
    # Port 9 (discard) on loopback is closed: every connection is refused at once.
    code, out, err = await run_bot(
        tmp_path,
        BOT_TOKEN=TOKEN,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.sqlite3",
        TELEGRAM_API_URL="http://127.0.0.1:9",
        LOG_LEVEL="DEBUG",
    )
    assert TOKEN not in out + err
    assert TOKEN.split(":")[1] not in out + err
    assert code == 1
    assert "Traceback" not in err
    assert lines(err)[-1].startswith("cannot reach Telegram at http://127.0.0.1:9: ")


async def test_a_token_telegram_rejects_stops_the_bot_with_one_line_naming_bot_token(tmp_path: Path) -> None:
    async with FakeTelegram(token="654321:the-token-the-fake-expects-abc") as fake:
        code, out, err = await run_bot(
            tmp_path,
            BOT_TOKEN=TOKEN,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.sqlite3",
            TELEGRAM_API_URL=fake.base_url,
        )
    assert code == 2
    assert lines(err)[-1] == "configuration error: BOT_TOKEN was rejected by Telegram (revoked or mistyped)"
    assert "Traceback" not in err
    assert TOKEN not in out + err


async def test_a_running_bot_logs_at_debug_without_the_token_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=tmp_path,
            env=bot_environment(
                BOT_TOKEN=TOKEN,
                DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.sqlite3",
                TELEGRAM_API_URL=fake.base_url,
                LOG_LEVEL="DEBUG",
            ),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        # Read the output while waiting: a DEBUG start-up fills a pipe's buffer, and a bot blocked on writing to
        # it would never get as far as polling.
        reading = asyncio.create_task(process.communicate())
        try:
            async with asyncio.timeout(PROCESS_TIMEOUT):
                while not fake.calls("getUpdates") and process.returncode is None:
                    await asyncio.sleep(0.05)
        except TimeoutError:
            process.kill()
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(reading, PROCESS_TIMEOUT)
    output = out.decode() + err.decode()
    assert fake.calls("getUpdates"), output
    assert fake.calls("setMyCommands")
    assert process.returncode == 0, output
    assert TOKEN not in output
    assert "Traceback" not in output
