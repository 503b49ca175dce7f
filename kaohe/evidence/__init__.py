"""Stage work, evidence in: the pure logic behind submissions, verification, sampling candidates and orders.

Nothing here opens a session, a file or a connection: bytes and plain data in, plain data out.
``kaohe.store`` records the results; ``kaohe.stagework`` is the edge that opens sessions and files.
"""
