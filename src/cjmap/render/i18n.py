"""The fixed words renderers write, in the map's locale (en, pl, ru), with plural forms."""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "as-is": "as is",
        "to-be": "to be",
        "goal": "goal",
        "persona": "persona",
        "for": "for",
        "outcomes": "Outcomes",
        "legend": "Legend",
        "emotion-0": "very negative",
        "emotion-1": "negative",
        "emotion-2": "neutral",
        "emotion-3": "positive",
        "emotion-4": "very positive",
        "success": "success",
        "lost": "lost",
        "other": "outcome",
        "legend-shapes": "diamond: decision · double border: success · start: black dot · "
        "dashed arrow: back to an earlier step · bold border: entry point",
    },
    "pl": {
        "as-is": "stan obecny",
        "to-be": "stan docelowy",
        "goal": "cel",
        "persona": "persona",
        "for": "dla",
        "outcomes": "Wyniki",
        "legend": "Legenda",
        "emotion-0": "bardzo negatywne",
        "emotion-1": "negatywne",
        "emotion-2": "neutralne",
        "emotion-3": "pozytywne",
        "emotion-4": "bardzo pozytywne",
        "success": "sukces",
        "lost": "utrata",
        "other": "wynik",
        "legend-shapes": "romb: decyzja · podwójna ramka: sukces · start: czarna kropka · "
        "przerywana strzałka: powrót do wcześniejszego kroku · gruba ramka: punkt wejścia",
    },
    "ru": {
        "as-is": "текущее состояние",
        "to-be": "целевое состояние",
        "goal": "цель",
        "persona": "персона",
        "for": "для",
        "outcomes": "Итоги",
        "legend": "Легенда",
        "emotion-0": "очень негативно",
        "emotion-1": "негативно",
        "emotion-2": "нейтрально",
        "emotion-3": "позитивно",
        "emotion-4": "очень позитивно",
        "success": "успех",
        "lost": "потеря",
        "other": "итог",
        "legend-shapes": "ромб: решение · двойная рамка: успех · старт: чёрная точка · "
        "пунктирная стрелка: возврат к предыдущему шагу · жирная рамка: точка входа",
    },
}

# Plural forms: (one, few, many); English uses one and many.
NOUNS: dict[str, dict[str, tuple[str, str, str]]] = {
    "en": {
        "pain": ("pain point", "pain points", "pain points"),
        "idea": ("idea", "ideas", "ideas"),
        "kpi": ("KPI", "KPIs", "KPIs"),
    },
    "pl": {
        "pain": ("problem", "problemy", "problemów"),
        "idea": ("pomysł", "pomysły", "pomysłów"),
        "kpi": ("wskaźnik", "wskaźniki", "wskaźników"),
    },
    "ru": {
        "pain": ("проблема", "проблемы", "проблем"),
        "idea": ("идея", "идеи", "идей"),
        "kpi": ("метрика", "метрики", "метрик"),
    },
}


class Phrases:
    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in PHRASES else "en"

    def __getitem__(self, key: str) -> str:
        return PHRASES[self.locale][key]

    def channel(self, channel_id: str, english: str) -> str:
        """A built-in channel's name in the map's language."""
        return CHANNEL_NAMES.get(self.locale, {}).get(channel_id, english)

    def count(self, number: int, noun: str) -> str:
        """'1 pain point', '3 problemy', '5 проблем'."""
        one, few, many = NOUNS[self.locale][noun]
        if self.locale == "en":
            return f"{number} {one if number == 1 else many}"
        if number % 10 == 1 and number % 100 != 11:
            form = many if self.locale == "pl" and number != 1 else one
        elif 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
            form = few
        else:
            form = many
        return f"{number} {form}"


# Names of the built-in channels in maps written in other languages (English is in channels.py).
CHANNEL_NAMES: dict[str, dict[str, str]] = {
    "pl": {
        "email": "E-mail",
        "sms": "SMS",
        "push": "Powiadomienie push",
        "in-app": "Wiadomość w aplikacji",
        "web": "Strona internetowa",
        "app": "Aplikacja mobilna",
        "social": "Media społecznościowe",
        "ads": "Reklama",
        "search": "Wyszukiwarka",
        "chat": "Czat",
        "phone": "Telefon",
        "store": "Sklep",
        "event": "Wydarzenie lub targi",
        "mail": "Poczta tradycyjna",
        "word-of-mouth": "Marketing szeptany",
    },
    "ru": {
        "email": "Электронная почта",
        "sms": "SMS",
        "push": "Push-уведомление",
        "in-app": "Сообщение в приложении",
        "web": "Сайт",
        "app": "Мобильное приложение",
        "social": "Социальные сети",
        "ads": "Реклама",
        "search": "Поисковая система",
        "chat": "Чат",
        "phone": "Телефонный звонок",
        "store": "Магазин",
        "event": "Мероприятие или выставка",
        "mail": "Почта",
        "word-of-mouth": "Сарафанное радио",
    },
}
