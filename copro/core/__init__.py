"""The core: reading a record, the gate, the model, vocabularies, personal data, errors.

Nothing here knows of caches, indexes, hubs or commands.
"""
