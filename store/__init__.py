"""The archive: Peewee models, schema migrations and the services that read and change it."""

from hudang.store import library_setup

# Before any module of the store imports sqlite3 (Peewee does) or NumPy (the search index).
library_setup.configure()
library_setup.single_threaded_blas()
