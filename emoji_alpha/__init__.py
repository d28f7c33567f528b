"""emoji-alpha: enlarge emoji glyphs with LIIF and recover a true alpha channel.

The package reads as the pipeline: fonts -> composite -> liif -> solve -> batch -> report.
Heavy modules (torch, numba) are imported where they are used, so importing this package
and running ``emoji-alpha --help`` stay instant.
"""

__version__ = "0.1.0"
