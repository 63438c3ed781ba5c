"""A report as people receive it: the summary, the chart (a photo) and the printable page (a PDF document).

Rendered from a `ReportView` in the current gettext locale. Drawing the chart and the page takes a while, so it
runs in a worker thread (which carries the locale along); the event loop keeps serving other updates meanwhile.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import I18n

from bot.services import parts
from bot.services.render import Reader, Render
from bot.services.report_figures import ReportView
from bot.services.report_store import Publication
from bot.ui.reports import cards as report_cards

CHART_FILENAME = "chart.png"


@dataclass(frozen=True)
class Output:
    summary: str  # Telegram HTML, one message
    chart: bytes | None  # PNG; None when only the summary and the page are wanted
    chart_caption: str
    pdf: bytes
    pdf_caption: str
    filename: str

    def as_parts(self) -> list[parts.Part]:
        """As the outbox sends it to a chat: the summary, the chart as a photo, the page as a document."""
        message = parts.message(self.summary)
        if self.chart is not None:
            message.append(parts.Media("photo", filename=CHART_FILENAME, data=self.chart).part(self.chart_caption))
        message.append(parts.Media("document", filename=self.filename, data=self.pdf).part(self.pdf_caption))
        return message


async def render(view: ReportView, *, published_at: datetime | None, chart: bool = True) -> Output:
    """`published_at` is printed on the page (None for a draft); without `chart` only the page carries it."""
    # Loaded at the first report, not at start: matplotlib and fpdf2 add a second and some 50 MiB to every process.
    from bot.ui.reports import chart as report_chart
    from bot.ui.reports import pdf as report_pdf

    png = await asyncio.to_thread(report_chart.chart_png, view.comparison)
    pdf = await asyncio.to_thread(report_pdf.pdf_bytes, view, published_at=published_at, chart=png)
    return Output(
        summary=report_cards.summary(view),
        chart=png if chart else None,
        chart_caption=report_cards.chart_caption(view),
        pdf=pdf,
        pdf_caption=report_cards.pdf_caption(view),
        filename=report_cards.pdf_filename(view),
    )


async def for_chats(i18n: I18n, publication: Publication) -> Render[ReportView]:
    """The report as each chat reads it, in the chat's language: drawn here, before publishing (with no transaction
    open), once per language, not once per chat (the same bytes then let the sender upload each file once and send
    the rest by Telegram's file_id); the renderer returned picks each reader's."""
    rendered: dict[str, Output] = {}
    for locale in dict.fromkeys(reader.locale for reader in publication.readers):
        with i18n.use_locale(locale):
            rendered[locale] = await render(publication.view, published_at=publication.at)

    def drawn(_view: ReportView, reader: Reader, /) -> list[parts.Part]:
        return rendered[reader.locale].as_parts()

    return drawn


async def show(message: Message, output: Output) -> None:
    """Send it here and now (the answer to the reader's own command or button)."""
    await message.answer(output.summary)
    if output.chart is not None:
        await message.answer_photo(
            BufferedInputFile(output.chart, filename=CHART_FILENAME), caption=output.chart_caption
        )
    await send_pdf(message, output)


async def send_pdf(message: Message, output: Output) -> None:
    await message.answer_document(BufferedInputFile(output.pdf, filename=output.filename), caption=output.pdf_caption)
