"""Elternlotse: parents reach the youth office's Kita-Sozialarbeit through a messenger, in their own language."""

__version__ = "0.1.0"
