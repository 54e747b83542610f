"""The probes' command-line arguments, parsed once for all of them: a seed range ``A-B`` (or one seed) and trailing
``parameter=value`` overrides passed to KarabakhWar."""


def seed_range(text: str) -> list[int]:
    """Seeds ``A`` to ``B`` inclusive from ``"A-B"``, or the one seed ``"A"``."""
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def overrides(args: list[str]) -> dict[str, float]:
    """``parameter=value`` arguments as KarabakhWar keyword overrides."""
    return {k: float(v) for k, v in (a.split("=") for a in args)}
