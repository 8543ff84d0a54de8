"""The Flask side of the app: authentication, request context, translations, CLI."""
