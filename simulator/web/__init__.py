"""The web surface of Centralino: Flask blueprints, templates, storage and the attempt service.

Only this package (and ``app.py``) may import Flask or SQLAlchemy; the domain stays pure.
"""
