"""The adversarial corpus: broken, hostile and odd submissions, each with the report it must get.

Each module here (`inputs.py`, `failures.py`, `tampering.py`, ...) holds a list `CASES` of
`tests.corpus.case.Case`; `tests/test_corpus.py` grades them all in one batch, twice.
"""
