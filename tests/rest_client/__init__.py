"""A small client of the server's REST routes shaped like the SageMaker SDK's classes,
used by the project's own tests of those routes. Notebooks use the real SageMaker SDK."""
