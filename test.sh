#!/usr/bin/env bash
# The test command: sets up on first use, then runs the test suite. With no arguments it skips the
# end-to-end tests marked slow (minutes each on a CPU); `./test.sh -m slow` runs just those.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
if [ $# -eq 0 ]; then set -- -m "not slow"; fi
exec .venv/bin/python -m pytest -q "$@"
