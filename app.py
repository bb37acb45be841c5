"""Entry point: `flask --app app run`, `gunicorn app:app`."""
from caregiver import create_app

app = create_app()
