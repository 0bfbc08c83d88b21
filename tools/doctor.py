"""`python3 tools/doctor.py [--browser]`: check what the set-up needs; name the fix for each gap.

Run by `make doctor`, the first step of `make book` and `make test` (`--browser` for
`make browser`), with the Python that will create `.venv`; it needs nothing but the standard
library, so that an old Python still gets the message.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIN_PYTHON = (3, 11)
# .venv (TensorFlow, Jupyter, Sphinx) takes about 2.6 GB; node_modules and _build a few hundred MB.
NEEDED_GB_FRESH, NEEDED_GB_INSTALLED = 4.0, 0.5
CHROMEDRIVER = "/usr/bin/chromedriver"


def problems(browser: bool) -> list[str]:
    """What is missing, each with its fix."""
    found = []
    if sys.version_info < MIN_PYTHON:
        found.append(
            f"Python {'.'.join(map(str, MIN_PYTHON))} or newer is needed; {sys.executable} is "
            f"{sys.version.split()[0]}. Install it and pass it on: make book PYTHON=python3.11")
    elif importlib.util.find_spec("ensurepip") is None and not os.path.isdir(f"{ROOT}/.venv"):
        found.append(f"{sys.executable} cannot create virtual environments (no ensurepip). "
                     f"On Debian/Ubuntu: apt-get install python3.{sys.version_info.minor}-venv")
    if shutil.which("npm") is None and not os.path.isfile(f"{ROOT}/_static_offline/.copied"):
        found.append("npm is needed to install the JavaScript the book serves itself "
                     "(package.json). Install Node.js with npm; on Debian/Ubuntu: "
                     "apt-get install npm")
    installed = os.path.isfile(f"{ROOT}/.venv/.installed")
    needed = NEEDED_GB_INSTALLED if installed else NEEDED_GB_FRESH
    free = shutil.disk_usage(ROOT).free / 1e9
    if free < needed:
        found.append(f"{free:.1f} GB free in {ROOT}; {needed:.1f} GB are needed "
                     f"({'the build' if installed else '.venv takes about 2.6 GB'}). "
                     "Free some space, or clone the book where there is more.")
    if browser and not os.path.exists(CHROMEDRIVER) and os.geteuid() != 0:
        found.append(f"{CHROMEDRIVER} is missing and only root can install it. Run once: "
                     "sudo apt-get install --no-install-recommends chromium chromium-driver")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="also check for make browser")
    found = problems(parser.parse_args().browser)
    if not found:
        print(f"make doctor: ready (Python {sys.version.split()[0]}, "
              f"{shutil.disk_usage(ROOT).free / 1e9:.0f} GB free)")
        return 0
    print("make doctor: the set-up is not ready:", file=sys.stderr)
    for problem in found:
        print(f"  - {problem}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
