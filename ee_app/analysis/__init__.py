"""Pure statistics and disclosure control: plain data or DataFrames in, results out.

Nothing here imports streamlit or sqlalchemy (``tests/test_layers.py`` checks it), so every
function can be tested against hand calculations and published reference values.
"""
