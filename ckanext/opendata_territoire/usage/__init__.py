"""Keeping the data alive: reuses declared by reusers and moderated by the
publishers, questions and problems reported on a dataset, and the usage
figures (page views, downloads, DataStore dumps, API reads) each publisher and
the EPCI follow."""
