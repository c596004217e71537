"""Every PDF the product writes embeds its fonts: a subset of one real CJK TrueType font."""

from __future__ import annotations

import os
import re

import pytest

from hudang.store import pdffonts
from hudang.store.errors import NotConfigured
from hudang.store.services import labels

_FONT_RE = re.compile(rb"/BaseFont\s*/([A-Za-z0-9+#_-]+)")


def font_report(data: bytes) -> tuple[set[str], int]:
    """The BaseFont names a PDF uses and how many embedded TrueType font programs it carries."""
    return {m.decode() for m in _FONT_RE.findall(data)}, data.count(b"/FontFile2")


def assert_fonts_embedded(data: bytes) -> None:
    """Every font is a subset (`ABCDEF+Name`) with a FontFile2 program; no base-14 or CID font."""
    names, programs = font_report(data)
    assert names, "no fonts found"
    for name in names:
        assert re.fullmatch(r"[A-Z]{6}\+.+", name), f"font {name} is not an embedded subset"
    assert programs >= len(names)
    assert b"STSong" not in data and b"Helvetica" not in data and b"Courier" not in data


def test_label_sheet_embeds_a_cjk_subset():
    data = labels.render_pdf([labels.Label("B000000017", "档案盒 高压 · 1号库房", ["张三 李四"])])
    assert_fonts_embedded(data)


def test_roll_labels_embed_too():
    layout = labels.LabelLayout("roll", roll_size="100x50")
    assert_fonts_embedded(labels.render_pdf([labels.Label("B000000017", "档案盒", [])],
                                            layout=layout))


def test_missing_override_font_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv(pdffonts.ENV_VAR, str(tmp_path / "nope.ttf"))
    with pytest.raises(NotConfigured, match="nope.ttf"):
        pdffonts.find_font()


def test_coversheets_embed_their_font(tmp_path):
    from hudang.scanners.coversheet import CoverSheet, make_coversheets

    path = make_coversheets(tmp_path / "c.pdf", [CoverSheet("3300000001", "YK", "张三")])
    assert_fonts_embedded(path.read_bytes())


def test_the_chosen_font_prints_digits_and_latin_beside_chinese():
    from reportlab.pdfbase.ttfonts import TTFontFile

    path, index = pdffonts.find_font()
    cmap = TTFontFile(path, subfontIndex=index).charToGlyph
    assert all(ord(ch) in cmap for ch in "0123456789ABCabc号")


def test_a_chinese_font_without_latin_is_passed_over():
    droid = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
    if not os.path.isfile(droid):
        pytest.skip("Droid Sans Fallback is not installed here")
    assert not pdffonts._covers(droid, 0)  # Chinese only: "1号库房" would print as "号库房"
