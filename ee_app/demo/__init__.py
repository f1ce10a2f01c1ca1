"""A realistic demo chain, generated from a seed.

``chain`` builds the org tree, the staff and the demo users as plain data; later parts of the
demo (survey waves, visits, assessments, outcomes) add their own generators beside it. The
numbers that shape the demo live in :mod:`ee_app.demo.params`, so analyses can be checked
against what the generator built in. :func:`ee_app.services.demo.load_demo` writes it.
"""
