"""Domain errors: things a user can cause, each with a message fit for the screen."""

from __future__ import annotations

# Re-exported: the base error and the two the common barcode scheme raises.
from hudang.common.errors import ArchiveError, BadCheckCharacter, ValidationError  # noqa: F401



class NotConfigured(ArchiveError):
    code = "not_configured"


class SchemaTooNew(ArchiveError):
    code = "schema_too_new"


class SchemaTooOld(ArchiveError):
    code = "schema_too_old"


class UnknownBarcode(ArchiveError):
    code = "unknown_barcode"


class NotFound(ArchiveError):
    code = "not_found"


class AlreadyExists(ArchiveError):
    code = "exists"


class PositionFull(ArchiveError):
    code = "position_full"


class WrongZone(ArchiveError):
    code = "wrong_zone"


class AlreadyShelved(ArchiveError):
    """The box already has a home elsewhere; the caller may offer to move it."""

    code = "already_shelved"

    def __init__(self, message: str, current_code: str | None = None):
        super().__init__(message)
        self.current_code = current_code


class NotOnShelf(ArchiveError):
    code = "not_on_shelf"


class PermissionDenied(ArchiveError):
    code = "permission_denied"


class AuthenticationFailed(ArchiveError):
    code = "auth_failed"


class ImportFailed(ArchiveError):
    """A CSV import was rejected; `problems` lists (row number, message)."""

    code = "import_failed"

    def __init__(self, message: str, problems: list[tuple[int, str]]):
        super().__init__(message)
        self.problems = problems


class ChangedByOthers(ValidationError):
    """A versioned update lost a race: someone else changed the record since it was read."""


class NoArchive(NotConfigured):
    """There is no archive where the settings point (a mistyped HUDANG_HOME, or no init yet)."""

    code = "no_archive"


class DatabaseUnusable(ArchiveError):
    """The database file is damaged, not a database, or not writable by this user."""

    code = "database_unusable"


class AlreadyImported(AlreadyExists):
    """This very file (same SHA-256) was imported before; importing it again changes nothing."""

    code = "already_imported"
