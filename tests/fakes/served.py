"""``async with fake:`` for the network fakes: ``start()`` on entry, ``stop()`` on exit."""

from __future__ import annotations

from typing import Self


class Served:
    async def start(self) -> None:
        raise NotImplementedError  # pragma: no cover - every fake defines it

    async def stop(self) -> None:
        raise NotImplementedError  # pragma: no cover - every fake defines it

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
