"""Exports of the case list, the cadre roster and training attendance, as CSV or XLSX.

One module per concern: which records an export holds (``queries``), what a row says
(``rows``), how a file is written (``writers``), the file as a whole (``build``), the
background job for large exports (``jobs``) and starting an export with its audit row
(``services``). Who may export what is decided by the access policy and
``reports.selectors.export_kinds_for``.
"""
