"""Which characters the fonts on this machine can draw.

Graphviz draws a PNG or PDF with the fonts installed here; a character none of them has (an emoji on
a server without an emoji font, Chinese without a CJK font) comes out as a small box with its code
in it. An SVG is drawn later by the viewer's fonts, so it is not affected. fontconfig's ``fc-list``
says what every installed font covers; without it nothing can be told and nothing is reported.

>>> missing_glyphs("Check in", covered=[(0x20, 0x7E)])
[]
>>> missing_glyphs("Check in ☕", covered=[(0x20, 0x7E)])
['☕']
"""

from __future__ import annotations

import bisect
import functools
import shutil
import subprocess
import unicodedata
from collections.abc import Sequence

__all__ = ["font_coverage", "missing_glyphs", "drawn_as_boxes", "describe_missing"]

#: Characters never drawn as a glyph of their own (direction marks, joiners, spaces, line breaks).
_INVISIBLE = ("Cc", "Cf", "Zs", "Zl", "Zp")
#: At most this many characters are named in a message.
SHOWN = 8


@functools.lru_cache(maxsize=1)
def font_coverage() -> tuple[tuple[int, int], ...] | None:
    """The code point ranges some installed font covers, merged and sorted; None when ``fc-list`` is
    not here or fails (then nothing can be told)."""
    exe = shutil.which("fc-list")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--format", "%{charset}\n"], capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    ranges: list[tuple[int, int]] = []
    for token in out.split():
        low, _, high = token.partition("-")
        try:
            ranges.append((int(low, 16), int(high or low, 16)))
        except ValueError:
            continue
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged) if merged else None


def missing_glyphs(text: str, covered: Sequence[tuple[int, int]] | None = None) -> list[str]:
    """The distinct characters of ``text`` that no installed font draws, in order of first use
    (``covered``: the ranges to judge by, by default :func:`font_coverage`; [] when it is unknown)."""
    ranges = font_coverage() if covered is None else covered
    if not ranges:
        return []
    starts = [first for first, _ in ranges]
    out: list[str] = []
    for ch in dict.fromkeys(text):
        code = ord(ch)
        if code < 0x80 or unicodedata.category(ch) in _INVISIBLE:
            continue
        k = bisect.bisect_right(starts, code) - 1
        if k < 0 or code > ranges[k][1]:
            out.append(ch)
    return out


def drawn_as_boxes(text: str) -> bool:
    """Whether ``text`` holds a character no installed font draws (:func:`missing_glyphs`): a PNG shows it as a
    box with its code, taller than a line of text.

    >>> drawn_as_boxes("Check in")
    False
    """
    return not text.isascii() and bool(missing_glyphs(text))


def describe_missing(chars: Sequence[str], fmt: str) -> str:
    """The note for characters a PNG or PDF draws as boxes.

    >>> print(describe_missing(["☕"], "png"))
    no font on this machine draws ☕ (U+2615): the PNG shows it as a box with its code; install a font that has it (Debian: fonts-noto-color-emoji for emoji, fonts-noto-cjk for Chinese, Japanese and Korean), or save as SVG, which the viewer's fonts draw
    """
    named = " ".join(chars[:SHOWN]) + (f" and {len(chars) - SHOWN} more" if len(chars) > SHOWN else "")
    codes = ", ".join(f"U+{ord(c):04X}" for c in chars[:SHOWN])
    one = len(chars) == 1
    it = "it" if one else "them"
    shown = "it as a box with its code" if one else "them as boxes with their codes"
    return (f"no font on this machine draws {named} ({codes}): the {fmt.upper()} shows {shown}; "
            f"install a font that has {it} (Debian: fonts-noto-color-emoji for emoji, fonts-noto-cjk for Chinese, "
            "Japanese and Korean), or save as SVG, which the viewer's fonts draw")
