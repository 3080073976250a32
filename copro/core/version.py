"""copro's version, in the lowest layer so every cache stamp can read it without
importing the package's public facade (``copro/__init__.py``)."""

VERSION = "0.1.0"
