"""A server's icon in its snapshot: only small valid PNGs kept, one bytes object per server."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.query import QueryResult
from bot.rendering.views import ServerView
from bot.services.status.player_names import PollContext
from bot.services.status.status_source import AdapterStatusSource
from bot.snapshots import (
    MAX_ICON_BYTES,
    Hysteresis,
    ServerInfo,
    Snapshot,
    State,
    Target,
    bounded,
    valid_icon,
)
from bot.storage import Server
from tests.cogs.status_world import make_png

INFO = ServerInfo("n", "m", 1, 10, 0, False, True, "1", "g", 5.0)
ICON = make_png(64, 64, shade=3)


def with_icon(icon: bytes | None) -> ServerInfo:
    return replace(INFO, icon=icon)


def test_a_valid_png_is_kept_as_is() -> None:
    info = with_icon(ICON)
    assert bounded(info) is info  # within bounds: not even copied
    assert valid_icon(make_png(96, 96)) and valid_icon(make_png(1, 1))


def test_oversized_non_png_and_implausible_pictures_are_dropped() -> None:
    header_only = make_png(1, 1)
    cases = {
        "oversized": ICON + bytes(MAX_ICON_BYTES),
        "gif": b"GIF89a" + bytes(64),
        "jpeg": b"\xff\xd8\xff\xe0" + bytes(64),
        "signature only": b"\x89PNG\r\n\x1a\n",
        "no IHDR first": header_only[:12] + b"IDAT" + header_only[16:],
        "zero wide": header_only[:16] + bytes(4) + header_only[20:],
        "5000 pixels high": header_only[:20] + (5000).to_bytes(4, "big") + header_only[24:],
    }
    for name, icon in cases.items():
        assert not valid_icon(icon), name
        assert bounded(with_icon(icon)).icon is None, name
    # The rest of the answer stays.
    assert bounded(with_icon(cases["gif"])) == INFO


def test_icon_does_not_change_equality_or_repr() -> None:
    assert with_icon(ICON) == INFO == with_icon(make_png(shade=4))
    assert "PNG" not in repr(with_icon(ICON))


def test_snapshots_reuse_identical_icon_bytes_across_rounds() -> None:
    rule = Hysteresis()
    snap = Snapshot(Target.of("h", 1))
    # Every round the adapter decodes a new bytes object holding the same picture.
    snap = rule.success(snap, with_icon(bytes(bytearray(ICON))), 1.0)
    assert snap.info is not None and snap.info.icon == ICON
    kept = snap.info.icon
    for at in range(2, 6):
        fresh = bytes(bytearray(ICON))
        assert fresh is not kept
        snap = rule.success(snap, with_icon(fresh), float(at))
        assert snap.info is not None and snap.info.icon is kept
    # A failure keeps the last answer, icon included (the offline embed still shows it).
    down = rule.failure(rule.failure(snap, "x", 7.0), "x", 8.0)
    assert down.state is State.OFFLINE and down.info is not None and down.info.icon is kept
    # Another picture replaces it; no picture drops it.
    other = make_png(shade=5)
    snap = rule.success(snap, with_icon(other), 9.0)
    assert snap.info is not None and snap.info.icon == other and snap.info.icon is not kept
    snap = rule.success(snap, with_icon(None), 10.0)
    assert snap.info is not None and snap.info.icon is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64) | st.binary(max_size=40).map(lambda b: make_png(1, 1)[:16] + b))
def test_any_bytes_give_a_verdict_and_only_valid_icons_are_kept(data: bytes) -> None:
    kept = bounded(with_icon(data)).icon
    assert kept is None or (kept is data and valid_icon(kept))


def test_the_view_never_hands_out_an_unchecked_icon() -> None:
    # A ServerInfo built without bounded() (a test stub, a future path): still never sent.
    server = Server(1, 1, "S", "minecraft", "h", 1, 1, None, None, 1, "", "")
    for icon, shown in ((ICON, ICON), (b"GIF89a" + bytes(64), None), (None, None)):
        snap = Snapshot(Target.of("h", 1), State.ONLINE, with_icon(icon))
        assert ServerView(server, snap).icon == shown


class _IconAdapter:
    protocol = "minecraft"
    label = "stub"
    transport = "TCP"
    needs_password = False

    async def query(self, host: str, port: int, **_: object) -> QueryResult:
        return QueryResult(INFO, icon=ICON)

    def raw_fields(self, raw: object) -> Mapping[str, object]:
        return {}


class _Adapters:
    def adapter(self, protocol: str) -> _IconAdapter:
        return _IconAdapter()


async def test_status_source_carries_the_adapters_icon() -> None:
    target = Target.of("h", 1, "minecraft")
    source = AdapterStatusSource(_Adapters())  # type: ignore[arg-type]
    info = await source.fetch(target, PollContext(target), 1.0)
    assert info.icon is ICON and info == INFO
