"""The batch transform runner program (``python -m jupyter_mlstudio.serving.transform
JOB_DIR``): S3 objects streamed through the model servers of a transform job."""
