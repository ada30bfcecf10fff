"""Cadre views, one module per area: the roster (with import/export and the overview), activity."""
