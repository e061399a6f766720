"""Events and claims in Russian, Ukrainian and Polish, on sentences written for these tests
(models/lexicons/ru, uk, pl): inflected triggers, arguments, modality, quotes and reported
speech. Names come from the shipped default NER."""

from __future__ import annotations

import pytest

from conftest import find_event as find
from conftest import text_claims as claims
from conftest import text_events as events


def names(ev: dict, *roles: str) -> list[str]:
    return [n for role in roles for n in ev["args"].get(role, [])]


# -- Russian --------------------------------------------------------------------------


def test_russian_visit_and_meeting():
    visit = find(events("Президент Казахстана Касым-Жомарт Токаев посетил Пекин в среду.", "ru",
                        published="2025-03-10"), "visit")
    assert visit["type"] == "CONSULT" and visit["modality"] == "asserted"
    assert visit["args"]["actor"] == ["Касым-Жомарт Токаев"]
    assert visit["args"]["location"] == ["Пекин"] and visit["time"] == "2025-03-05"
    meet = find(events("Сергей Лавров встретился с Ван И в Москве.", "ru"), "meet")
    assert meet["trigger"] == "встретился" and meet["args"]["actor"] == ["Сергей Лавров"]
    assert meet["args"]["counterpart"] == ["Ван И"] and meet["args"]["location"] == ["Москва"]


def test_russian_feminine_plural_signing_and_supply_of_a_commodity():
    evs = events("Россия и Казахстан подписали соглашение о поставках урана.", "ru")
    sign = find(evs, "sign")
    assert sign["type"] == "AGREE" and sign["args"]["actor"] == ["Россия", "Казахстан"]
    assert sign["args"]["commodity"] == ["урана"]
    assert find(evs, "supply")["type"] == "TRADE"


def test_russian_ban_sanctions_and_export_route():
    ban = find(events("Россия запретила экспорт бензина.", "ru"), "ban")
    assert ban["type"] == "SANCTION" and ban["args"]["actor"] == ["Россия"]
    sanction = find(events("США ввели санкции против Ирана.", "ru"), "sanction")
    assert sanction["args"]["actor"] == ["США"] and sanction["args"]["counterpart"] == ["Иран"]
    export = find(events("Казахстан экспортирует нефть в Китай через Россию.", "ru"), "export")
    assert export["args"]["actor"] == ["Казахстан"] and export["args"]["commodity"] == ["нефть"]
    assert export["args"]["location"] == ["Китай"] and export["args"]["route"] == ["Россия"]


def test_russian_attack():
    attack = find(events("Россия атаковала Харьков ночью.", "ru"), "attack")
    assert attack["type"] == "ASSAULT" and attack["args"]["actor"] == ["Россия"]
    assert "Харьков" in names(attack, "counterpart", "location")


def test_russian_negated_and_planned():
    sign = find(events("Турция не подписала соглашение с Россией.", "ru"), "sign")
    assert sign["modality"] == "negated" and sign["args"]["actor"] == ["Турция"]
    visit = find(events("Эрдоган планирует посетить Москву в следующем месяце.", "ru",
                        published="2025-03-10"), "visit")
    assert visit["modality"] == "planned" and visit["time"] == "2025-04"
    assert visit["args"]["actor"] == ["Эрдоган"] and visit["args"]["location"] == ["Москва"]
    sign = find(events("Соглашение будет подписано в Астане.", "ru"), "sign")
    assert sign["modality"] == "planned"
    # "не только" negates nothing
    assert find(events("Казахстан не только экспортирует нефть.", "ru"),
                "export")["modality"] == "asserted"


def test_russian_direct_and_reported_claims():
    text = "«Мы готовы продолжать поставки газа в Европу», – заявил Песков."
    assert claims(text, "ru") == [("direct", "Песков", "заявил",
                                   "Мы готовы продолжать поставки газа в Европу")]
    assert find(events(text, "ru"), "supply")["modality"] in ("reported", "planned")
    got = claims("Токаев заявил, что Казахстан увеличит добычу урана.", "ru")
    assert got == [("reported", "Токаев", "заявил", "Казахстан увеличит добычу урана.")]
    got = claims("По словам Пескова, переговоры с Киевом будут продолжены.", "ru")
    assert got and got[0][:3] == ("reported", "Пескова", "По словам")


# -- Ukrainian ------------------------------------------------------------------------


def test_ukrainian_visit_and_meeting():
    visit = find(events("Президент України Володимир Зеленський відвідав Варшаву у вівторок.",
                        "uk", published="2025-03-10"), "visit")
    assert visit["args"]["actor"] == ["Володимир Зеленський"]
    assert visit["args"]["location"] == ["Варшава"] and visit["time"] == "2025-03-04"
    meet = find(events("Андрій Сибіга зустрівся з Ентоні Блінкеном у Брюсселі.", "uk"), "meet")
    assert meet["args"]["actor"] == ["Андрій Сибіга"] and meet["args"]["location"] == ["Брюссель"]
    assert len(meet["args"]["counterpart"]) == 1


