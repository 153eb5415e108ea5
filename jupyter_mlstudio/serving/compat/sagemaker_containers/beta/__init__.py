"""``sagemaker_containers.beta``."""
