"""``python -m jupyter_mlstudio.serving.modelserver``: runs a model server (see :mod:`.server`)."""
import sys

from .server import main

sys.exit(main())
