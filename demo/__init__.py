"""Runnable demos of tb-mesh-plugin."""
