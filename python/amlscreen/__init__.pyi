from os import PathLike
from typing import Any, Dict, List, Optional, Union

ENGINE_VERSION: str

class AmlscreenError(Exception):
    """An engine error. `kind` is stable: json, invalid_transaction,
    reused_id, config, list, rules, audit, store, state, list_cache,
    refused, invalid_request."""

    kind: str
    field: Optional[str]
    line: Optional[int]
    column: Optional[int]
    message: str

Decision = Dict[str, Any]
"""A decision: transaction_id, risk (low/medium/high), action
(allow/hold/block), score, reasons, version, case?, summary."""

class Screener:
    """The engine built from a config file, with its audit log and case
    store; customer history in memory."""

    def __init__(self, config_path: Union[str, PathLike[str]]) -> None: ...
    def screen(self, tx: Union[Dict[str, Any], str, bytes]) -> Decision:
        """Screens one transaction. Raises AmlscreenError."""
    def screen_batch(self, txs: List[Union[Dict[str, Any], str, bytes]]) -> List[Dict[str, Any]]:
        """One entry per transaction, in order: a decision, or
        {"index", "transaction_id"?, "error": {"kind", "message", "field"?}}."""
    def match(
        self,
        name: str,
        *,
        kind: Optional[str] = None,
        birth_date: Optional[str] = None,
        country: Optional[str] = None,
        threshold: Optional[float] = None,
        limit: int = 10,
    ) -> List[Dict[str, Any]]:
        """Hits at or above threshold, best first."""
    def reload(self) -> str:
        """Reloads lists and rules; the engine id in force. Raises
        AmlscreenError (the engine in force stays)."""
    @property
    def version(self) -> str: ...
    def flush(self) -> None:
        """Flushes the audit log."""

__all__: List[str]
