"""``python -m asymmetry_qda`` runs the command line."""

from .cli import main

raise SystemExit(main())
