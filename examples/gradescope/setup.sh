#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder: the uploaded zip is unpacked in
# /autograder/source. It installs the suite as the README's "Set up" does (CPU build of torch).
set -euo pipefail
cd "${AUTOGRADER:-/autograder}/source"
python3 -m venv .venv
.venv/bin/pip install --extra-index-url https://download.pytorch.org/whl/cpu "torch==2.13.0" -e ".[torch]"
# The sandbox graded submissions run in (README: "The sandbox"); where the container refuses its
# namespaces, every report says it was graded without one.
command -v bwrap >/dev/null || { apt-get update -qq && apt-get install -y -qq bubblewrap; } \
  || echo "no bubblewrap: submissions will be graded without the sandbox (each report says so)"
