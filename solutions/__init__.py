"""Reference solutions, one module per assignment, generated from source/ by `llmt release`."""
