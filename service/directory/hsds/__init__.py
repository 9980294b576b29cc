"""The directory in Open Referral HSDS 3.0: ``records`` maps listings to HSDS records and ``parse``
back, ``api`` serves them (HSDA), ``package`` reads and writes the tabular data package, whose CSV
files ``staging`` loads into PostgreSQL and ``nesting`` gathers into records for ``importer``
(writing with ``import_sql``); ``exporter`` writes the directory out."""
