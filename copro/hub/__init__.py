"""A hub's members: their files at locked commits, fetched without running anything of theirs.

Provides sources of records; knows nothing of the catalog, the index or the views.
"""
