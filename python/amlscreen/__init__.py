"""amlscreen: AML/KYT transaction screening (the Rust engine, from Python).

    >>> from amlscreen import Screener
    >>> s = Screener("amlscreen.yaml")
    >>> s.screen({"id": "tx-1", ...})["action"]
    'allow'
"""

from ._amlscreen import ENGINE_VERSION, AmlscreenError, Screener

__all__ = ["Screener", "AmlscreenError", "ENGINE_VERSION"]
