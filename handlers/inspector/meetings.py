"""What the meeting handlers share: the refusal of a button that is not the presser's, with a record of it."""

from __future__ import annotations

from bot.ui import texts
from handlers.refusing import Refusal

# A meeting button pressed (or forged) by someone it is not for, or of no meeting: the generic refusal.
PRESSED = Refusal(texts.button_gone, audit="meeting_refused")
# The same, where it ends a dialog about the meeting.
PRESSED_IN_DIALOG = Refusal(texts.button_gone, audit="meeting_refused", ends_dialog=True)
