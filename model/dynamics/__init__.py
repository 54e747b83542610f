"""Dynamics kernels: combat and supply as pure functions of arrays (no agents, no model)."""
