"""The names of an archive's own folders and files that the listing of its records needs,
in a module that imports nothing: the command line lists the records in a forked
process before it imports the rest of copro (``copro.store.listing``)."""

ARCHIVE_DIR = "archive"
HUB_FILE = "hub.yml"
