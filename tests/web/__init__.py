"""Browser tests of the web dashboard (a package: its conftest and helpers never shadow other folders' ones)."""
