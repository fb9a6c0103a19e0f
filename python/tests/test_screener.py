"""The Python package over the sample watchlist and the default rules
(issue 19): decisions as dicts, errors as AmlscreenError with the same kinds
as the CLI and the service, batches with bad entries in place, name
matching, reloads that keep the engine on failure, and the GIL released
while screening."""

import datetime
import pathlib
import shutil
import threading

import pytest

import amlscreen
from amlscreen import AmlscreenError, Screener

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture()
def config(tmp_path):
    shutil.copy(REPO / "sanctions" / "sample_watchlist.csv", tmp_path / "watchlist.csv")
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    path = tmp_path / "amlscreen.yaml"
    path.write_text(
        "lists:\n  - source: watchlist\n    path: watchlist.csv\n"
        f"rules: {tmp_path / 'rules'}\n"
        "list_guard:\n  history: history.json\n"
        "audit:\n  path: audit/audit.jsonl\n  fsync: os\n"
        "store:\n  path: cases.db\n"
    )
    return path


def tx(tid, customer="c-1", name="Olena Kovalenko", **extra):
    out = {
        "id": tid,
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "customer_id": customer,
        "direction": "outgoing",
        "amount": "100",
        "currency": "USDT",
        "value": "100",
        "beneficiary": {"name": name, "kind": "person"},
    }
    out.update(extra)
    return out


def test_decisions_are_dicts(config):
    s = Screener(str(config))
    d = s.screen(tx("t-1"))
    assert d["action"] == "allow" and d["risk"] == "low" and d["reasons"] == []
    held = s.screen(tx("t-2", name="Vladimir Putin"))
    assert held["action"] == "hold"
    assert held["case"] >= 1
    reason = held["reasons"][0]
    assert reason["kind"] == "sanctions_name"
    assert reason["matched"]["entity_id"] == "wl:ofac-35096"
    # JSON text is taken too
    import json

    assert s.screen(json.dumps(tx("t-3")))["action"] == "allow"
    assert s.version == held["version"]
    assert amlscreen.ENGINE_VERSION


def test_errors_have_the_library_kinds(config):
    s = Screener(config)
    with pytest.raises(AmlscreenError) as e:
        s.screen(tx("e-1", amount="ten"))
    assert (e.value.kind, e.value.field) == ("json", "amount")
    with pytest.raises(AmlscreenError) as e:
        s.screen(tx("e-2", beneficiary={"name": "X", "kind": "person", "country": "Atlantis"}))
    assert (e.value.kind, e.value.field) == ("invalid_transaction", "beneficiary.country")
    s.screen(tx("e-3"))
    with pytest.raises(AmlscreenError) as e:
        s.screen(tx("e-3", amount="999", value="999"))
    assert (e.value.kind, e.value.field) == ("reused_id", "id")
    with pytest.raises(AmlscreenError) as e:
        s.screen(["not", "a", "dict"])
    assert e.value.kind == "json"
    with pytest.raises(AmlscreenError) as e:
        s.screen(tx("e-4", amount=float("nan")))
    assert e.value.kind == "json"
    with pytest.raises(AmlscreenError) as e:
        Screener(config.parent / "missing.yaml")
    assert e.value.kind == "config"


def test_batch_keeps_bad_entries_in_their_place(config):
    s = Screener(config)
    out = s.screen_batch([tx("b-1"), {"id": 7}, "{not json", tx("b-2", name="Vladimir Putin"), tx("b-3")])
    assert len(out) == 5
    assert out[0]["transaction_id"] == "b-1"
    assert out[1]["index"] == 1 and out[1]["error"]["kind"] == "json" and out[1]["error"]["field"] == "id"
    assert out[2]["index"] == 2 and out[2]["error"]["kind"] == "json"
    assert out[3]["action"] == "hold"
    assert out[4]["transaction_id"] == "b-3"


def test_match_names_in_any_script(config):
    s = Screener(config)
    hits = s.match("Путин Владимир Владимирович", kind="person")
    assert hits[0]["entity_id"] == "wl:ofac-35096"
    assert "PUTIN" in hits[0]["printed"]
    assert s.match("Olena Kovalenko") == []
    with pytest.raises(AmlscreenError) as e:
        s.match("x", kind="vessel")
    assert e.value.field == "kind"


def test_a_failed_reload_keeps_the_engine(config):
    s = Screener(config)
    before = s.version
    assert s.reload() == before
    (config.parent / "rules" / "broken.yaml").write_text("rules:\n  - id: [unclosed\n")
    with pytest.raises(AmlscreenError) as e:
        s.reload()
    assert e.value.kind in ("rules", "config")
    assert s.version == before
    assert s.screen(tx("r-1"))["action"] == "allow"


def test_the_gil_is_released_while_screening(config):
    s = Screener(config)
    batch = [tx(f"g-{i}", customer=f"c-{i % 97}") for i in range(4000)]
    done = threading.Event()
    ticks = 0

    def work():
        s.screen_batch(batch)
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    # while the batch screens, this thread keeps running Python
    while not done.is_set():
        ticks += 1
    worker.join()
    assert ticks > 10_000, ticks
