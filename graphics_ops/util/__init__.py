"""Helpers shared by every op: argument and shape checks, NaN-free math, small vector algebra."""
