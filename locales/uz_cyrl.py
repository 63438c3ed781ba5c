"""Seed the Uzbek Cyrillic catalogs from the Uzbek Latin ones, by transliteration.

    python locales/uz_cyrl.py          # after locales/extract.sh: fill what uz_Cyrl lacks
    python locales/uz_cyrl.py --all    # transliterate every entry again (drops hand edits)

locales/uz_Cyrl/LC_MESSAGES/messages.po gets a transliteration of locales/uz for each entry it has no translation
for yet; entries already translated (and reviewed) are kept, so running it twice changes nothing.
locales/uz_Cyrl@KZ mirrors locales/uz@KZ (Kazakhstan's wording) the same way. Placeholders ({name}), HTML tags,
entities, /commands, links, acronyms (ID, CSV) and brand names (Telegram) stay as they are.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent

# The modifier letter ʻ of oʻ and gʻ, as people type it; and the tutuq belgisi ʼ (a glottal stop), written ъ.
TURNED = "ʻ‘`'"
TUTUQ = "ʼ’'"
VOWELS = set("aeiouAEIOU")
LETTERS = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж", "k": "к", "l": "л",
    "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "x": "х",
    "y": "й", "z": "з", "c": "к", "w": "в",
}  # fmt: skip
# Two Latin letters that are one Cyrillic letter. yoʻ is й + ў (yoʻq → йўқ), not ё.
PAIRS = {"sh": "ш", "ch": "ч", "ye": "е", "yo": "ё", "yu": "ю", "ya": "я"}
# Russian loans keep their Russian spelling in Cyrillic: ц for their ts (politsiya → полиция; not in aytsa),
# and ь at the end of the words below.
LOAN_TS = re.compile(r"ts(?=iya|iy|ion|ent)")
WHOLE_WORDS = {
    "yanvar": "январь", "fevral": "февраль", "aprel": "апрель", "iyun": "июнь", "iyul": "июль",
    "sentabr": "сентябрь", "oktabr": "октябрь", "noyabr": "ноябрь", "dekabr": "декабрь",
    "kalendar": "календарь", "fayl": "файл", "rol": "роль", "parol": "пароль", "alkogol": "алкоголь",
    "mayor": "майор", "mayori": "майори", "podyezd": "подъезд",
}  # fmt: skip
# Left as written: placeholders, tags, entities, commands, links, time zones (Asia/Tashkent), and Latin names.
PROTECTED = re.compile(
    r"\{[a-z_]*\}|<[^>]+>|&#?\w+;|(?<![\w/])/[a-z_]+|https?://\S+|t\.me/\S+|\b[A-Z][a-z]+/[A-Z]\w+"
    r"|\b[A-Z]{2,}\b|\b(?:Telegram|Google|iCal)\b"
)
WORD = re.compile(r"[A-Za-z" + re.escape(TURNED + TUTUQ) + r"]+")


def transliterate(text: str) -> str:
    """Uzbek in Latin script → Cyrillic, leaving placeholders, markup, commands and names untouched."""
    out, last = [], 0
    for match in PROTECTED.finditer(text):
        out.append(WORD.sub(lambda m: _word(m.group(0)), text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(WORD.sub(lambda m: _word(m.group(0)), text[last:]))
    return "".join(out)


def _word(word: str) -> str:
    # An apostrophe that only quotes (at either end) is not a letter.
    lead = len(word) - len(word.lstrip(TURNED + TUTUQ))
    core = word[lead:].rstrip(TURNED + TUTUQ)
    if not core:
        return word
    tail = word[lead + len(core) :]
    return word[:lead] + _letters(core) + tail


def _letters(word: str) -> str:
    whole = WHOLE_WORDS.get(word.lower())
    if whole is not None:
        return _case(word, whole)
    lower = word.lower()
    out: list[str] = []
    i = 0
    while i < len(lower):
        char, upper = lower[i], word[i].isupper()
        nxt = lower[i + 1] if i + 1 < len(lower) else ""
        if char in "og" and nxt and nxt in TURNED:
            letter, step = ("ў" if char == "o" else "ғ"), 2
        elif char in TUTUQ:
            letter, step = "ъ", 1
        elif LOAN_TS.match(lower, i):
            letter, step = "ц", 2
        elif char + nxt == "yo" and i + 2 < len(lower) and lower[i + 2] in TURNED:
            letter, step = "й", 1  # yoʻq → йўқ
        elif char + nxt in PAIRS:
            letter, step = PAIRS[char + nxt], 2
            upper = upper or word[i + 1].isupper()
        elif char == "e" and (i == 0 or lower[i - 1] in "aeiou" + TUTUQ):
            letter, step = "э", 1  # e at a word's start (and after a vowel) is э; elsewhere е
        else:
            letter, step = LETTERS.get(char, word[i]), 1
        out.append(letter.upper() if upper else letter)
        i += step
    return "".join(out)


def _case_one(upper: bool, letter: str) -> str:
    return letter.upper() if upper else letter


def _case(word: str, cyrillic: str) -> str:
    if word.isupper() and len(word) > 1:
        return cyrillic.upper()
    return cyrillic[0].upper() + cyrillic[1:] if word[0].isupper() else cyrillic


def _strings(message_string: str | tuple[str, ...]) -> str | tuple[str, ...]:
    if isinstance(message_string, tuple):
        return tuple(transliterate(text) for text in message_string)
    return transliterate(message_string)


def _read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, width=76)


def _empty(message_string: str | tuple[str, ...]) -> bool:
    return not any(message_string) if isinstance(message_string, tuple) else not message_string


def seed_main(everything: bool) -> int:
    """Fill locales/uz_Cyrl from locales/uz where it has no translation yet; returns how many were filled."""
    latin = _read(LOCALES / "uz" / "LC_MESSAGES" / "messages.po", "uz")
    path = LOCALES / "uz_Cyrl" / "LC_MESSAGES" / "messages.po"
    cyrillic = _read(path, "uz_Cyrl")
    filled = 0
    for message in cyrillic:
        if not message.id or not (everything or _empty(message.string)):
            continue
        source = latin.get(message.id)
        if source is None or _empty(source.string):
            continue  # not translated in Latin either: nothing to seed from
        message.string = _strings(source.string)
        message.flags.discard("fuzzy")
        filled += 1
    _write(cyrillic, path)
    return filled


def seed_country(everything: bool) -> int:
    """Make locales/uz_Cyrl@KZ hold exactly the messages of locales/uz@KZ, keeping reviewed translations."""
    latin = _read(LOCALES / "uz@KZ" / "LC_MESSAGES" / "messages.po", "uz@KZ")
    path = LOCALES / "uz_Cyrl@KZ" / "LC_MESSAGES" / "messages.po"
    if path.exists():
        kept = _read(path, "uz_Cyrl@KZ")
    else:
        kept = Catalog(locale="uz_Cyrl@KZ", project="inspector-bot", fuzzy=False)
        kept.language_team = "uz_Cyrl@KZ"
    kept.header_comment = latin.header_comment.replace("(Latin)", "(Cyrillic)").replace(
        "locales/uz ", "locales/uz_Cyrl "
    )
    filled = 0
    for message in list(kept):
        if message.id and message.id not in latin:
            del kept[message.id]
    for message in latin:
        if not message.id:
            continue
        existing = kept.get(message.id)
        if existing is None:
            kept.add(message.id, _strings(message.string))
        elif everything or _empty(existing.string):
            existing.string = _strings(message.string)  # Catalog.add keeps an existing entry's text
        else:
            continue
        filled += 1
    _write(kept, path)
    return filled


def main() -> None:
    everything = "--all" in sys.argv[1:]
    print(f"uz_Cyrl: {seed_main(everything)} seeded; uz_Cyrl@KZ: {seed_country(everything)} seeded")


if __name__ == "__main__":
    main()
