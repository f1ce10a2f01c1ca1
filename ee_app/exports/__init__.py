"""Files we hand out: Excel workbooks (openpyxl) and CSV, with every text cell made safe.

A text that begins with ``= + - @`` (or a tab or carriage return) would run as a formula in
Excel or LibreOffice. In workbooks such text is stored as a string with Excel's quote prefix,
so it shows exactly as written and is never evaluated; in CSV it gets a leading apostrophe,
the OWASP recommendation, since CSV has no cell types.
"""
