"""Renderers: template + context → file. One module per output format."""
