"""The diagram's own text measure against the font, in the scripts a label may be written in.

``blueprint.layout.text_width`` decides where a label wraps and when a stage name is cut short: it
must never measure less than the font draws (text would run out of its box), and not so much more
that a name is cut with room to spare (an Arabic stage name was cut at half its width).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

import blueprint
from blueprint.layout import compute_layout, text_width

FONTS = Path("/usr/share/fonts/truetype/dejavu")
ImageFont = pytest.importorskip("PIL.ImageFont")
features = pytest.importorskip("PIL.features")

SAMPLES = [
    "Check in at reception", "WWWW MMMM", "Ngày mai tôi sẽ đến", "Réservation à l'hôtel", "Straße · Größe",
    "Оформление заказа", "ЖЖЖЖЖЖ шщшщ", "Παραγγελία στο ταμείο", "Ωμέγα ΩΩΩΩ", "Հաճախորդը գալիս է",
    "הזמנה בקופה", "הלקוח מגיע לחנות ומזמין", "שששששש",
    "الوصول إلى المتجر والطلب", "يغادر مع القهوة", "مرحبا بكم في مكتب الاستقبال", "ششششش", "ضضضض", "لا لا لا",
    "Check in → pay … done", "≤ 5 min · ~2 min", "‹ back › next",
]


def _font(name: str) -> ImageFont.FreeTypeFont:
    path = FONTS / name
    if not path.exists():
        pytest.skip(f"{path} is not installed")
    if not features.check("raqm"):
        pytest.skip("Pillow without libraqm cannot shape Arabic as Graphviz does")
    return ImageFont.truetype(str(path), 1100, layout_engine=ImageFont.Layout.RAQM)


@pytest.mark.parametrize(("name", "bold"), [("DejaVuSans.ttf", 1.0), ("DejaVuSans-Bold.ttf", 1.1)])
def test_text_width_is_never_short_of_the_font_and_at_most_a_fifth_over(name: str, bold: float) -> None:
    font = _font(name)
    for text in SAMPLES:
        drawn = font.getlength(text) / 100  # at 11 points
        measured = text_width(text, 11.0) * bold
        assert drawn <= measured <= 1.2 * drawn, (text, measured / drawn)


def test_the_width_table_is_the_fonts() -> None:
    """``blueprint/font_widths.py`` is what ``scripts/font_widths.py`` writes from the installed fonts."""
    pytest.importorskip("fontTools")
    if not (FONTS / "DejaVuSans.ttf").exists():
        pytest.skip("DejaVu Sans is not installed")
    import importlib.util

    from blueprint.font_widths import ARABIC_FORMS, FONT_VERSION, RANGES, UNICODE_VERSION

    spec = importlib.util.spec_from_file_location("font_widths_script", Path(__file__).parents[1] / "scripts" / "font_widths.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    here = (script.font_version(), unicodedata.unidata_version)
    if here != (FONT_VERSION, UNICODE_VERSION):  # another font or Unicode release: the table stands for its own
        pytest.skip(f"the table was read from DejaVu Sans {FONT_VERSION} with Unicode {UNICODE_VERSION}; here {here}")
    table = script.widths()
    for first, values in RANGES.items():
        for k, value in enumerate(values):
            expected = table[first + k]
            assert value == (round(expected * 1000) if expected >= 0 else -1), hex(first + k)
    forms = script.arabic_forms()
    assert set(ARABIC_FORMS) == set(forms)
    for code, widths in forms.items():
        assert ARABIC_FORMS[code] == tuple(round(w * 1000) if w >= 0 else -1 for w in widths), hex(code)


def _blueprint(stage: str, role: str) -> blueprint.Blueprint:
    return blueprint.loads(f"""
name: Intl
roles: [{{name: "{role}"}}]
stages: [{{name: "{stage}", steps: [arrive, order]}}]
steps:
  - {{id: arrive, label: Arrive, lane: customer}}
  - {{id: order, label: "הזמנה בקופה", lane: onstage, role: "{role}", duration: 2 min}}
