"""Automatic model tuning: hyperparameter tuning jobs whose trials are training jobs.

A tuning job is a job of the engine run in the server (kind ``tuning``): it asks an
Optuna study, kept in the project's database, for hyperparameters, runs each trial as an
ordinary training job and tells the study how it did. See :mod:`.service`.
"""
