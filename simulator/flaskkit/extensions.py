"""Flask extensions, created unbound and initialised by ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
# Memory storage suits one host; several hosts share limits through
# CENTRALINO_RATELIMIT_STORAGE_URI=redis://host:6379 (needs the ``redis`` package).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
