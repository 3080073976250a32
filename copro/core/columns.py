"""The findings columns the CSV export and the workbook's findings sheet share.

A module of its own, importing nothing, so the command layer can list the
export formats without loading the workbook reader (zip, XML) at start-up.
"""

CSV_COLUMNS = [
    "record_id",
    "date",
    "title",
    "status",
    "ladder",
    "places",
    "populations",
    "topics",
    "finding_id",
    "finding",
    "finding_topics",
    "quotable",
    "responses",
]
"""The findings columns every export and workbook shares (contract section 9)."""
