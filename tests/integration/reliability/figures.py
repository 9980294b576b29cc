"""The figures a reliability test measured, kept in test-artifacts/reliability/ for docs/reliability.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "reliability"


def record(name: str, figures: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(f"{name}: {json.dumps(figures, ensure_ascii=False)}")  # shown with pytest -s or -rP
