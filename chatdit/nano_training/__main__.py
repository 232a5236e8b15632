"""`python -m chatdit.nano_training ...`: train chatdit-nano (see `cli`)."""

from chatdit.nano_training.cli import main

raise SystemExit(main())
