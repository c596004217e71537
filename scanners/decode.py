"""Barcode decoding behind a small interface: pyzbar by default, zxing-cpp where installed."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol

from PIL import Image

from hudang.store.barcodes import BarcodeScheme


@dataclass(frozen=True)
class Barcode:
    """One barcode found on a page; `rect` is (x, y, w, h) as fractions of the page size."""

    value: str
    symbology: str
    page: int
    rect: tuple[float, float, float, float]
    suspect: str = ""  # why the value failed its check (then nothing is filed by it)

    def as_dict(self) -> dict:
        out = asdict(self)
        if not self.suspect:
            out.pop("suspect")
        return out


class Decoder(Protocol):
    """Anything that finds barcodes of the given symbologies in a greyscale image."""

    name: str

    def decode(self, image: Image.Image, symbologies: tuple[str, ...]
               ) -> list[tuple[str, str, tuple[int, int, int, int]]]:
        """Return (value, symbology, (left, top, width, height) in image pixels)."""
        ...


_PYZBAR_NAMES = {"code128": "CODE128", "qrcode": "QRCODE", "code39": "CODE39",
                 "code93": "CODE93", "ean13": "EAN13", "ean8": "EAN8", "i25": "I25",
                 "pdf417": "PDF417", "codabar": "CODABAR", "upca": "UPCA", "upce": "UPCE",
                 "databar": "DATABAR"}


class PyzbarDecoder:
    """zbar through pyzbar, restricted to the configured symbologies."""

    name = "pyzbar"

    def __init__(self) -> None:
        from pyzbar import pyzbar

        self._pyzbar = pyzbar
        self._by_name = {k: pyzbar.ZBarSymbol[v] for k, v in _PYZBAR_NAMES.items()}
        self._back = {v: k for k, v in _PYZBAR_NAMES.items()}

    def decode(self, image, symbologies):
        symbols = [self._by_name[s] for s in symbologies if s in self._by_name]
        found = []
        for r in self._pyzbar.decode(image, symbols=symbols or None):
            value = r.data.decode("utf-8", "replace")
            sym = self._back.get(r.type, r.type.lower())
            found.append((value, sym, (r.rect.left, r.rect.top, r.rect.width, r.rect.height)))
        return found


_ZXING_NAMES = {"code128": "Code128", "qrcode": "QRCode", "code39": "Code39",
                "code93": "Code93", "ean13": "EAN13", "ean8": "EAN8", "i25": "ITF",
                "pdf417": "PDF417", "codabar": "Codabar", "upca": "UPCA", "upce": "UPCE",
                "databar": "DataBar"}


class ZxingDecoder:
    """zxing-cpp (optional package `zxing-cpp`), the faster backend a site can switch on."""

    name = "zxing"

    def __init__(self) -> None:
        import zxingcpp  # ImportError when the optional package is absent

        self._z = zxingcpp
        self._back = {v.lower(): k for k, v in _ZXING_NAMES.items()}

    def _formats(self, symbologies):
        found = [getattr(self._z.BarcodeFormat, _ZXING_NAMES.get(s, ""), None)
                 for s in symbologies]
        return tuple(f for f in found if f is not None) or None

    def _read(self, image, formats):
        if formats is None:
            return self._z.read_barcodes(image)
        try:  # zxing-cpp 3 takes a sequence of formats
            return self._z.read_barcodes(image, formats=formats)
        except TypeError:  # zxing-cpp 2 takes them or-ed together
            combined = formats[0]
            for f in formats[1:]:
                combined = combined | f
            return self._z.read_barcodes(image, formats=combined)

    def decode(self, image, symbologies):
        found = []
        for r in self._read(image, self._formats(symbologies)):
            pos = r.position
            xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
            ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
            fmt_name = str(r.format).split(".")[-1].lower().replace(" ", "").replace("-", "")
            sym = self._back.get(fmt_name, fmt_name)
            found.append((r.text, sym, (min(xs), min(ys), max(xs) - min(xs) or 1,
                                        max(ys) - min(ys) or 1)))
        return found


def optional_zxing() -> Decoder | None:
    """zxing-cpp when it is installed (a second opinion on suspect values), else None."""
    try:
        return ZxingDecoder()
    except ImportError:
        return None


def make_decoder(name: str = "pyzbar") -> Decoder:
    """The decoder called `name`; 'zxing' needs the optional zxing-cpp package."""
    if name == "zxing":
        try:
            return ZxingDecoder()
        except ImportError:
            raise RuntimeError("decoder 'zxing' needs the optional package zxing-cpp "
                               "(pip install zxing-cpp)") from None
    if name != "pyzbar":
        raise ValueError(f"unknown decoder {name!r}")
    return PyzbarDecoder()


def _to_fractions(rect, scale: float, size: tuple[int, int]) -> tuple[float, float, float, float]:
    w, h = size
    x, y, rw, rh = (v / scale for v in rect)
    return (round(x / w, 4), round(y / h, 4), round(rw / w, 4), round(rh / h, 4))


def decode_page(decoder: Decoder, image: Image.Image, page: int, dpi: float,
                symbologies: tuple[str, ...], *, min_coarse_dpi: float = 150) -> list[Barcode]:
    """Coarse to fine: a half-size pass where the bars stay >= 2 px, full size if it found none."""
    if image.mode not in ("L", "1"):
        image = image.convert("L")
    elif image.mode == "1":
        image = image.convert("L")
    results = []
    scale = 1.0
    if dpi / 2 >= min_coarse_dpi:
        scale = 0.5
        small = image.resize((max(1, image.width // 2), max(1, image.height // 2)),
                             Image.Resampling.BOX)
        results = decoder.decode(small, symbologies)
    if not results:
        scale = 1.0
        results = decoder.decode(image, symbologies)
    seen: set[tuple[str, str]] = set()
    out = []
    for value, sym, rect in results:
        key = (value, sym)
        if key in seen:
            continue
        seen.add(key)
        out.append(Barcode(value, sym, page, _to_fractions(rect, scale, image.size)))
    return out


# Linear symbologies without a check the decoder enforces: a short read passes zbar as valid.
UNCHECKED_SYMBOLOGIES = {"code128", "code39", "code93", "i25", "codabar"}


def value_problem(value: str, symbology: str, scheme: BarcodeScheme) -> str:
    """Why a decoded value cannot be trusted ("" when it can).

    Our own labels carry a check character; customer numbers have a pattern. A linear symbol
    that reads as digits but not as a customer number is most likely a short read of one
    (zbar read a ten-digit Code 128 as eight digits), as is a separator naming a customer
    number of the wrong shape.
    """
    from hudang.store.barcodes import normalise_scan
    from hudang.store.errors import BadCheckCharacter

    try:
        scan = scheme.parse(value)
    except BadCheckCharacter:
        return "bad check character"
    if scan.kind != "keyword" or symbology not in UNCHECKED_SYMBOLOGIES:
        return ""
    code = normalise_scan(value)
    if code.isascii() and code.isdigit():
        return "digits that do not match the customer-number pattern"
    if code.startswith("HDS-"):
        customer = code.split("-")[1]
        if customer and customer.isdigit() and scheme.parse(customer).kind != "customer":
            return "separator with a malformed customer number"
    return ""


def checked(decoder: Decoder, image: Image.Image, codes: list[Barcode], dpi: float,
            symbologies: tuple[str, ...], scheme: BarcodeScheme,
            second: Decoder | None = None) -> list[Barcode]:
    """`codes` with every suspect value re-read; what stays suspect is marked, never trusted.

    A re-read looks again at other scales with the same decoder and, where installed, with a
    second decoder (zxing-cpp); a valid value found there replaces the suspect one.
    """
    bad = [c for c in codes if value_problem(c.value, c.symbology, scheme)]
    if not bad:
        return codes
    good = [c for c in codes if c not in bad]
    known = {(c.value, c.symbology) for c in good}
    page = codes[0].page
    for attempt in _rereads(decoder, image, dpi, symbologies, page, second):
        for c in attempt:
            if (c.value, c.symbology) not in known and \
                    not value_problem(c.value, c.symbology, scheme):
                known.add((c.value, c.symbology))
                good.append(c)
        bad = [b for b in bad if not any(_overlaps(b.rect, g.rect) for g in good)]
        if not bad:
            break
    return good + [Barcode(b.value, b.symbology, b.page, b.rect,
                           value_problem(b.value, b.symbology, scheme)) for b in bad]


def _rereads(decoder: Decoder, image: Image.Image, dpi: float, symbologies: tuple[str, ...],
             page: int, second: Decoder | None):
    """Other looks at the page: full size, 3/4 size, 1.5x, then the second decoder."""
    for scale in (1.0, 0.75, 1.5):
        img = image if scale == 1.0 else image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
            Image.Resampling.BOX if scale < 1 else Image.Resampling.BICUBIC)
        yield _found(decoder.decode(img, symbologies), page, scale, image.size)
    if second is not None:
        yield _found(second.decode(image, symbologies), page, 1.0, image.size)


def _found(results, page: int, scale: float, size: tuple[int, int]) -> list[Barcode]:
    return [Barcode(v, sym, page, _to_fractions(rect, scale, size)) for v, sym, rect in results]


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """True when two fractional rectangles share area (the same symbol read twice)."""
    pad = 0.01  # a linear symbol's rectangle can be a few pixels high
    ax, ay, aw, ah = a[0] - pad, a[1] - pad, a[2] + 2 * pad, a[3] + 2 * pad
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
