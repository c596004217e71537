"""The hot-folder daemon: watch, settle, claim, read barcodes, link, and file scans once."""
