"""The sandbox in a real browser: Debian's headless Chromium plays a newcomer at `python -m bot sandbox`.

A new person registers by the building chat's link, sends an appeal with a photo, the inspector answers and resolves
it, the resident rates it; the inspector announces a meeting to the group and the resident presses "I will come".
Each step's screenshot is kept in artifacts/sandbox/ (not committed) for a person to look at.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import socket
import struct
import sys
import zlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support.databases import in_ci

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "sandbox"
STARTUP_TIMEOUT = 180.0
WAIT_MS = 30_000
PAUSE = 0.3  # seconds between two acts (Steps.pause)
try:
    from playwright.async_api import Locator, Page, async_playwright, expect
except ImportError:  # the dev extras bring it; a bare install may not have it
    async_playwright = None  # type: ignore[assignment]


def _browser_or_skip() -> None:
    missing = []
    if async_playwright is None:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        missing.append("Chromium (apt-get install chromium)")
    if missing:
        reason = "the browser test needs " + " and ".join(missing)
        if in_ci():
            pytest.fail(reason + ": CI must run it")
        pytest.skip(reason)


class Sandbox:
    """`python -m bot sandbox` in its own process, on a port of its own; it can be stopped and started again."""

    def __init__(self, data: Path) -> None:
        self.data = data
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.address = f"http://127.0.0.1:{self.port}/"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, *flags: str) -> None:
        command = ["-m", "bot", "sandbox", "--port", str(self.port), "--data", str(self.data), *flags]
        self.process = process = await asyncio.create_subprocess_exec(
            sys.executable, *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        assert process.stdout is not None
        async with asyncio.timeout(STARTUP_TIMEOUT):
            line = (await process.stdout.readline()).decode().strip()
        assert line == self.address, f"the first line printed: {line!r}"

    async def stop(self) -> None:
        """As Ctrl-C stops it."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    _browser_or_skip()
    sandbox = Sandbox(tmp_path / "data")
    await sandbox.start("--fresh")
    try:
        yield sandbox
    finally:
        await sandbox.stop()


