#!/usr/bin/env bash
# The main command: sets up on first use, then opens the chatdit chat UI on the embedded model.
# Arguments go to the chatdit CLI, e.g. `./run.sh run examples/fox-book.yaml`.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec .venv/bin/chatdit "$@"
