"""A short hash of the historical run's trajectories, to tell at a glance whether a change moved the model at all:
a commit that only adds an off parameter must leave it as it was (the notes quote it per stop).

    python docs/notes/probes/fingerprint.py 0-3 [parameter=value ...]

Hashes, per seed, the daily control, casualty, displaced and personnel histories and the captures, coups and
ceasefires as written (16 hex digits of a SHA-256 over the seeds in order).
"""
import hashlib
import sys

from model import KarabakhWar
from probe_args import overrides, seed_range


def fingerprint(seeds: list[int], params: dict[str, float]) -> str:
    digest = hashlib.sha256()
    for seed in seeds:
        m = KarabakhWar(scenario="historical", rng=seed, **params).run()
        for history in (m.control_history, m.casualty_history, m.displaced_history, m.personnel_history):
            digest.update(history.tobytes())
        digest.update(repr((m.captures, m.coups, m.ceasefires)).encode())
    return digest.hexdigest()[:16]


if __name__ == "__main__":
    print(fingerprint(seed_range(sys.argv[1]), overrides(sys.argv[2:])))
