"""Claims on sentences written for these tests: direct, reported and factual."""

from __future__ import annotations

import pytest
from conftest import text_claims as claims


def test_direct_quote_with_cue_after_it():
    text = ("“Kami siap memasok gas ke China melalui Kazakhstan,” kata Juru Bicara Kremlin "
            "Dmitry Peskov kepada wartawan.")
    got = claims(text, "id")
    assert got[0][0] == "direct" and got[0][2] == "kata"
    assert got[0][3] == "Kami siap memasok gas ke China melalui Kazakhstan"
    assert "Peskov" in got[0][1]


def test_reported_speech_in_bulgarian():
    text = "Марко Рубио заяви, че САЩ ще инвестират в добива на уран в Казахстан."
    got = claims(text, "bg")
    assert ("reported", "Марко Рубио", "заяви",
            "САЩ ще инвестират в добива на уран в Казахстан.") in got


def test_speaker_described_not_named_keeps_the_text():
    text = "Ekspor minyak akan naik tahun depan, kata menteri energi Kazakhstan."
    got = claims(text, "id")
    assert got and got[0][0] == "reported" and got[0][3] == "Ekspor minyak akan naik tahun depan"
    assert got[0][1].startswith("menteri energi")
    # a name after the title is the speaker, whatever part of the title a head marked
    got = claims("Ekspor minyak akan naik tahun depan, kata menteri energi Nurlan Nogayev.", "id")
    assert got and got[0][1] == "Nurlan Nogayev"


def test_unattributed_quantity_is_a_factual_claim():
    text = "Lebih dari 80 persen minyak Kazakhstan diekspor melalui Rusia. Cuaca cerah."
    got = claims(text, "id")
    assert got == [("factual", None, None,
                    "Lebih dari 80 persen minyak Kazakhstan diekspor melalui Rusia.")]


def test_english_according_to():
    got = claims("According to Kazakhstan, exports of uranium grew last year.", "en")
    assert got and got[0][:3] == ("reported", "Kazakhstan", "According to")
    assert got[0][3] == "exports of uranium grew last year."


PESKOV = "“We are ready to supply gas to China,” said Kremlin spokesman Dmitry Peskov."


def test_english_quote_with_a_titled_speaker():
    got = claims(PESKOV, "en")
    assert ("direct", "Dmitry Peskov", "said", "We are ready to supply gas to China") in got


def test_a_quote_gives_one_claim():
    assert len(claims(PESKOV, "en")) == 1


def test_speaker_before_a_relative_clause():
    # the name, then a clause about them, then the cue: the name is the speaker
    text = ("Prabowo yang tiba di Tokyo pada Selasa, mengatakan dirinya dan Perdana Menteri "
            "Shigeru Ishiba sepakat memperluas kerja sama energi.")
    got = claims(text, "id")
    assert got and got[0][:3] == ("reported", "Prabowo", "mengatakan")
    assert got[0][3].startswith("dirinya dan Perdana Menteri")


def test_speaker_before_a_relative_clause_in_bulgarian_and_english():
    bg = claims("Касим-Жомарт Токаев, който пристигна в Москва във вторник, заяви, че Казахстан ще "
                "увеличи износа на петрол.", "bg")
    assert bg and bg[0][:3] == ("reported", "Касим-Жомарт Токаев", "заяви")
    assert bg[0][3] == "Казахстан ще увеличи износа на петрол."
    en = claims("President Kassym-Jomart Tokayev, who arrived in Moscow on Tuesday, said that "
                "Kazakhstan would raise its oil exports.", "en")
    assert en and en[0][:3] == ("reported", "Kassym-Jomart Tokayev", "said")
    assert en[0][3] == "Kazakhstan would raise its oil exports."


def test_title_before_a_country_makes_a_described_speaker():
    text = ("Menteri energi Uzbekistan pada Senin mengatakan negaranya siap mengekspor gas "
            "ke China.")
    got = claims(text, "id")
    assert got and got[0][1].lower() == "menteri energi uzbekistan"
    # the rules take the final full stop into the content, the head does not
    assert got[0][3].rstrip(".") == "negaranya siap mengekspor gas ke China"


def test_content_starts_at_the_complementizer():
    """The rules' reading. Indonesian lets the learned head read first (its cross-validated
    choice), and the head starts this content at "kepada wartawan"; cutting the head's
    contents at a complementizer too changed nothing measurable on the corpus (train
    0.630 -> 0.629, dev 0.582 either way), so it is not done."""
    text = ("Juru bicara Gazprom, Sergei Kupriyanov, mengatakan kepada wartawan pada hari Rabu, "
            "tanpa memberikan rincian, bahwa pasokan gas ke Uzbekistan akan naik.")
    got = claims(text, "id", rules_only=True)
    assert got and got[0][3] == "pasokan gas ke Uzbekistan akan naik."
    got = claims(text, "id")
    assert got and got[0][1] == "Sergei Kupriyanov" and got[0][3].endswith(
        "pasokan gas ke Uzbekistan akan naik")


