"""Training views."""
