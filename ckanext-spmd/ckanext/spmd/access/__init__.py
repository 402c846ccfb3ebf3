"""Access classes: masking of non-open data, access requests and grants."""
