"""Data shipped with hudang: the example rule set and a sample customer list.

Installed as `hudang.sample_data`, so the demo and `hudang rules check` find them from a
wheel as well as from a checkout.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES_DIR = HERE / "rules"
CUSTOMERS_CSV = HERE / "customers_sample.csv"
