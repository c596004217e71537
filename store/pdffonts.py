"""The one CJK TrueType font every PDF of the product uses, found once and subset-embedded.

reportlab's built-in `STSong-Light` is a CID font that is never embedded: poppler (Linux
viewers, CUPS printing) draws its Chinese as blank. A real TrueType font registered as a
`TTFont` is embedded as a subset of the glyphs a document uses, so every viewer and printer
shows the same text. `make bootstrap` installs `fonts-wqy-microhei`; `HUDANG_PDF_FONT`
(a .ttf/.ttc path, optionally `path#index` for a collection) overrides the search.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

from hudang.store.errors import NotConfigured
from hudang.store.i18n import t

FONT_NAME = "HudangCJK"
ENV_VAR = "HUDANG_PDF_FONT"

# Looked for in this order; (path, sub-font index of a .ttc collection).
CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/local/share/fonts/wqy-microhei.ttc", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
)

_lock = threading.Lock()
_registered: dict[str, str] = {}


def _parse(spec: str) -> tuple[str, int]:
    """`path` or `path#index` (a font inside a .ttc collection)."""
    path, _, index = spec.partition("#")
    return path, int(index) if index.isdigit() else 0


def find_font() -> tuple[str, int]:
    """The font file to use: the HUDANG_PDF_FONT override, else the first installed candidate."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        path, index = _parse(override)
        if not Path(path).is_file():
            raise NotConfigured(t("{v} 指向的字体文件不存在：{p}",
                                  "{v} names a font file that does not exist: {p}",
                                  v=ENV_VAR, p=path))
        return path, index
    for path, index in CANDIDATES:
        if Path(path).is_file() and _covers(path, index):
            return path, index
    raise NotConfigured(t("找不到中文 TrueType 字体：请运行 make bootstrap（安装 fonts-wqy-microhei），"
                          "或用 {v} 指定 .ttf/.ttc 文件",
                          "no Chinese TrueType font found: run make bootstrap (installs "
                          "fonts-wqy-microhei) or point {v} at a .ttf/.ttc file", v=ENV_VAR))


_NEEDED = "0123456789ABCXYZabcxyz号档案"  # labels print digits and Latin beside Chinese


@functools.lru_cache(maxsize=None)
def _covers(path: str, index: int) -> bool:
    """Whether the font has glyphs for digits, Latin letters and Chinese.

    Droid Sans Fallback, present on many machines, has Chinese but no ASCII at all: a label
    set in it shows "号库房" where "1号库房" was meant, so it is passed over.
    """
    from reportlab.pdfbase.ttfonts import TTFError, TTFontFile

    try:
        cmap = TTFontFile(path, subfontIndex=index).charToGlyph
    except (TTFError, OSError, ValueError):
        return False
    return all(ord(ch) in cmap for ch in _NEEDED)


def cjk_font() -> str:
    """Register the CJK font with reportlab (once per process) and return its font name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    path, index = find_font()
    key = f"{path}#{index}"
    with _lock:
        name = _registered.get(key)
        if name is None:
            name = FONT_NAME if not _registered else f"{FONT_NAME}{len(_registered)}"
            try:
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
            except (TTFError, OSError) as exc:
                raise NotConfigured(t("字体文件无法使用：{p}（{e}）", "unusable font file {p} ({e})",
                                      p=path, e=exc)) from exc
            _registered[key] = name
    return name


def new_canvas(out, pagesize, title: str = ""):
    """A reportlab canvas whose every font (even the initial one) is the embedded CJK font."""
    from reportlab.pdfgen import canvas

    font = cjk_font()
    c = canvas.Canvas(out, pagesize=pagesize, initialFontName=font, initialFontSize=10)
    if title:
        c.setTitle(title)
    return c


def use_in_drawing(drawing):
    """Make a reportlab Drawing start in the CJK font (its default would be Helvetica)."""
    drawing.initialFontName = cjk_font()
    return drawing


def table_font() -> tuple:
    """A platypus TableStyle command that keeps a Table's cells off its Helvetica default."""
    return ("FONTNAME", (0, 0), (-1, -1), cjk_font())
