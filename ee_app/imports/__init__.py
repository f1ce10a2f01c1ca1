"""Reading the files HR and the clinic's systems hand us (Excel, CSV in any Chinese encoding).

``tabular`` turns bytes into a header and rows, ``columns`` maps whatever the headers say to
our fields, ``cells`` parses one value; each import (``roster`` …) combines them into typed
rows or a list of :class:`~ee_app.errors.Problem` naming row and column. Nothing here touches
the database: services do that, in one transaction.
"""
