"""Quart blueprints: thin handlers over live/."""
