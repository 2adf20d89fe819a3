"""Entry point for `flask` and gunicorn: `gunicorn app:app`."""

from huddles import create_app

app = create_app()
