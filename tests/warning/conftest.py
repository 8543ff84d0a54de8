"""The administration tests' world (areas, schools, the 2024-1 roster, users of every role and area) reused."""
from tests.admin.conftest import world  # noqa: F401 - fixture reuse
