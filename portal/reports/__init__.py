"""Reports: attendance exports (CSV, XLSX) and server-rendered SVG charts, as pure code."""
