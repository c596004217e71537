"""The desk's door to scanned pages: opening (gated, audited), page images and PDF copies.

Kept apart from `tui.services.DeskServices` so the page viewer brings its own state (the
page-image cache) without widening that facade; one instance per app (`desk_pages`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PIL import Image

from hudang.store.audit import Actor
from hudang.store.services import pages
from hudang.tui.services import _in_worker


class DeskPages:
    """Page images from the scan store, cached for paging back and forth."""

    def __init__(self, scan_store: Path, output_dir: Path) -> None:
        self.images = pages.PageImages(scan_store)
        self.output_dir = Path(output_dir)

    @_in_worker
    def open(self, document_id: int, actor: Actor) -> pages.DocumentPages:
        """The document's pages, if `actor` may read them (audited for important customers)."""
        return pages.open_pages(document_id, actor)

    def image(self, ref: pages.PageRef, dpi: int = pages.SCREEN_DPI) -> Image.Image:
        """One page image (no database: the scan store and the cache only)."""
        return self.images.image(ref, dpi)

    @_in_worker
    def write_copy(self, doc: pages.DocumentPages, actor: Actor, when: dt.datetime) -> Path:
        """Write the document's pages to a PDF under the output directory's `copies/`."""
        name = f"{doc.customer_number}-{doc.barcode or doc.document_id}-{when:%Y%m%d-%H%M%S}.pdf"
        return pages.export_copy(self.images, doc.document_id, actor,
                                 self.output_dir / "copies" / name)


def desk_pages(app) -> DeskPages:
    """The app's one `DeskPages` (made on first use from its settings)."""
    found = getattr(app, "_desk_pages", None)
    if found is None:
        found = app._desk_pages = DeskPages(app.settings.scan_store, Path(app.settings.home))
    return found
