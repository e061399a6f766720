"""Claims on sentences written for these tests: direct, reported and factual."""

from __future__ import annotations

from conftest import text_records


def claims(text: str, lang: str) -> list[tuple]:
    records = text_records(text, lang)
    names = {r["id"]: r["name"] for r in records if r["type"] == "entity"}
    out = []
    for r in records:
        if r["type"] != "claim":
            continue
        speaker = r["speaker"] or {}
        who = names.get(speaker.get("entity")) or speaker.get("text")
        out.append((r["kind"], who, (r["cue"] or {}).get("text"), r["content"]["text"]))
    return out


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


def test_unattributed_quantity_is_a_factual_claim():
    text = "Lebih dari 80 persen minyak Kazakhstan diekspor melalui Rusia. Cuaca cerah."
    got = claims(text, "id")
    assert got == [("factual", None, None,
                    "Lebih dari 80 persen minyak Kazakhstan diekspor melalui Rusia.")]


def test_english_according_to():
    got = claims("According to Kazakhstan, exports of uranium grew last year.", "en")
    assert got and got[0][:3] == ("reported", "Kazakhstan", "According to")
    assert got[0][3] == "exports of uranium grew last year."


def test_english_quote_with_a_titled_speaker():
    got = claims("“We are ready to supply gas to China,” said Kremlin spokesman Dmitry Peskov.",
                 "en")
    assert got == [("direct", "Dmitry Peskov", "said", "We are ready to supply gas to China")]
