"""The archive: Peewee models, schema migrations and the services that read and change it."""
