"""What SageMaker inference scripts use of ``sagemaker_containers``, served by this project.

Only the serving side: content types, encoders, errors, ``worker.Response``, the default
handlers; see ``beta.framework``.
"""
