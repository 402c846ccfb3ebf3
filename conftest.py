"""Root pytest configuration: fixtures shared by every test suite."""
from ckanext.spmd.testing import clean_db  # noqa: F401
