"""Report views, one module per area: the dashboard, the SIMFONI-style recap, exports."""
