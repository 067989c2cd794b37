"""Walk a folder of N tiny files (issue 9's "10,000 tiny files"): time and what was read.

    python bench/many_files.py 10000

Every file holds one distinct OpenAI response (from the Inspect fixture); every 1,000th is
empty. Prints one line: files, seconds, usage rows read and files listed as empty; the rows
must equal the non-empty files (the unit test in tests/hostile/test_discover.py checks the
same on 60 files).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from costlens.discover import discover

FIXTURE = (
    Path(__file__).parent.parent / "tests/fixtures/openai_response_log/inspect_security_guide.jsonl"
)


def main(n: int) -> None:
    line = FIXTURE.read_text().splitlines()[0]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "many"
        root.mkdir()
        for i in range(n):
            text = "" if i % 1000 == 0 else line.replace('"id":"', f'"id":"{i}-', 1) + "\n"
            (root / f"{i:06}.jsonl").write_text(text)
        start = time.perf_counter()
        got = discover([root])
        took = time.perf_counter() - start
        empty = got.issues.filter(got.issues["reason"] == "empty file").height
        want = n - len(range(0, n, 1000))
        ok = "ok" if got.usage.height == want else f"WRONG (want {want})"
        print(f"{n} files: {took:.1f} s, {got.usage.height} rows {ok}, {empty} empty")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
