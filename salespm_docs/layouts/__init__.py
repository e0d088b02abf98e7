"""One layout per document (``<code>.py`` defines ``LAYOUT``): the only description of what the
document shows and in which order. ``salespm templates`` generates the Word and HTML templates
from these; see ``salespm_docs/layout``."""
