"""SageMaker's built-in algorithms, trained with no script of the user's.

An algorithm's training program is a standalone script (it imports only its library and
numpy) that the job runs as SageMaker's algorithm container runs its own: it reads
``input/config/hyperparameters.json`` and the channels, prints the metrics SageMaker's
regexes expect and writes the model where SageMaker's algorithm does. The server checks
the hyperparameters against the algorithm's own names, ranges and required ones before a
job is created. See :mod:`.catalog`.
"""