def test_factual_part_of_a_sentence_before_a_statement():
    text = ("Lebih dari 60 persen gas Turkmenistan dijual ke China, Presiden Turkmenistan "
            "Serdar Berdimuhamedov yang berkunjung ke Beijing pada Kamis, mengatakan hubungan kedua "
            "negara sangat baik.")
    got = claims(text, "id")
    assert ("factual", None, None, "Lebih dari 60 persen gas Turkmenistan dijual ke China") in got
    assert any(c[:3] == ("reported", "Serdar Berdimuhamedov", "mengatakan")
               and c[3].rstrip(".") == "hubungan kedua negara sangat baik" for c in got)


def test_a_name_before_comma_and_cue_ends_the_content_not_speaks():
    # ", kata X": the speaker is after the cue, not the place before the comma
    text = ("Amerika Serikat tidak akan mencabut sanksi terhadap perusahaan yang terkait dengan "
            "China, kata juru bicara Departemen Luar Negeri AS.")
    got = claims(text, "id")
    assert got and got[0][1] == "juru bicara Departemen Luar Negeri AS"
    assert got[0][3].endswith("terkait dengan China")


def test_a_first_name_alone_is_the_person_named_in_full():
    text = ("Menteri Luar Negeri Indonesia Retno Marsudi mengatakan pemerintah akan melarang "
            "ekspor bauksit. “Kami ingin nilai tambah di dalam negeri,” ujar Retno kepada "
            "wartawan.")
    got = claims(text, "id")
    assert len(got) == 2 and {g[1] for g in got} == {"Retno Marsudi"}


# A pronoun speaker stands for the person named last before it; a quotation of several
# sentences is one claim (the default pipeline: lexicons and, where the NER model's states
# exist, the learned claim head).
@pytest.mark.parametrize("text,lang,speaker,content", [
    ("Президент Казахстана Касым-Жомарт Токаев прибыл в Москву. «Мы обсудим поставки нефти "
     "через Каспийский трубопровод», — сказал он журналистам.", "ru", "Касым-Жомарт Токаев",
     "Мы обсудим поставки нефти через Каспийский трубопровод"),
    ("Presiden Kazakhstan Kassym-Jomart Tokayev tiba di Moskow. \"Kami akan membahas pasokan "
     "minyak melalui pipa Kaspia,\" kata dia kepada wartawan.", "id", "Kassym-Jomart Tokayev",
     "Kami akan membahas pasokan minyak melalui pipa Kaspia"),
    ("Премиерът Росен Желязков пристигна в Баку. „Ще купуваме повече газ. Договорът ще бъде "
     "подписан до края на годината“, каза той.", "bg", "Росен Желязков",
     "Ще купуваме повече газ. Договорът ще бъде подписан до края на годината"),
    ("Премьер-министр Польши Дональд Туск выступил в Варшаве. Он подчеркнул: «Мы не будем "
     "покупать российский газ. Этот вопрос закрыт».", "ru", "Дональд Туск",
     "Мы не будем покупать российский газ. Этот вопрос закрыт"),
    ("Senator Jane Miller spoke in Houston on Monday. \"We will not import Russian uranium. Our "
     "reactors need a secure supply,\" she said.", "en", "Jane Miller",
     "We will not import Russian uranium. Our reactors need a secure supply"),
])
def test_pronoun_speakers_and_quotes_of_several_sentences(text, lang, speaker, content):
    assert ("direct", speaker, content) in {(k, who, c) for k, who, _, c in claims(text, lang)}


@pytest.mark.parametrize("text, lang, agency, inner_speaker, inner", [
    ("Министърът на енергетиката Иван Петров заяви, че България ще купува повече газ от "
     "Азербайджан, предаде БТА.", "bg", "БТА", "Иван Петров",
     "България ще купува повече газ от Азербайджан"),
    ("Energy minister John Clark said the country would buy more uranium from Kazakhstan, "
     "the Associated Press reported.", "en", "Associated Press", "John Clark",
     "the country would buy more uranium from Kazakhstan"),
])
def test_an_agency_relaying_a_statement_is_a_claim_around_it(text, lang, agency, inner_speaker,
                                                             inner):
    # the agency's claim holds the minister's whole statement; the minister's claim stays
    got = claims(text, lang)
    outer = [c for c in got if c[1] and agency in c[1]]
    assert outer and inner in outer[0][3] and inner_speaker.split()[-1] in outer[0][3]
    assert any(c[1] and inner_speaker in c[1] and c[3].startswith(inner) for c in got)

