"""Deterministic, unique ASCII ids from names in any language (Polish and Russian transliterated)."""

from __future__ import annotations

import re
import unicodedata

# Polish letters without a decomposition, and Russian by the common Latin spelling the
# shipped examples use (podklyuchenie, uderzhanie, rekomendaciya).
_TRANSLIT = {
    "ł": "l", "ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "þ": "th",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "c", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 60  # leaves room for a "-2" suffix under the format's 80


def slugify(name: str, fallback: str) -> str:
    """'Zapis do newslettera' -> 'zapis-do-newslettera', 'Подключение' -> 'podklyuchenie'."""
    lowered = name.lower()
    spelled = "".join(_TRANSLIT.get(character, character) for character in lowered)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")
    if len(slug) > MAX_LENGTH:
        slug = slug[:MAX_LENGTH].rstrip("-")
    return slug or fallback


class Ids:
    """Hands out ids unique within one namespace: the second 'Checkout' becomes 'checkout-2'."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def new(self, name: str, fallback: str) -> str:
        base = slugify(name, fallback)
        candidate, number = base, 2
        while candidate in self.taken:
            candidate, number = f"{base}-{number}", number + 1
        self.taken.add(candidate)
        return candidate
