#: The version of the installed ``sogni`` package.
__version__ = "0.1.0"
