"""Protocol adapters: the only place the services meet a protocol package.

``query`` defines the query interface (address in, neutral status out) and ``registry`` lists
the adapters by the protocol names the catalogue uses. Adapters import protocol packages and
the neutral value types (:mod:`bot.snapshots`); nothing of the services, storage or Discord.
"""
