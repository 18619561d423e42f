"""MedSynth Lab training: PyTorch models trained here, exported to tfjs under models/."""
