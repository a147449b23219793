"""Children's names compared as people say them: "Find a case by the child's name" (ADR
0003, addendum) matches the words typed against names folded here, in Python, so that
PostgreSQL (whose ILIKE knows no accents, and whose `unaccent` is an extension the
database's user may not create) and SQLite (whose LIKE ignores the capitals of ASCII
letters only) find the same children."""

import unicodedata

#: Letters that are not a letter plus an accent (so NFKD leaves them whole), written as
#: the letters an English keyboard types for them.
_PLAIN = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)

#: Every ASCII character but a letter or a digit, to drop.
_ASCII_NOT_ALNUM = str.maketrans(
    "", "", "".join(c for c in map(chr, range(128)) if not c.isalnum())
)


def folded(text: str) -> str:
    """`text` in small letters without accents, with only its letters and digits kept:
    "Zoë", "ZOE" and "zoe" fold alike, and so do "O'Brien", "O’Brien" and "OBrien", and
    "Smith-Jones", "Smith Jones" and "SmithJones"."""
    if text.isascii():  # most names: the same answer, several times faster
        return text.lower().translate(_ASCII_NOT_ALNUM)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(
        c for c in decomposed.translate(_PLAIN) if c.isalnum() and not unicodedata.combining(c)
    )


def folded_words(typed: str) -> list[str]:
    """The words typed (split at spaces), each folded; a word of punctuation only goes."""
    return [word for word in map(folded, typed.split()) if word]


def holds_every_word(words: list[str], *names: str) -> bool:
    """Whether each folded word is part of one of the `names` (folded each on its own,
    so a word does not run from the end of one into the start of the next)."""
    haystack = "\n".join(map(folded, names))
    return all(word in haystack for word in words)
