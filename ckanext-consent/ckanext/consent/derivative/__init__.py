"""Anonymised open derivative of personal-data datasets.

``aggregation`` is pure domain logic (pandas + shapely, no CKAN import);
``jobs`` debounces and runs the regeneration through CKAN's jobs API;
``publish`` reads the stored rows and replaces the open aggregate.
"""
