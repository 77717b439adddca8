"""Population pings end to end: one ping per crossing through the fake Discord, nothing while
the count stays up, again only past the band and the cooldown; the self-service panel gives
and takes the role, and never any other role."""

from __future__ import annotations

from pathlib import Path

from tests.cogs.status_world import answered, make_world, register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec
from tests.fakes.discord import FakeDiscord, run_bot


async def test_one_ping_per_crossing_and_the_role_panel(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    guild = w.fake.guild(w.guild_id)
    pings = guild.add_channel("pings")
    players = guild.add_role("Players")
    guild.roles[guild.bot_role_id].position = 100  # the bot's role above the ping role
    guild.set_bot_permissions(guild.permissions(w.fake.bot_user_id) | (1 << 28))  # Manage Roles
    async with (
        FakeA2SServer(info=InfoSpec(player_count=5, max_players=32)) as server,
        run_bot(w.fake, w.bot()) as bot,
    ):
        await register(bot, w.guild_id, "Main", server)
        poller, notifier = bot.services.poller, bot.services.population

        async def round_with(count: int) -> None:
            server.info.player_count = count
            await poller.run_round()
            await notifier.wait_idle()

        set_up = await w.as_admin(
            "notify population",
            {
                "server": "Main",
                "role": players,
                "above": 20,
                "channel": pings,
                "cooldown_minutes": 0,
            },
        )
        assert "once **Main** has ≥ 20 players" in (set_up.content or "")
        assert set_up.data.get("allowed_mentions", {}).get("parse") == []
        for count in (5, 21, 25, 19, 20, 17, 22):  # 19 and 20: inside the band (back at 18)
            await round_with(count)
        sent = [m for m in w.fake.channel_messages(pings) if m["content"]]
        assert [m["content"] for m in sent] == [
            f"<@&{players}> 📈 **Main** has **21/32** players: come and join!",
            f"<@&{players}> 📈 **Main** has **22/32** players: come and join!",
        ]
        assert all(m["pings"].roles == (players,) for m in sent)

        # Offline: no count, nothing crosses; back with a count past the threshold: no ping
        # (it never went back below the band).
        server.silent = True
        for _ in range(3):
            await poller.run_round()
        server.silent = False
        await round_with(30)
        await round_with(30)
        assert len([m for m in w.fake.channel_messages(pings) if m["content"]]) == 2

        # The panel: a member takes the role, and drops it again.
        refused = await w.as_admin("notify panel", {"channel": pings, "role": w.admin_role})
        assert "first" in (refused.content or "")
        await w.as_admin("notify panel", {"channel": pings, "role": players})
        (panel,) = [m for m in w.fake.channel_messages(pings) if m["embeds"]]
        custom_id = f"notify:role:{players}"
        click = await answered(await w.fake.click(panel, custom_id, w.member))
        reply = await click.wait_followup()
        assert "You will be pinged" in reply["content"]
        assert players in guild.member(w.member).roles
        again = await answered(await w.fake.click(panel, custom_id, w.member))
        assert "no longer" in (await again.wait_followup())["content"]
        assert players not in guild.member(w.member).roles
        listing = await w.as_admin("notify list")
        assert (
            f"**Main** ≥ 20 players → <@&{players}> in <#{pings}>"
            in (listing.embeds[0]["description"])
        )
