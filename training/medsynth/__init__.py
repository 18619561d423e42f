"""Library code for training MedSynth Lab's models (no entry points here; see training/train.py)."""
