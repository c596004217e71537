"""The reading-room desk: a Textual app for archive keepers."""
