"""emoji-alpha: enlarge emoji glyphs with LIIF and recover a true alpha channel.

>>> import emoji_alpha
>>> big = emoji_alpha.enlarge("glyph.png", size=2000)   # a PIL image (RGBA for RGBA input)

The package reads as the pipeline: fonts -> composite -> liif -> solve -> batch -> report.
Heavy modules (numpy, torch, numba) are imported where they are used, so importing this
package and running ``emoji-alpha --help`` stay instant; ``enlarge`` loads them on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emoji_alpha.errors import EmojiAlphaError

if TYPE_CHECKING:
    from emoji_alpha.api import enlarge

__version__ = "0.1.0"
__all__ = ["EmojiAlphaError", "__version__", "enlarge"]


def __getattr__(name: str) -> Any:
    # Lazy: `import emoji_alpha` must not pull in numpy and Pillow for `--help`.
    if name == "enlarge":
        from emoji_alpha.api import enlarge

        return enlarge
    raise AttributeError(f"module 'emoji_alpha' has no attribute {name!r}")
