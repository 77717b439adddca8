"""End to end: two guilds register the same DayZ address; BattlEye names fetched with one
guild's credentials are shown to that guild only (fake Discord, fake A2S, fake BattlEye)."""

from __future__ import annotations

from pathlib import Path

from bot.storage import NewServer
from tests.cogs.status_world import add_dayz, answered, dayz_fakes, make_world
from tests.fakes.discord import FakeDiscord, run_bot


def _fields(embed: dict[str, object]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}  # type: ignore[attr-defined]


async def test_names_fetched_with_one_guilds_password_are_not_shown_to_another(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    other = fake_discord.add_guild("Beta")
    outsider = other.add_member("eve")
    guessed = fake_discord.add_guild("Gamma")
    guesser = guessed.add_member("mal")
    async with dayz_fakes("Survivor") as (a2s, be), run_bot(w.fake, w.bot()) as bot:
        host, port = a2s.address
        # The owner (right password), a tenant without RCON, a tenant with a wrong password.
        await add_dayz(bot, w.guild_id, "Chernarus", a2s, be, w.admin)
        await bot.services.store.servers.add(
            NewServer(other.id, "Copycat", "dayz", host, 2302, port, None, None, outsider)
        )
        await add_dayz(bot, guessed.id, "Guess", a2s, be, guesser, password="wrong")
        await bot.services.poller.run_round()
        own = (await w.as_member("status", {"server": "Chernarus"})).embeds[0]
        copy = (
            await answered(await w.fake.slash(other.id, outsider, "status", {"server": "Copycat"}))
        ).embeds[0]
        guess = (
            await answered(await w.fake.slash(guessed.id, guesser, "status", {"server": "Guess"}))
        ).embeds[0]
    assert _fields(own)["Players (2)"] == "**Bambi**\n**Survivor**"
    for embed in (copy, guess):
        assert "Survivor" not in str(embed) and "Bambi" not in str(embed)
    assert be.refused_logins >= 1  # the wrong password was tried for its own guild only
