#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder: the uploaded zip is unpacked in
# /autograder/source. It installs the suite as the README's "Set up" does (CPU build of torch).
set -euo pipefail
cd "${AUTOGRADER:-/autograder}/source"
python3 -m venv .venv
.venv/bin/pip install --extra-index-url https://download.pytorch.org/whl/cpu "torch==2.13.0" -e ".[torch]"
