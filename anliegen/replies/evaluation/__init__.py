"""Measurements of Anliegen's language detection and suggested replies on labelled data."""
