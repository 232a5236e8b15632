#!/usr/bin/env bash
# The main command: sets up on first use, then opens the chatdit chat UI on the embedded model.
# Arguments go to the chatdit CLI, e.g. `./run.sh run examples/fox-book.yaml`. They are read from
# the folder you run it in (a session folder "fox" is ./fox there), not from the repository.
set -euo pipefail
repo="$(cd "$(dirname "$0")" && pwd)"
(cd "$repo" && bash scripts/setup.sh)
exec "$repo/.venv/bin/chatdit" "$@"
