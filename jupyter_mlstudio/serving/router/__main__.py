"""``python -m jupyter_mlstudio.serving.router``: runs the router (see :mod:`.main`)."""
import sys

from .main import main

sys.exit(main())
