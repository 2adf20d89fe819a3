"""The Flask extension objects, created unbound; create_app() binds them."""

from typing import Any

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.dialects import postgresql, sqlite

from huddles.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Sign-in attempts per client address; RATELIMIT_STORAGE_URI shares the counts between workers.
limiter = Limiter(key_func=get_remote_address)
mail = Mail()


def commit_keeping_loaded() -> None:
    """Commit, keeping what the session holds as it was loaded or just written.

    A plain commit expires every object, and touching one again afterwards (to answer with what
    was written, or the signed-in person) costs a statement each. Use it where the answer is
    built from this request's own writes and reads: it is no staler than before the commit.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def upsert(table: Any) -> Any:
    """INSERT for the session's dialect, with ON CONFLICT support (SQLite or PostgreSQL)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
