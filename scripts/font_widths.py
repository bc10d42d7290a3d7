"""Write blueprint/font_widths.py: DejaVu Sans advance widths for the scripts a label may be written in.

The diagram measures text itself (blueprint.layout.text_width) so that layout does not depend on
the fonts of the machine that renders. This script reads the widths from the font files once and
writes them as a table: for each character of the ranges below, the widest of its regular advance
and its bold advance / 1.1 (a bold line is measured as 1.1 times a regular one); for an Arabic
letter, the widest of its contextual forms (initial, medial, final, isolated), since the shaper
picks one by its neighbours; combining marks are 0.

    .venv/bin/python scripts/font_widths.py   # needs the DejaVu fonts (Debian: fonts-dejavu-core)
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS = Path("/usr/share/fonts/truetype/dejavu")
OUT = Path(__file__).resolve().parents[1] / "blueprint" / "font_widths.py"

#: (first, last) code points kept: Latin-1 and Latin Extended A/B, IPA, spacing modifiers, combining
#: marks, Greek, Cyrillic, Armenian, Hebrew, Arabic; Latin Extended Additional (Vietnamese); general
#: punctuation, super/subscripts, currency, letterlike symbols, number forms, arrows, mathematical operators,
#: technical signs, enclosed letters (Ⓐ), box drawing, shapes (◆ ▶), symbols (☕) and dingbats (✓).
RANGES = [(0x00A0, 0x06FF), (0x1E00, 0x1EFF), (0x2000, 0x27BF)]
PER_LINE = 24


def _advances(name: str) -> dict[int, float]:
    """Each character's advance width in ``name``, in ems."""
    font = TTFont(FONTS / name)
    per_em = font["head"].unitsPerEm
    hmtx = font["hmtx"]
    return {code: hmtx[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}


def font_version() -> str:
    """The version DejaVu Sans states (its name table's version string)."""
    return str(TTFont(FONTS / "DejaVuSans.ttf")["name"].getDebugName(5))


@functools.lru_cache(maxsize=1)
def _arabic_forms() -> dict[int, list[int]]:
    """Each Arabic letter's presentation forms (from their compatibility decompositions)."""
    forms: dict[int, list[int]] = {}
    for code in list(range(0xFB50, 0xFE00)) + list(range(0xFE70, 0xFF00)):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and parts[0] in ("<isolated>", "<final>", "<initial>", "<medial>"):
            forms.setdefault(int(parts[1], 16), []).append(code)
    return forms


def widths() -> dict[int, float]:
    regular = _advances("DejaVuSans.ttf")
    bold = _advances("DejaVuSans-Bold.ttf")
    out: dict[int, float] = {}
    for first, last in RANGES:
        for code in range(first, last + 1):
            if unicodedata.combining(chr(code)) or unicodedata.category(chr(code)) in ("Mn", "Me", "Cf"):
                out[code] = 0.0
                continue
            out[code] = _widest(code, regular, bold)
    return out


def _widest(code: int, regular: dict[int, float], bold: dict[int, float]) -> float:
    """The wider of ``code``'s regular advance and its bold advance / 1.1; -1 when the font lacks it."""
    found = [w for w in (regular.get(code), None if bold.get(code) is None else bold[code] / 1.1) if w is not None]
    return max(found) if found else -1.0  # -1: not in the font (drawn from another, or as a box)


def arabic_forms() -> dict[int, tuple[float, float, float, float]]:
    """Each Arabic letter's widths as isolated, final, initial and medial form (-1 where it has no such form:
    a letter with no initial form does not join the letter after it)."""
    regular = _advances("DejaVuSans.ttf")
    bold = _advances("DejaVuSans-Bold.ttf")
    out: dict[int, tuple[float, float, float, float]] = {}
    for code in range(0x0600, 0x0700):
        kinds: dict[str, float] = {}
        for form in _arabic_forms().get(code, []):
            kind = unicodedata.decomposition(chr(form)).split()[0]
            kinds[kind] = max(kinds.get(kind, -1.0), _widest(form, regular, bold))
        if any(w >= 0 for w in kinds.values()):  # a letter the font has no form of is drawn as a box
            out[code] = tuple(kinds.get(k, -1.0) for k in ("<isolated>", "<final>", "<initial>", "<medial>"))  # type: ignore[assignment]
    return out


def main() -> None:
    table = widths()
    lines = [
        '"""DejaVu Sans advance widths, in thousandths of an em, for the scripts a label may be written in.',
        "",
        "Written by scripts/font_widths.py from the font files; do not edit. For each range, the widths of its",
        "characters in order; the widest of regular and bold / 1.1, the widest contextual form of an Arabic letter,",
        "0 for a combining mark, -1 for a character the font lacks.",
        '"""',
        "",
        "#: What the table was read from: the font's version and the Unicode data that classed the characters.",
        f"FONT_VERSION = {font_version()!r}",
        f"UNICODE_VERSION = {unicodedata.unidata_version!r}",
        "",
        "RANGES: dict[int, tuple[int, ...]] = {",
    ]
    for first, last in RANGES:
        values = [round(table[c] * 1000) if table[c] >= 0 else -1 for c in range(first, last + 1)]
        lines.append(f"    0x{first:04X}: (")
        for k in range(0, len(values), PER_LINE):
            lines.append("        " + ", ".join(str(v) for v in values[k:k + PER_LINE]) + ",")
        lines.append("    ),")
    lines.append("}")
    lines += ["", "#: An Arabic letter's widths as isolated, final, initial and medial form (-1: it has no such form).",
              "ARABIC_FORMS: dict[int, tuple[int, int, int, int]] = {"]
    for code, ws in sorted(arabic_forms().items()):
        lines.append(f"    0x{code:04X}: ({', '.join(str(round(w * 1000)) if w >= 0 else '-1' for w in ws)}),")
    lines.append("}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({sum(last - first + 1 for first, last in RANGES)} characters)")


if __name__ == "__main__":
    main()