def photo(width: int = 160, height: int = 120) -> bytes:
    """A small PNG (a grey-blue gradient): what a resident's phone camera stands in for."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixel = [[bytes((60 + x, 120 + y // 2, 200)) for x in range(width)] for y in range(height)]
    rows = b"".join(b"\x00" + b"".join(line) for line in pixel)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class Steps:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.number = 0
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
        ARTIFACTS.mkdir(parents=True)

    def pane(self, role: str) -> Locator:
        return self.page.locator(f'[data-pane="{role}"]')

    def message(self, role: str, text: str) -> Locator:
        """The newest message in the pane holding the text."""
        return self.pane(role).locator(".msg", has_text=text).last

    async def sees(self, role: str, text: str) -> Locator:
        message = self.message(role, text)
        await expect(message).to_be_visible(timeout=WAIT_MS)
        return message

    async def count(self, role: str, text: str) -> int:
        return await self.pane(role).locator(".msg", has_text=text).count()

    async def more(self, role: str, text: str, than: int) -> None:
        """Wait for a new message holding the text (older ones, from the seeded beat, hold it too)."""
        await expect(self.pane(role).locator(".msg", has_text=text)).to_have_count(than + 1, timeout=WAIT_MS)

    def button(self, role: str, text: str, label: str) -> Locator:
        """The button labelled so on the newest message holding the text that has one."""
        button = self.page.locator("button[data-testid=inline-button]", has_text=label)
        return self.pane(role).locator(".msg", has_text=text).filter(has=button).last.locator(button)

    async def press(self, role: str, text: str, label: str) -> None:
        await self.pause()
        await self.button(role, text, label).click()

    async def type(self, role: str, text: str) -> None:
        await self.pause()
        composer = self.pane(role).locator(".composer")
        await composer.locator(".text").fill(text)
        await composer.locator(".send").click()

    async def pause(self) -> None:
        """Between two acts of one person: the bot drops more than a few updates a second from one person as a flood
        (bot.middlewares.flood), and nobody types or presses that fast."""
        await asyncio.sleep(PAUSE)

    async def shot(self, name: str) -> None:
        self.number += 1
        await self.page.screenshot(path=ARTIFACTS / f"{self.number:02d}-{name}.png", full_page=True)


async def test_a_newcomer_walks_an_appeal_and_a_meeting_through_the_sandbox_page(sandbox: Sandbox) -> None:
    assert async_playwright is not None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 1600, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(sandbox.address)
            await _walk(Steps(page), page, sandbox)
            assert not errors, errors
            await expect(page.locator("#violations")).to_be_hidden()
        finally:
            await browser.close()


async def _walk(steps: Steps, page: Page, sandbox: Sandbox) -> None:
    await expect(page.locator("[data-testid=live]")).to_have_text("● live", timeout=WAIT_MS)
    await steps.sees("group", "This chat is now connected to A-12")
    await steps.shot("the-seeded-beat")

    # A newcomer joins: added on the page, played in the building chat, registers by the chat's button.
    await page.locator("#add-person input[name=name]").fill("Sam")
    await page.locator("#add-person select").select_option("en")
    await page.locator("#add-person button").click()
    await expect(steps.pane("group").locator(".actor-select option", has_text="Sam")).to_have_count(1)
    await steps.pane("group").locator(".actor-select").select_option(label="Sam · resident · en")
    await steps.press("group", "This chat is now connected to A-12", "Register")
    await steps.sees("resident", "Abay ave 10")
    await steps.press("resident", "Abay ave 10", "English")
    await steps.press("resident", "personal data", "I agree")
    await steps.sees("resident", "flat number")
    await steps.type("resident", "15")
    await steps.sees("resident", "You are registered at A-12")
    await steps.shot("registered-by-the-building-link")

    # The appeal, with a photo picked in the file dialog.
    await steps.type("resident", "/appeal")
    await steps.press("resident", "Public order", "Public order")
    await steps.type("resident", "A car blocks the yard's gate every night.")
    await steps.pause()
    await (
        steps.pane("resident")
        .locator("input.file")
        .set_input_files({"name": "gate.png", "mimeType": "image/png", "buffer": photo()})
    )
    await expect(steps.pane("resident").locator(".msg.own img")).to_have_count(1, timeout=WAIT_MS)
    await steps.press("resident", "Next", "Next")
    await steps.press("resident", "name", "with my name")
    await steps.press("resident", "Category:", "Send")
    registered = await steps.sees("resident", "Your appeal is registered as №")
    number = (await registered.inner_text()).split("№")[1].split()[0].rstrip(".,")
    await steps.shot("appeal-sent-with-a-photo")

    # The inspector sees the card and the photo, answers by replying to the card, then resolves it.
    card = steps.pane("inspector").locator(".msg", has_text=f"Appeal №{number}").filter(has_text="Resolve")
    await expect(card).to_be_visible(timeout=WAIT_MS)
    await expect(steps.pane("inspector").locator(".msg img").last).to_be_visible(timeout=WAIT_MS)
    await card.locator("button.reply").click()
    await steps.type("inspector", "We spoke to the car's owner; the gate stays free from today.")
    await steps.sees("inspector", f"Your answer on appeal №{number} is on its way to the resident")
    await steps.sees("resident", f"The inspector's answer on your appeal №{number}")
    await steps.press("inspector", f"Appeal №{number}", "Resolve")
    await steps.sees("resident", "Please rate")
    await steps.shot("answered-and-resolved")

    await steps.press("resident", "Please rate", "⭐⭐⭐⭐⭐")
    await steps.sees("resident", f"You rated appeal №{number}")
    await steps.sees("inspector", f"rated the handling of appeal №{number}")
    await steps.shot("rated")

    # A meeting announced to the building chat; the newcomer answers "I will come" there.
    now = datetime.fromisoformat((await (await page.request.get(sandbox.address + "api/state")).json())["now"])
    day = now.astimezone(ZoneInfo("Asia/Almaty")) + timedelta(days=5)
    pickers, previews = await steps.count("inspector", "Done"), await steps.count("inspector", "Preview")
    await steps.type("inspector", "/meeting")
    await steps.more("inspector", "Done", pickers)
    await steps.press("inspector", "Done", "A-12")
    await steps.press("inspector", "Done", "Done")
    await steps.type("inspector", f"{day:%d.%m} 18:30")
    await steps.sees("inspector", "Where will it be?")
    await steps.type("inspector", "The yard by entrance 1")
    await steps.type("inspector", "The gate and the parking")
    await steps.more("inspector", "Preview", previews)
    await steps.press("inspector", "Preview", "Publish")
    announcement = await steps.sees("group", "The yard by entrance 1")
    await steps.shot("meeting-announced")

    await announcement.locator("button", has_text="I will come").click()
    await expect(
        steps.message("group", "The yard by entrance 1").locator("button", has_text="I will come (1)")
    ).to_be_visible(timeout=WAIT_MS)
    await expect(steps.pane("group").locator(".toast")).to_contain_text("you will come", timeout=WAIT_MS)
    await steps.shot("i-will-come")

    # The sandbox is stopped and started again: the page reconnects by itself and goes on after the last event it saw.
    await sandbox.stop()
    await expect(page.locator("[data-testid=live]")).to_have_text("reconnecting…", timeout=WAIT_MS)
    await sandbox.start()
    said = await page.request.post(
        sandbox.address + "api/send", multipart={"user": "3001", "chat": "3001", "text": "/help"}
    )
    assert said.ok
    await expect(page.locator("[data-testid=live]")).to_have_text("● live", timeout=WAIT_MS)
    await steps.pane("resident").locator(".chat-select").select_option(label="Dana · resident · en")
    await steps.sees("resident", "/forget_me")
    await expect(steps.pane("group").locator(".msg", has_text="The yard by entrance 1")).to_have_count(1)
    await steps.shot("after-a-restart")
