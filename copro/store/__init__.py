"""Where records are kept between runs: sources, the record cache, the index, standings.

Built on the core; knows nothing of views or commands.
"""
