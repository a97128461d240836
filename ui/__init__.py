"""The Qt desktop app. Widgets and thin models only: all data work is in ``workbench``."""
