"""Message catalogs of the govcat plugin (domain ``ckanext-govcat``): extract the message ids
(the Chinese source texts, marked ``N_`` in the catalog room and ``_`` in the glue) into the
template, merge it into every ``i18n/<locale>/LC_MESSAGES/ckanext-govcat.po`` and compile the
``.mo`` files. Run after changing a message: ``.venv/bin/python scripts/i18n-catalog.py``."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ckanext-govcat" / "ckanext" / "govcat"
I18N = PACKAGE / "i18n"
DOMAIN = "ckanext-govcat"
POT = I18N / f"{DOMAIN}.pot"


def pybabel(*args: str) -> None:
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), *args], check=True)


def main() -> None:
    pybabel("extract", "-k", "N_", "-k", "_", "--sort-by-file", "--project", DOMAIN,
            "-o", str(POT), str(PACKAGE / "catalog"), str(PACKAGE / "logic"))
    for po in sorted(I18N.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        locale = po.parent.parent.name
        pybabel("update", "-D", DOMAIN, "-i", str(POT), "-d", str(I18N), "-l", locale,
                "--no-fuzzy-matching")
    pybabel("compile", "-D", DOMAIN, "-d", str(I18N), "--statistics")


if __name__ == "__main__":
    main()
