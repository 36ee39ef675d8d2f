"""What the harvesters (decp/harvester.py, datagouv/harvester.py) share:
the base (base.py), who may manage sources (auth.py), ckanext-harvest's
actions chained (actions.py), the notes of a job (notes.py), the source
form's presets (presets.py) and the source owner's territory (scope.py)."""
