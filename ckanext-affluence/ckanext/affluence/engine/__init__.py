"""Crowding-forecast engine of ckanext-affluence: pure Python, no CKAN.

Import the public API from :mod:`ckanext.affluence.engine.api`.
"""
