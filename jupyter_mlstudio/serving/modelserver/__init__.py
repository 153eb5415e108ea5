"""The model server program (``python -m jupyter_mlstudio.serving.modelserver``): the SageMaker
inference contract around the user's handlers, with each framework container's defaults."""
