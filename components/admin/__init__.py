"""Views of the administration pages (pure builders from domain.admin.views)."""
