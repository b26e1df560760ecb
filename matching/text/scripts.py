"""Which writing system a piece of text is in (character classes shared by the analysers)."""

import re

#: a kana or kanji character (Japanese text).
JA_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヵヶー]")
#: a word written only in katakana (a loanword, usually).
KATAKANA_RE = re.compile(r"^[\u30a1-\u30faー・ヽヾ]+$")
#: a word written only in kanji.
KANJI_RE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff々]+$")
#: a Latin word or code inside Japanese text (``MOF``, ``Li-ion``): analysed as English.
LATIN_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")


def detect_language(text: str) -> str:
    """'ja' if at least 20 % of the letters are kana/kanji, else 'en'."""
    ja = len(JA_RE.findall(text or ""))
    lat = len(re.findall(r"[A-Za-z]", text or ""))
    return "ja" if ja and ja >= 0.2 * (ja + lat) else "en"
