"""The edge of stage work: open the session, read and store the files, call the evaluator, then record.

Used by the CLI commands and the Prefect tasks alike, so both do exactly the same thing.
"""
