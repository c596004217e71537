"""The base of every error a user can cause; rooms subclass it with their own codes."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of every error a user can cause; `str()` is the message to show."""

    code = "error"


class ValidationError(ArchiveError):
    """A value a user, a file or an administrator supplied cannot be used."""

    code = "invalid"


class BadCheckCharacter(ArchiveError):
    """A scanned or typed barcode whose check character does not match (a misread)."""

    code = "bad_check_character"
