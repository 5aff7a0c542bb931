"""Protocol only, no I/O: the frame envelope, the cattrs converter and the message classes."""
