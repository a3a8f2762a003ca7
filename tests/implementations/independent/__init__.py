"""Implementations written from the release notebooks alone, by authors who saw neither source/, solutions/ nor graders/ (tests/independent.py says the format)."""
