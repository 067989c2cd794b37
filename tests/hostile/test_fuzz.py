"""Fuzz every reader: mutations of its fixture end in a result or a CostlensError, never else.

Each reader gets the first fixture it claims; hypothesis mutates the bytes (flip, cut, repeat a
line, insert junk, swap digits for letters) a fixed number of times, derandomized, so CI time is
bounded and failures reproduce.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costlens import adapters
from costlens.discover import discover
from costlens.errors import CostlensError


def _fixtures() -> dict[str, Path]:
    """Reader name -> the first fixture it claims (smallest files first: fast examples)."""
    out: dict[str, Path] = {}
    files = [
        f
        for root in (FIXTURES, SAMPLES)
        for f in root.rglob("*")
        if f.is_file() and f.suffix.lower() in adapters.DATA_SUFFIXES
    ]
    for f in sorted(files, key=lambda f: (f.stat().st_size, str(f))):
        try:
            name = adapters.identify(f).name
        except CostlensError:
            continue
        out.setdefault(name, f)
    return out


FIXTURE = _fixtures()


@st.composite
def mutated(draw, data: bytes) -> bytes:
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if not data:
            break
        at = draw(st.integers(min_value=0, max_value=len(data) - 1))
        op = draw(st.sampled_from(["flip", "cut", "repeat", "junk", "letters", "drop"]))
        if op == "flip":
            data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
        elif op == "cut":
            data = data[:at]
        elif op == "repeat":
            lines = data.splitlines(keepends=True)
            i = at % len(lines)
            data = b"".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
        elif op == "junk":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif op == "letters":
            data = data[:at] + data[at:].replace(b"1", b"l", 3)
        else:
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
    return data


def test_every_reader_has_a_fixture():
    assert set(FIXTURE) == {a.name for a in adapters.ADAPTERS}


@pytest.mark.parametrize("name", sorted(FIXTURE))
def test_reader_survives_mutations(tmp_path_factory, name):
    src = FIXTURE[name]

    @settings(
        max_examples=6,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated(src.read_bytes()))
    def run(data: bytes) -> None:
        path = tmp_path_factory.mktemp("fuzz") / src.name
        path.write_bytes(data)
        try:
            got = discover([path])
        except CostlensError as e:
            assert "\n" not in str(e)
            return
        assert got.usage.height >= 0

    run()
