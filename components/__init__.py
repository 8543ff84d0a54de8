"""Pure builders of Dash component trees; no database access here."""
