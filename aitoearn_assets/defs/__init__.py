"""Dagster definitions: resources, assets, checks, schedules."""
