"""Demo territory of the Métropole de Rivebelle (``ckan spmd demo load``)."""
