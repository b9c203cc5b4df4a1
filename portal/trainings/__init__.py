"""Training courses, their modules, materials and downloads."""
