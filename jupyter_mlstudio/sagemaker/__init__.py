"""What every SageMaker resource shares, whatever the area: errors, request validation,
field checks, names, ARNs, statuses, tags, paging and times."""
