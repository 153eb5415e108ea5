"""Real-time endpoints and batch transform: the control plane (this package's modules) and
the three programs it runs, each a sub-package: ``router/``, ``modelserver/``, ``transform/``."""
