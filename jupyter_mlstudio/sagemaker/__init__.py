"""What every SageMaker-shaped resource shares, whatever the area: request validation."""
