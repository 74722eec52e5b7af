"""Starter maps for `cjmap init`: the stages of well-known journey models, in en, pl and ru.

5A is Kotler's customer path (Marketing 4.0): aware, appeal, ask, act, advocate — in Polish
usually Świadomość, Atrakcyjność, Zapytanie, Działanie, Poparcie; in Russian Осведомлённость,
Симпатия, Изучение, Действие, Рекомендация (адвокация). AIDA is attention, interest, desire,
action — Uwaga, Zainteresowanie, Pragnienie, Działanie; Внимание, Интерес, Желание, Действие.
Each stage gets one example touchpoint, so the starter is a complete map that validates cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass

Words = dict[str, str]  # locale -> text


@dataclass(frozen=True)
class Step:
    """A stage with its one example touchpoint."""

    stage: Words
    goal: Words
    touchpoint: Words
    action: Words
    need: Words
    channel: str
    emotion: int


@dataclass(frozen=True)
class Problem:
    """The example pain point, its opportunity and a KPI, on one step of the template."""

    step: int
    pain: Words
    opportunity: Words
    kpi: Words
    unit: str
    target: float


@dataclass(frozen=True)
class Starter:
    about: str  # the header comment, in English
    title: Words
    goal: Words
    steps: tuple[Step, ...]
    problem: Problem
    outcome: Words


def w(en: str, pl: str, ru: str) -> Words:
    return {"en": en, "pl": pl, "ru": ru}


FIVE_A = Starter(
    about="Kotler's 5A customer path: aware, appeal, ask, act, advocate.",
    title=w("Customer path (5A)", "Ścieżka klienta (5A)", "Путь клиента (5A)"),
    goal=w(
        "Raise the share of first-time buyers who recommend us from 10% to 15% within a year",
        "Zwiększyć w ciągu roku udział nowych klientów, którzy nas polecają, z 10% do 15%",
        "За год увеличить долю новых клиентов, которые нас рекомендуют, с 10% до 15%",
    ),
    steps=(
        Step(
            w("Aware", "Świadomość", "Осведомлённость"),
            w("The customer hears of the brand", "Klient dowiaduje się o marce", "Клиент узнаёт о бренде"),
            w("Social media ad", "Reklama w mediach społecznościowych", "Реклама в соцсетях"),
            w("Sees an ad in the feed", "Widzi reklamę w aktualnościach", "Видит рекламу в ленте"),
            w("Find something worth a look", "Znaleźć coś wartego uwagi", "Найти что-то стоящее внимания"),
            "social",
            0,
        ),
        Step(
            w("Appeal", "Atrakcyjność", "Симпатия"),
            w("The brand is on the shortlist", "Marka trafia na krótką listę", "Бренд попадает в короткий список"),
            w("Website", "Strona internetowa", "Сайт"),
            w("Looks at the offer and the prices", "Ogląda ofertę i ceny", "Смотрит предложение и цены"),
            w("Understand what is on offer", "Zrozumieć, co jest w ofercie", "Понять, что предлагают"),
            "web",
            1,
        ),
        Step(
            w("Ask", "Zapytanie", "Изучение"),
            w(
                "The customer's questions are answered",
                "Klient ma odpowiedzi na swoje pytania",
                "Клиент получил ответы на вопросы",
            ),
            w("Question in the chat", "Pytanie na czacie", "Вопрос в чате"),
            w("Asks about delivery and returns", "Pyta o dostawę i zwroty", "Спрашивает о доставке и возврате"),
            w("A quick, clear answer", "Szybka i jasna odpowiedź", "Быстрый и понятный ответ"),
            "chat",
            -1,
        ),
        Step(
            w("Act", "Działanie", "Действие"),
            w("The first purchase", "Pierwszy zakup", "Первая покупка"),
            w("Checkout", "Koszyk i płatność", "Оформление заказа"),
            w("Pays for the order", "Płaci za zamówienie", "Оплачивает заказ"),
            w("Pay quickly and safely", "Zapłacić szybko i bezpiecznie", "Оплатить быстро и безопасно"),
            "web",
            1,
        ),
        Step(
            w("Advocate", "Poparcie", "Рекомендация"),
            w("The customer recommends the brand", "Klient poleca markę", "Клиент рекомендует бренд"),
            w("Review request", "Prośba o opinię", "Просьба об отзыве"),
            w("Writes a review and tells friends", "Pisze opinię i poleca znajomym", "Пишет отзыв и советует друзьям"),
            w("Share a good experience", "Podzielić się dobrym doświadczeniem", "Поделиться хорошим опытом"),
            "email",
            2,
        ),
    ),
    problem=Problem(
        2,
        w(
            "Answers take more than a day",
            "Odpowiedź przychodzi po ponad dobie",
            "Ответ приходит больше чем через сутки",
        ),
        w(
            "Answer the common questions on the product page",
            "Odpowiedzieć na częste pytania na karcie produktu",
            "Ответить на частые вопросы на странице товара",
        ),
        w("Chat first response time", "Czas pierwszej odpowiedzi na czacie", "Время первого ответа в чате"),
        "min",
        15,
    ),
    outcome=w("Recommends the brand", "Poleca markę", "Рекомендует бренд"),
)

AIDA = Starter(
    about="The AIDA model: attention, interest, desire, action.",
    title=w(
        "From first glance to purchase (AIDA)",
        "Od pierwszego spojrzenia do zakupu (AIDA)",
        "От первого взгляда до покупки (AIDA)",
    ),
    goal=w(
        "Raise the conversion from campaign visit to order from 1.5% to 2.5% this quarter",
        "Zwiększyć w tym kwartale konwersję z wizyty z kampanii na zamówienie z 1,5% do 2,5%",
        "В этом квартале поднять конверсию из визита по кампании в заказ с 1,5% до 2,5%",
    ),
    steps=(
        Step(
            w("Attention", "Uwaga", "Внимание"),
            w("The ad is noticed", "Reklama zostaje zauważona", "Рекламу заметили"),
            w("Search ad", "Reklama w wyszukiwarce", "Реклама в поиске"),
            w("Sees the ad while searching", "Widzi reklamę podczas wyszukiwania", "Видит рекламу при поиске"),
            w("Find a solution fast", "Szybko znaleźć rozwiązanie", "Быстро найти решение"),
            "search",
            0,
        ),
        Step(
            w("Interest", "Zainteresowanie", "Интерес"),
            w("The customer reads on", "Klient czyta dalej", "Клиент читает дальше"),
            w("Landing page", "Strona docelowa", "Посадочная страница"),
            w("Reads what the product does", "Czyta, co daje produkt", "Читает, что даёт продукт"),
            w("See if it fits the need", "Sprawdzić, czy odpowiada potrzebie", "Понять, подходит ли продукт"),
            "web",
            1,
        ),
        Step(
            w("Desire", "Pragnienie", "Желание"),
            w("The customer wants it", "Klient chce go mieć", "Клиент хочет продукт"),
            w("Customer reviews", "Opinie klientów", "Отзывы покупателей"),
            w("Reads reviews and compares prices", "Czyta opinie i porównuje ceny", "Читает отзывы и сравнивает цены"),
            w(
                "Be sure it is worth the price",
                "Mieć pewność, że jest wart swojej ceny",
                "Убедиться, что цена оправдана",
            ),
            "web",
            -1,
        ),
        Step(
            w("Action", "Działanie", "Действие"),
            w("The order", "Zamówienie", "Заказ"),
            w("Order", "Zamówienie", "Заказ"),
            w("Places the order", "Składa zamówienie", "Оформляет заказ"),
            w("Order without surprises", "Zamówić bez niespodzianek", "Заказать без сюрпризов"),
            "web",
            1,
        ),
    ),
    problem=Problem(
        2,
        w(
            "Delivery costs appear only at checkout",
            "Koszt dostawy widać dopiero w koszyku",
            "Стоимость доставки видна только в корзине",
        ),
        w(
            "Show delivery costs on the product page",
            "Pokazywać koszt dostawy na karcie produktu",
            "Показывать стоимость доставки на странице товара",
        ),
        w("Add-to-cart rate", "Odsetek dodań do koszyka", "Доля добавлений в корзину"),
        "%",
        8,
    ),
    outcome=w("Order placed", "Złożone zamówienie", "Заказ оформлен"),
)

FUNNEL = Starter(
    about="A marketing funnel: awareness, consideration, conversion, retention, loyalty.",
    title=w("Marketing funnel", "Lejek marketingowy", "Маркетинговая воронка"),
    goal=w(
        "Raise the share of customers who buy again within 90 days from 20% to 30%",
        "Zwiększyć udział klientów kupujących ponownie w ciągu 90 dni z 20% do 30%",
        "Увеличить долю клиентов, покупающих повторно в течение 90 дней, с 20% до 30%",
    ),
    steps=(
        Step(
            w("Awareness", "Świadomość", "Осведомлённость"),
            w("The customer knows the brand", "Klient zna markę", "Клиент знает бренд"),
            w("Video ad", "Reklama wideo", "Видеореклама"),
            w("Watches a short video ad", "Ogląda krótką reklamę wideo", "Смотрит короткий рекламный ролик"),
            w("Notice something relevant", "Zauważyć coś istotnego", "Заметить что-то важное"),
            "ads",
            0,
        ),
        Step(
            w("Consideration", "Rozważanie", "Рассмотрение"),
            w("The brand is compared with others", "Marka jest porównywana z innymi", "Бренд сравнивают с другими"),
            w("Comparison page", "Strona porównania", "Страница сравнения"),
            w("Compares plans and prices", "Porównuje plany i ceny", "Сравнивает тарифы и цены"),
            w("Choose the best value", "Wybrać najlepszą ofertę", "Выбрать самое выгодное"),
            "web",
            -1,
        ),
        Step(
            w("Conversion", "Konwersja", "Конверсия"),
            w("The first purchase", "Pierwszy zakup", "Первая покупка"),
            w("Checkout", "Koszyk i płatność", "Оформление заказа"),
            w("Buys for the first time", "Kupuje po raz pierwszy", "Покупает впервые"),
            w("Buy without effort", "Kupić bez wysiłku", "Купить без усилий"),
            "web",
            1,
        ),
        Step(
            w("Retention", "Utrzymanie", "Удержание"),
            w("The customer comes back", "Klient wraca", "Клиент возвращается"),
            w("Follow-up email", "E-mail po zakupie", "Письмо после покупки"),
            w(
                "Gets tips on using the product",
                "Dostaje wskazówki, jak korzystać z produktu",
                "Получает советы по использованию продукта",
            ),
            w("Get more from the purchase", "Mieć więcej z zakupu", "Получить больше от покупки"),
            "email",
            1,
        ),
        Step(
            w("Loyalty", "Lojalność", "Лояльность"),
            w(
                "The customer buys again and recommends",
                "Klient kupuje ponownie i poleca",
                "Клиент покупает снова и рекомендует",
            ),
            w("Loyalty programme", "Program lojalnościowy", "Программа лояльности"),
            w(
                "Uses points for the next order",
                "Wykorzystuje punkty przy kolejnym zamówieniu",
                "Тратит баллы на следующий заказ",
            ),
            w("Feel valued as a customer", "Czuć się docenionym klientem", "Чувствовать, что его ценят"),
            "app",
            2,
        ),
    ),
    problem=Problem(
        1,
        w("Plans are hard to compare", "Plany trudno porównać", "Тарифы сложно сравнить"),
        w(
            "One comparison table with the differences highlighted",
            "Jedna tabela porównawcza z wyróżnionymi różnicami",
            "Одна таблица сравнения с выделенными различиями",
        ),
        w("Comparison page exit rate", "Odsetek wyjść ze strony porównania", "Доля выходов со страницы сравнения"),
        "%",
        40,
    ),
    outcome=w("Loyal customer", "Lojalny klient", "Лояльный клиент"),
)

SAAS_ONBOARDING = Starter(
    about="SaaS onboarding: sign up, set up, first value, habit, upgrade.",
    title=w("SaaS onboarding", "Onboarding w SaaS", "Онбординг в SaaS"),
    goal=w(
        "Raise the share of trials that reach first value within 7 days from 25% to 40%",
        "Zwiększyć udział wersji próbnych, które w 7 dni osiągają pierwszą wartość, z 25% do 40%",
        "Увеличить долю пробных периодов, достигших первой ценности за 7 дней, с 25% до 40%",
    ),
    steps=(
        Step(
            w("Sign up", "Rejestracja", "Регистрация"),
            w("An account is created", "Konto jest założone", "Аккаунт создан"),
            w("Sign-up form", "Formularz rejestracji", "Форма регистрации"),
            w("Creates an account", "Zakłada konto", "Создаёт аккаунт"),
            w("Start without a long form", "Zacząć bez długiego formularza", "Начать без длинной анкеты"),
            "web",
            0,
        ),
        Step(
            w("Set up", "Konfiguracja", "Настройка"),
            w("The workspace is ready", "Przestrzeń robocza jest gotowa", "Рабочее пространство готово"),
            w("Setup checklist", "Lista kroków konfiguracji", "Список шагов настройки"),
            w(
                "Imports data and invites the team",
                "Importuje dane i zaprasza zespół",
                "Импортирует данные и приглашает команду",
            ),
            w("Get ready without help", "Przygotować się bez pomocy", "Подготовиться без посторонней помощи"),
            "app",
            -1,
        ),
        Step(
            w("First value", "Pierwsza wartość", "Первая ценность"),
            w("The first result is achieved", "Pierwszy efekt jest osiągnięty", "Получен первый результат"),
            w("First report", "Pierwszy raport", "Первый отчёт"),
            w("Sees the first useful report", "Widzi pierwszy przydatny raport", "Видит первый полезный отчёт"),
            w("See that it works for them", "Zobaczyć, że to działa", "Увидеть, что это работает"),
            "app",
            2,
        ),
        Step(
            w("Habit", "Nawyk", "Привычка"),
            w(
                "The product is used every week",
                "Produkt jest używany co tydzień",
                "Продуктом пользуются каждую неделю",
            ),
            w("Weekly summary", "Cotygodniowe podsumowanie", "Еженедельная сводка"),
            w(
                "Reads the weekly summary email",
                "Czyta cotygodniowe podsumowanie e-mailem",
                "Читает еженедельную сводку в письме",
            ),
            w("Keep track with little effort", "Trzymać rękę na pulsie bez wysiłku", "Быть в курсе без лишних усилий"),
            "email",
            1,
        ),
        Step(
            w("Upgrade", "Przejście na płatny plan", "Переход на платный тариф"),
            w(
                "The trial becomes a paid plan",
                "Wersja próbna zmienia się w płatny plan",
                "Пробный период становится платным тарифом",
            ),
            w("Plan choice", "Wybór planu", "Выбор тарифа"),
            w("Chooses a plan and pays", "Wybiera plan i płaci", "Выбирает тариф и платит"),
            w("A price that matches the use", "Cena dopasowana do użycia", "Цена по использованию"),
            "web",
            1,
        ),
    ),
    problem=Problem(
        1,
        w(
            "The import fails on large files",
            "Import nie działa przy dużych plikach",
            "Импорт не справляется с большими файлами",
        ),
        w(
            "Import in the background and email when done",
            "Importować w tle i wysłać e-mail po zakończeniu",
            "Импортировать в фоне и сообщать письмом о завершении",
        ),
        w("Setup completion rate", "Odsetek ukończonych konfiguracji", "Доля завершённых настроек"),
        "%",
        60,
    ),
    outcome=w("Paying customer", "Płacący klient", "Платящий клиент"),
)

ECOMMERCE_FIRST_PURCHASE = Starter(
    about="An online shop's first purchase: discover, browse, subscribe, buy, receive.",
    title=w(
        "First purchase in the online shop",
        "Pierwszy zakup w sklepie internetowym",
        "Первая покупка в интернет-магазине",
    ),
    goal=w(
        "Raise the share of new subscribers who buy within 30 days from 12% to 20%",
        "Zwiększyć udział nowych subskrybentów, którzy kupują w ciągu 30 dni, z 12% do 20%",
        "Увеличить долю новых подписчиков, покупающих в течение 30 дней, с 12% до 20%",
    ),
    steps=(
        Step(
            w("Discover", "Odkrycie", "Знакомство"),
            w("The customer finds the shop", "Klient trafia do sklepu", "Клиент находит магазин"),
            w("Instagram reel", "Rolka na Instagramie", "Ролик в Instagram"),
            w(
                "Watches a reel with the new collection",
                "Ogląda rolkę z nową kolekcją",
                "Смотрит ролик с новой коллекцией",
            ),
            w("Inspiration", "Inspiracja", "Вдохновение"),
            "social",
            1,
        ),
        Step(
            w("Browse", "Przeglądanie", "Выбор"),
            w("A product is chosen", "Produkt jest wybrany", "Товар выбран"),
            w("Product page", "Karta produktu", "Карточка товара"),
            w("Checks the size chart", "Sprawdza tabelę rozmiarów", "Проверяет таблицу размеров"),
            w("Be sure the size fits", "Mieć pewność, że rozmiar pasuje", "Убедиться, что размер подойдёт"),
            "web",
            -1,
        ),
        Step(
            w("Subscribe", "Zapis", "Подписка"),
            w("The customer leaves an email", "Klient zostawia e-mail", "Клиент оставляет e-mail"),
            w("Newsletter sign-up", "Zapis do newslettera", "Подписка на рассылку"),
            w("Signs up for 10% off", "Zapisuje się w zamian za 10% rabatu", "Подписывается ради скидки 10%"),
            w("A lower first price", "Niższa cena pierwszego zakupu", "Более низкая цена первой покупки"),
            "web",
            1,
        ),
        Step(
            w("Buy", "Zakup", "Покупка"),
            w("The first purchase within 30 days", "Pierwszy zakup w ciągu 30 dni", "Первая покупка в течение 30 дней"),
            w("Welcome email", "E-mail powitalny", "Приветственное письмо"),
            w(
                "Uses the code from the welcome email",
                "Używa kodu z e-maila powitalnego",
                "Использует код из приветственного письма",
            ),
            w("A discount that is easy to use", "Rabat, którego łatwo użyć", "Скидка, которой легко воспользоваться"),
            "email",
            1,
        ),
        Step(
            w("Receive", "Dostawa", "Получение"),
            w(
                "The order arrives as promised",
                "Zamówienie przychodzi zgodnie z obietnicą",
                "Заказ приходит в обещанный срок",
            ),
            w("Delivery", "Dostawa", "Доставка"),
            w("Receives the parcel", "Odbiera paczkę", "Получает посылку"),
            w("Delivery before the weekend", "Dostawa przed weekendem", "Доставка до выходных"),
            "mail",
            2,
        ),
    ),
    problem=Problem(
        1,
        w(
            "The size chart differs from the real fit",
            "Tabela rozmiarów nie zgadza się z rzeczywistością",
            "Таблица размеров не совпадает с реальной посадкой",
        ),
        w(
            "Show fit notes from other buyers",
            "Pokazywać uwagi o dopasowaniu od innych kupujących",
            "Показывать отзывы о посадке от других покупателей",
        ),
        w("Returns for wrong size", "Zwroty z powodu złego rozmiaru", "Возвраты из-за неверного размера"),
        "%",
        5,
    ),
    outcome=w("First purchase", "Pierwszy zakup", "Первая покупка"),
)

STARTERS: dict[str, Starter] = {
    "5a": FIVE_A,
    "aida": AIDA,
    "funnel": FUNNEL,
    "saas-onboarding": SAAS_ONBOARDING,
    "ecommerce-first-purchase": ECOMMERCE_FIRST_PURCHASE,
}

PERSONA_NAMES = w(
    "Anna Ben Chloe David Emma Felix Grace Hugo Iris",
    "Anna Piotr Kasia Marek Ola Tomek Ewa Jan Zofia",
    "Ирина Дмитрий Светлана Алексей Мария Сергей Ольга Иван Анна",
)
PERSONA_GOAL = w(
    "Replace with what this customer wants to achieve",
    "Zastąp tym, co ten klient chce osiągnąć",
    "Замените тем, чего хочет добиться этот клиент",
)
LIBRARY_TITLE = w("Personas", "Persony", "Персоны")
