"""The course's grading side: the manifest, hidden checks, offline fixtures and the `llmt` command.

Students never need this package: release notebooks hold only self-contained visible tests.
"""
