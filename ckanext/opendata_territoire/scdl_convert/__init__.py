"""Issue 25, "Mettre au format national": a commune's own spreadsheet (CSV,
XLSX, ODS) turned into a file that follows an SCDL schema. The schema is
recognised (recognise.py), the columns mapped to its fields (mapping.py),
the values converted with every change counted (convert.py), the result
validated as the quality feature validates files, then published as a
resource of the dataset; the mapping is remembered for the next file
(model.py)."""
