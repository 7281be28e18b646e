"""Every Python block of docs/python.md runs, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "python.md"


def test_every_python_block_of_the_doc_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) >= 5
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    printed = capsys.readouterr().out
    assert "unpooled − pooled" in printed
    assert "party.procedure.formalism 0 to 1 (intensity)" in printed


def test_the_speed_script_quoted_in_the_doc_runs():
    """`python python/benches/calls.py` (quick) prints the two ratios the
    doc quotes."""
    import subprocess
    import sys

    script = DOC.parents[1] / "python" / "benches" / "calls.py"
    assert f"python {script.relative_to(DOC.parents[1])}" in DOC.read_text()
    done = subprocess.run([sys.executable, str(script), "--quick"], capture_output=True, text=True, check=True)
    assert "the call's cost" in done.stdout and "speed-up" in done.stdout
