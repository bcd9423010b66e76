"""Persistence: the SQLAlchemy models, the database handle and the Alembic migrations.

Imports no Flask; the practice layer and the surfaces use it, the domain never does.
"""
