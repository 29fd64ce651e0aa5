"""Dagster asset checks."""
