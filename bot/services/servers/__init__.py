"""Registering servers: validation, address policy, probes, diagnostics."""
