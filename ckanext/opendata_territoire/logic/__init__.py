"""The action API: actions.py and auth.py gather the `territoire_*` actions
and their auth functions from the feature folders."""
