"""Kernel installers: R, Scala and custom Python environments as Jupyter kernels.

``service.KernelsService`` runs installs in the background and lists kernelspecs;
``installers/`` holds one pluggable class per kind; ``handlers.py`` and the CLI
are thin layers over the service.
"""
