"""Training jobs in SageMaker's shapes: specs, the job runner, the service and its API."""
