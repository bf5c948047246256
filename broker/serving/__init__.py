"""Serving the application: gunicorn in production (`broker serve`), Werkzeug in development."""
