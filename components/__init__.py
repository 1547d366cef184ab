"""Reusable Dash pieces, each a function of plain data."""
