"""Document types: one module per artifact, each registering itself with ``registry.register``."""
