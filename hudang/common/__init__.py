"""The vocabulary every room speaks, and nothing else: a leaf that imports no room.

`store`, `rules`, `scanners` and `tui` may all import from here; nothing here imports
them (an import-linter contract in pyproject.toml checks it):
- `i18n`: bilingual text (Simplified Chinese by default, English by setting);
- `domain`: categories, voltage classes, statuses, roles, location levels;
- `errors`: `ArchiveError`, the base of every error a user can cause;
- `barcodes`: the one barcode scheme (prefix, body, ISO 7064 MOD 37,36 check character).
"""
