"""The guild ban list: one ban for every server of a community, applied with each console's own
command where it has one, retried until applied, lifted at expiry and enforced by a kick on join.

- :mod:`.identity`: who a ban names (typed ids, SteamID forms, the BattlEye GUID of a SteamID).
- :mod:`.native`: the console commands that ban and unban by identifier.
- :mod:`.duration`: ``30m``/``12h``/``7d`` and their display.
- :mod:`.transfer`: export and import (CSV, JSON, BattlEye ``bans.txt``, ``banned-players.json``).
- :mod:`.service`: :class:`BanService`, the list's rules and its background work.
"""
