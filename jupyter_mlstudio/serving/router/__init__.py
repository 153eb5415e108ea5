"""The endpoint router program (``python -m jupyter_mlstudio.serving.router``) and the
Jupyter server's handle on its process (:mod:`.process`)."""