flows: [{{from: arrive, to: order}}]
""")


def test_an_arabic_stage_name_that_fits_is_drawn_whole() -> None:
    name = "الوصول إلى المتجر والطلب"
    svg = _blueprint(name, "clerk").render().svg
    assert name in svg and f"{name[:10]}" in svg and "…" not in svg


def test_a_right_to_left_role_keeps_its_place_in_the_line_under_a_step() -> None:
    """"פקיד · ~2 min" is isolated and the line starts left to right, so Graphviz does not read the whole
    line right to left ("min 2~ · פקיד") and a browser draws it the same way."""
    box = compute_layout(_blueprint("Order", "פקיד")).boxes["order"]
    assert box.detail == ["\u200e\u2068פקיד\u2069 · ~2 min"]
    latin = compute_layout(_blueprint("Order", "clerk")).boxes["order"]
    assert latin.detail == ["clerk · ~2 min"]


def test_a_right_to_left_label_is_drawn_right_to_left_in_the_svg_as_in_the_png() -> None:
    """Graphviz's PNG takes a line's direction from its first letter; a browser drawing the SVG reads every line
    left to right unless told: a right-to-left line is isolated as one, a line put together by the library is not."""
    svg = _blueprint("Order", "פקיד").render().svg
    assert "\u2067הזמנה בקופה\u2069" in svg
    assert "\u200e\u2068פקיד\u2069 · ~2 min" in svg and "\u2067\u200e" not in svg
    assert "\u2067" not in blueprint.load("examples/coffee_shop.yaml").render().svg  # nothing changes for Latin text


def test_a_line_is_wrapped_on_what_the_reader_sees_never_inside_a_letter_with_its_marks_or_an_emoji() -> None:
    from blueprint.layout import BOX_WIDTH, fit_lines

    inner = BOX_WIDTH - 16
    pointed = "בְּרוּכִים הַבָּאִים לַמִּשְׂרָד שֶׁלָּנוּ"  # 24 letters with their points: 40 characters
    assert fit_lines(pointed, inner) == [pointed]
    decomposed = "Re\u0301ception a\u0300 l’ho\u0302tel e\u0301pe\u0301e"
    assert fit_lines(decomposed, inner) == [decomposed]
    for text in ("x" + "e\u0301" * 30, "\U0001F1EB\U0001F1F7" * 15, "\U0001F468\u200d\U0001F469\u200d\U0001F467" * 8):
        lines = fit_lines(text, inner)
        assert len(lines) > 1 and "".join(ln.removesuffix("-") for ln in lines) == text, text  # (a cut word's hyphen)
        for line in lines:
            assert not unicodedata.combining(line[0]) and not line.startswith("\u200d") and not line.endswith("\u200d")
        if text.startswith("\U0001F1EB"):  # every line holds whole flags, so each pair stays France's
            assert all(line == "\U0001F1EB\U0001F1F7" * (len(line) // 2) for line in lines)


def test_characters_no_font_has_are_measured_as_the_box_drawn_for_them() -> None:
    """Graphviz widened a box with ten emoji past the width the arrows were routed for, and an arrow ran into
    it: a character no font has is drawn as a box with its code (1.16 em, 1.57 em past U+FFFF), and the
    measure allows for it."""
    bp = blueprint.loads(
        "name: Emoji\nsteps:\n"
        "  - {id: a, label: Order at the counter, lane: customer}\n"
        '  - {id: b, label: "Rate us 👍👍👍👍👍 or 👎👎👎👎👎", lane: customer}\n'
        '  - {id: c, label: "کیا ہے یہ بات ہے ے ہ ہے ہے ہے ہے ہے", lane: customer}\n'
        '  - {id: d, label: "𓀀𓀁𓀂𓀃𓀄𓀅𓀆𓀇𓀈𓀉𓀊𓀋", lane: customer}\n'
        "flows: [a -> b, b -> c, c -> d]\n"
    )
    from blueprint.diagram.check import check_svg

    svg = bp.render().svg
    assert check_svg(svg) == []
    assert text_width("👍" * 10, 11.0) >= 10 * 1.57 * 11.0 and text_width("ہ" * 10, 11.0) >= 10 * 1.16 * 11.0


def test_an_emoji_skin_tone_is_measured_as_the_second_box_it_is_without_an_emoji_font() -> None:
    assert text_width("👍🏽", 11.0) >= 2 * 1.57 * 11.0 and text_width("❤\ufe0f", 11.0) == text_width("❤", 11.0)



def test_a_long_unbroken_label_is_cut_into_lines_of_whole_clusters() -> None:
    from blueprint.layout import _char_units, clip, wrap_label

    for text in ("x" * 400, "e\u0301" * 300, "👍" * 300):
        lines = wrap_label(text, 2)  # a word cut between two letters takes a hyphen
        assert "".join(line.removesuffix("-") for line in lines) == clip(text) and len(lines) >= 100
        assert all(sum(_char_units(ch) for ch in line) <= 2 for line in lines[:-1])
        assert not any(unicodedata.combining(line[0]) for line in lines)


def test_long_words_break_where_a_reader_expects() -> None:
    from blueprint.layout import fit_lines, wrap_label

    # at a hyphen the word already has
    assert fit_lines("Online-Terminvereinbarungsportal aufrufen", 154)[0] == "Online-"
    # a word cut between letters ends its line with a hyphen and carries at least three letters over
    lines = fit_lines("Terminbestätigungsbenachrichtigung versenden", 154)
    assert lines[0].endswith("-") and len(lines[1].split()[0]) >= 3
    assert "".join(ln.removesuffix("-") for ln in lines[:2]).startswith("Terminbestätigungsbenachrichtigung")
    # no line starts with the comma that followed a cut word
    lines = fit_lines("Kraftfahrzeughaftpflichtversicherungsbestätigung, Fahrzeugbrief und Ausweis", 154)
    assert not any(ln.startswith((",", ".", ")")) for ln in lines)
    # Chinese breaks between characters, with no hyphen; a short hyphenated word stays whole
    assert not any(ln.endswith("-") for ln in fit_lines("等待客服回答问题并记录等待客服回答问题并记录等待客服回答问题并记录", 154))
    assert fit_lines("Self-check-in at the kiosk", 154) == ["Self-check-in at the", "kiosk"]
    # where it is cut, at a syllable a few letters back if there is one: the next takes the consonants it can
    assert fit_lines("Internationalisierungsstrategie", 154) == ["Internationalisierungs-", "strategie"]
    assert fit_lines("Antrag zur Kraftfahrzeughaftpflichtversicherung", 154)[1] == "Kraftfahrzeughaft-"
    # no hyphen in an address a reader would copy, nor in a script that breaks without one (Thai)
    assert not any(ln.endswith("-") for ln in wrap_label("http://example.com/a/very/long/path/to/something", 12))
    assert not any(ln.endswith("-") for ln in wrap_label("สวัสดีครับภาษาไทย" * 2, 8))
    # a consonant cluster that starts a syllable stays whole, and a closing mark stays with its line
    assert wrap_label("Bestätigungsschreiben", 10)[-1] == "schreiben"
    assert not any(ln.startswith("。") for ln in wrap_label("等待客服回答问题并记录。", 22))
