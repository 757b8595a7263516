"""The ``govcat_theme`` plugin's room: home page data and theme settings."""
