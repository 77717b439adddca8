"""Pure presentation: snapshots and samples in, ``discord.Embed`` values and PNG bytes out."""
