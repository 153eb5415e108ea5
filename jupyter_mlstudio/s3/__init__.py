"""S3 data access: connection settings, the embedded store and (later) the browser API."""