def test_ukrainian_signing_ban_sanctions_export():
    sign = find(events("Україна та Польща підписали угоду про постачання газу.", "uk"), "sign")
    assert sign["args"]["actor"] == ["Україна", "Польща"] and sign["args"]["commodity"] == ["газу"]
    evs = events("Угорщина заборонила імпорт українського зерна.", "uk")
    assert find(evs, "ban")["args"]["actor"] == ["Угорщина"]
    assert find(evs, "import")["args"]["commodity"] == ["зерна"]
    sanction = find(events("Україна запровадила санкції проти Ірану.", "uk"), "sanction")
    assert sanction["args"]["actor"] == ["Україна"] and sanction["args"]["counterpart"] == ["Іран"]
    export = find(events("Україна експортує зерно до Єгипту через Румунію.", "uk"), "export")
    assert export["args"]["actor"] == ["Україна"] and export["args"]["commodity"] == ["зерно"]
    assert export["args"]["route"] == ["Румунія"] and len(export["args"]["location"]) == 1


def test_ukrainian_attack_negated_planned():
    attack = find(events("Росія атакувала Одесу дронами.", "uk"), "attack")
    assert attack["args"]["actor"] == ["Росія"] and "Одеса" in names(attack, "counterpart")
    support = find(events("Угорщина не підтримала санкції проти Росії.", "uk"), "support")
    assert support["modality"] == "negated" and support["args"]["actor"] == ["Угорщина"]
    visit = find(events("Зеленський планує відвідати Вашингтон наступного тижня.", "uk",
                        published="2025-03-10"), "visit")
    assert visit["modality"] == "planned" and visit["time"] == "2025-W12"
    assert visit["args"]["location"] == ["Вашингтон"]


def test_ukrainian_direct_and_reported_claims():
    got = claims("«Ми отримаємо нові системи ППО», — сказав Зеленський.", "uk")
    assert got == [("direct", "Зеленський", "сказав", "Ми отримаємо нові системи ППО")]
    got = claims("Сибіга заявив, що Україна розраховує на підтримку партнерів.", "uk")
    assert got == [("reported", "Сибіга", "заявив",
                    "Україна розраховує на підтримку партнерів.")]
    got = claims("За словами Зеленського, переговори з Туреччиною тривають.", "uk")
    assert got and got[0][:3] == ("reported", "Зеленського", "За словами")
    assert got[0][3] == "переговори з Туреччиною тривають."


# -- Polish ---------------------------------------------------------------------------


def test_polish_visit_and_meeting():
    visit = find(events("Prezydent Andrzej Duda odwiedził Kijów w czwartek.", "pl",
                        published="2025-03-10"), "visit")
    assert visit["args"]["actor"] == ["Andrzej Duda"] and visit["args"]["location"] == ["Kijów"]
    assert visit["time"] == "2025-03-06"
    meet = find(events("Donald Tusk spotkał się z Emmanuelem Macronem w Paryżu.", "pl"), "meet")
    assert meet["args"]["actor"] == ["Donald Tusk"] and len(meet["args"]["counterpart"]) == 1
    assert len(meet["args"]["location"]) == 1


@pytest.mark.parametrize("verb", ["podpisały", "podpisali"])
def test_polish_signing_in_both_plural_genders(verb):
    sign = find(events(f"Polska i Norwegia {verb} umowę o dostawach gazu.", "pl"), "sign")
    assert sign["trigger"] == verb and sign["args"]["actor"] == ["Polska", "Norwegia"]
    assert sign["args"]["commodity"] == ["gazu"]


def test_polish_ban_sanctions_export_attack():
    evs = events("Węgry zakazały importu ukraińskiego zboża.", "pl")
    assert find(evs, "ban")["args"]["actor"] == ["Węgry"]
    assert find(evs, "import")["args"]["commodity"] == ["zboża"]
    sanction = find(events("Unia Europejska nałożyła sankcje na Iran.", "pl"), "sanction")
    assert sanction["args"]["actor"] == ["Unia Europejska"]
    export = find(events("Polska eksportuje węgiel do Niemiec przez Czechy.", "pl"), "export")
    assert export["args"]["actor"] == ["Polska"] and export["args"]["commodity"] == ["węgiel"]
    assert export["args"]["route"] == ["Czechy"] and len(export["args"]["location"]) == 1
    attack = find(events("Rosja zaatakowała Kijów w nocy.", "pl"), "attack")
    assert attack["args"]["actor"] == ["Rosja"] and "Kijów" in names(attack, "counterpart")


def test_polish_negated_and_planned():
    sign = find(events("Słowacja nie podpisała porozumienia z Ukrainą.", "pl"), "sign")
    assert sign["modality"] == "negated" and sign["args"]["actor"] == ["Słowacja"]
    # "z" + instrumental is "with": no origin
    assert "origin" not in sign["args"]
    visit = find(events("Donald Tusk zamierza odwiedzić Waszyngton w przyszłym tygodniu.", "pl",
                        published="2025-03-10"), "visit")
    assert visit["modality"] == "planned" and visit["time"] == "2025-W12"
    assert visit["args"]["actor"] == ["Donald Tusk"]


def test_polish_direct_and_reported_claims():
    got = claims("„Jesteśmy gotowi pomóc Ukrainie” – powiedział Tusk.", "pl")
    assert got == [("direct", "Tusk", "powiedział", "Jesteśmy gotowi pomóc Ukrainie")]
    got = claims("Sikorski oświadczył, że Polska nie wyśle wojsk na Ukrainę.", "pl")
    # reported speech without the final full stop (models/corpus/GUIDELINE.md, 3.2)
    assert got == [("reported", "Sikorski", "oświadczył",
                    "Polska nie wyśle wojsk na Ukrainę")]
    got = claims("Według Tuska, rozmowy z Niemcami są trudne.", "pl")
    assert got and got[0][:3] == ("reported", "Tuska", "Według")
