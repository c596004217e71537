"""The store's name for the one barcode scheme (see `hudang.common.barcodes`).

The scheme is vocabulary that the rules (barcodes.yaml) configure and every room parses
with, so it lives in the common leaf; the installed default scheme is held there too.
"""

from __future__ import annotations

from hudang.common.barcodes import (  # noqa: F401  (re-exported for the store's modules)
    ALPHABET,
    DEFAULT_PREFIXES,
    KIND_NAMES,
    KIND_NAMES_EN,
    KINDS,
    BarcodeScheme,
    Scan,
    check_char,
    compile_linear,
    default_scheme,
    kind_name,
    normalise_scan,
    set_default_scheme,
)
