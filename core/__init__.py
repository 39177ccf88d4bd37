"""Shared helpers with no models and no knowledge of any app above them."""
