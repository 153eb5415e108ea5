"""``python -m jupyter_mlstudio.serving.transform JOB_DIR``: runs a transform job (see
:mod:`.runner`)."""
from .runner import main

# Worker threads are daemons: calls still in flight after a stop are abandoned.
raise SystemExit(main())
